/**
 * @file Retry timing: exponential backoff with full jitter (delay = random × min(cap,
 * base × 2^attempt), as in the AWS architecture blog), so clients that failed together after a
 * publish do not retry together. Clock and randomness are injectable for tests.
 */
import { abortError } from './errors.ts';

/** Retry settings. */
export interface BackoffOptions {
  /** Delay scale of the first retry, ms. */
  baseDelayMs?: number;
  /** Upper bound of any delay, ms. */
  maxDelayMs?: number;
  /** Uniform [0, 1) source. */
  random?: () => number;
}

/** Defaults for blob downloads. */
export const DEFAULT_BACKOFF = { baseDelayMs: 1_000, maxDelayMs: 60_000 } as const;

/** The delay before retry number `attempt` (0 = first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs;
  const cap = options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
  const random = options.random ?? Math.random;
  return random() * Math.min(cap, base * 2 ** attempt);
}

/** Waits `ms`, rejecting with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
