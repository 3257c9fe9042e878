/**
 * @file This tab's update-log records, appended to the stored log. Each append reads and rewrites
 * the whole stored log (up to MAX_LOG_ENTRIES records) on the page's thread, which also draws the
 * live video: a swap's seven stage records cost that thread 30–40 ms in a CPU profile. While a
 * swap holds the log, its records wait and go in one write when it ends; outside a swap each is
 * written at once, so the stored log keeps the order in which records were made (the service
 * worker logs an outage once by looking at the stored log's last record). Records are broadcast
 * and shown at once either way.
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';

/** Appends to the stored update log; writes never overlap and keep their order. */
export class LogWrites {
  private pending: UpdateLogRecord[] = [];
  private chain: Promise<void> = Promise.resolve();
  private holds = 0;

  constructor(private readonly append: (...records: UpdateLogRecord[]) => Promise<void>) {}

  /** Queues records: written at once, or when the last hold ends. */
  add(records: readonly UpdateLogRecord[]): void {
    if (records.length === 0) return;
    this.pending.push(...records);
    if (this.holds === 0) void this.flush();
  }

  /** Records added from now on wait for {@link release} (a swap's stages). */
  hold(): void {
    this.holds++;
  }

  /** Ends a hold; when it was the last, writes what waited. Resolves when the writes so far are done. */
  release(): Promise<void> {
    this.holds = Math.max(0, this.holds - 1);
    return this.holds === 0 ? this.flush() : this.chain;
  }

  /** Writes what is queued now, hold or not; resolves when every write so far is done (a failed write is dropped). */
  flush(): Promise<void> {
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.chain = this.chain.then(() => this.append(...batch)).catch(() => undefined);
    }
    return this.chain;
  }
}
