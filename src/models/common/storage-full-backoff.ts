/**
 * @file Versions whose verified blob did not fit in browser storage. Downloading them again
 * on every poll would waste the user's bandwidth and the registry's for a write that will fail
 * the same way, so each one waits (2 min, doubling up to 1 h) unless the user asks, e.g. with
 * Check now after freeing space. Kept in memory: a restarted service worker tries once more.
 */

/** Delays of {@link StorageFullBackoff}. */
export interface StorageFullBackoffOptions {
  /** Wait after the first failure (ms, default 2 min); doubles with each further failure. */
  baseDelayMs?: number;
  /** Longest wait (ms, default 1 h). */
  maxDelayMs?: number;
}

/** Per-sha256 waits after a StorageFullError. */
export class StorageFullBackoff {
  private readonly waits = new Map<string, { failures: number; until: number }>();

  constructor(private readonly options: StorageFullBackoffOptions = {}) {}

  /** Records a failed write at `now` and returns how long the blob now waits (ms). */
  failed(sha256: string, now: number): number {
    const failures = (this.waits.get(sha256)?.failures ?? 0) + 1;
    const base = this.options.baseDelayMs ?? 120_000;
    const delay = Math.min(this.options.maxDelayMs ?? 3_600_000, base * 2 ** (failures - 1));
    this.waits.set(sha256, { failures, until: now + delay });
    return delay;
  }

  /** True while the blob must not be downloaded again automatically. */
  waiting(sha256: string, now: number): boolean {
    const wait = this.waits.get(sha256);
    return wait !== undefined && now < wait.until;
  }

  /** The blob was stored: forget its failures. */
  stored(sha256: string): void {
    this.waits.delete(sha256);
  }
}
