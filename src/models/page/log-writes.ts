/**
 * @file This tab's update-log records, appended to the stored log in batches. Each append reads
 * and rewrites the whole stored log (up to MAX_LOG_ENTRIES records) on the page's thread, which
 * also draws the live video: a swap made seven of them, about 58 ms of that thread in a CPU
 * profile. Records now wait until the swap is over (`flush`) or LOG_WRITE_DELAY_MS have passed,
 * then go in one write; they are broadcast and shown at once, as before.
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';

/** The longest a record waits for its write when nothing flushes it sooner. */
export const LOG_WRITE_DELAY_MS = 2000;

/** Batches appends to the stored update log; writes never overlap and keep their order. */
export class LogWrites {
  private pending: UpdateLogRecord[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly append: (...records: UpdateLogRecord[]) => Promise<void>,
    private readonly delayMs = LOG_WRITE_DELAY_MS,
  ) {}

  /** Queues records for the next write. */
  add(records: readonly UpdateLogRecord[]): void {
    if (records.length === 0) return;
    this.pending.push(...records);
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes what is queued now; resolves when every write so far is done (a failed write is dropped). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.chain = this.chain.then(() => this.append(...batch)).catch(() => undefined);
    }
    return this.chain;
  }
}
