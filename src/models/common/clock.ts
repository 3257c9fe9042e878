/**
 * @file The clocks every update record uses: wall time for when something happened, monotonic
 * time for how long it took. Injected everywhere so tests control time.
 */

/** Wall time for records, monotonic time for durations. */
export interface Clock {
  now(): number;
  monotonic(): number;
}

/** The real clocks. */
export const systemClock: Clock = { now: () => Date.now(), monotonic: () => performance.now() };
