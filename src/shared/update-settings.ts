/**
 * @file The update channel's tunable timings, declared once: how often the registry is polled,
 * how long a download may receive nothing before it is abandoned and resumed, and how long a
 * manifest request may take. The page reads overrides from its URL (`?poll=`, `?stall=`) for
 * that visit only: it always sends the service worker the visit's effective settings
 * ({@link visitSettings}), and nothing a link sets is kept for the next visit. The model hosts and
 * the page's own update check apply the same stall limit; every one of them clamps through here,
 * so no thread has its own idea of a default or a bound.
 */

/** A setting's default and the range any requested value is clamped to (ms). */
export interface TimingBounds {
  defaultMs: number;
  minMs: number;
  maxMs: number;
}

/**
 * Registry poll interval: a minute by default. An app served from a loopback origin (`npm start`,
 * the e2e suite) may poll every half second; see {@link pollBoundsFor} for everywhere else.
 */
export const POLL_INTERVAL: TimingBounds = { defaultMs: 60_000, minMs: 500, maxMs: 24 * 60 * 60_000 };

/**
 * The shortest poll interval a link can ask for on a deployed (non-loopback) origin: `?poll=1`
 * in a shared link must not make every client that opens it hammer the registry.
 */
export const DEPLOYED_POLL_FLOOR_MS = 30_000;

/** Download stall timeout: generous for slow mobile links, where a chunk may take seconds. */
export const STALL_TIMEOUT: TimingBounds = { defaultMs: 30_000, minMs: 500, maxMs: 10 * 60_000 };

/**
 * How long one manifest request may take, answer complete, before the registry counts as
 * unreachable for that check: its own limit, independent of the download stall timeout (a
 * registry that answers in 1.5 s is slow, not down), never below 5 s.
 */
export const MANIFEST_TIMEOUT: TimingBounds = { defaultMs: 15_000, minMs: 5_000, maxMs: 2 * 60_000 };

/** True for an origin on this machine (127.0.0.0/8, localhost, [::1]): where `npm start` and the tests run. */
export function isLoopbackOrigin(origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** The poll bounds for an app served from `appOrigin`: the floor is {@link DEPLOYED_POLL_FLOOR_MS} unless it is loopback. */
export function pollBoundsFor(appOrigin: string): TimingBounds {
  return isLoopbackOrigin(appOrigin) ? POLL_INTERVAL : { ...POLL_INTERVAL, minMs: DEPLOYED_POLL_FLOOR_MS };
}

/** What one page visit asks of the service worker, every field effective (defaults filled in, clamped). */
export interface VisitSettings {
  /** Absolute URL of the registry folder (holding manifest.json), ending in "/". */
  registryUrl: string;
  pollIntervalMs: number;
  stallTimeoutMs: number;
}

/**
 * The effective settings of a visit to an app at `appOrigin`: the URL's overrides when it has
 * them, else the defaults, clamped. The page sends exactly this on every visit, so a visit
 * without overrides restores the defaults.
 */
export function visitSettings(
  requested: { registryUrl: string; pollIntervalMs?: number; stallTimeoutMs?: number },
  appOrigin: string,
): VisitSettings {
  return {
    registryUrl: requested.registryUrl,
    pollIntervalMs: clampTiming(requested.pollIntervalMs, pollBoundsFor(appOrigin)),
    stallTimeoutMs: clampTiming(requested.stallTimeoutMs, STALL_TIMEOUT),
  };
}

/** `ms` within `bounds` (rounded); the default when it is not a finite number. */
export function clampTiming(ms: number | undefined, bounds: TimingBounds): number {
  if (ms === undefined || !Number.isFinite(ms)) return bounds.defaultMs;
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, Math.round(ms)));
}
