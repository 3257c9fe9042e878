/**
 * @file The update channel's tunable timings, declared once: how often the registry is polled
 * and how long a download may receive nothing before it is abandoned and resumed. The page
 * reads overrides from its URL (`?poll=`, `?stall=`), the service worker receives them, the
 * model hosts and the page's own update check apply the same stall limit; every one of them
 * clamps through here, so no thread has its own idea of a default or a bound.
 */

/** A setting's default and the range any requested value is clamped to (ms). */
export interface TimingBounds {
  defaultMs: number;
  minMs: number;
  maxMs: number;
}

/** Registry poll interval: a minute by default; a test deployment may go down to half a second. */
export const POLL_INTERVAL: TimingBounds = { defaultMs: 60_000, minMs: 500, maxMs: 24 * 60 * 60_000 };

/** Download stall timeout: generous for slow mobile links, where a chunk may take seconds. */
export const STALL_TIMEOUT: TimingBounds = { defaultMs: 30_000, minMs: 500, maxMs: 10 * 60_000 };

/** `ms` within `bounds` (rounded); the default when it is not a finite number. */
export function clampTiming(ms: number | undefined, bounds: TimingBounds): number {
  if (ms === undefined || !Number.isFinite(ms)) return bounds.defaultMs;
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, Math.round(ms)));
}
