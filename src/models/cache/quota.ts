/**
 * @file Quota handling for cache writes: on QuotaExceededError, free space by evicting blobs no
 * model references and retry once; if that is still not enough, fail with a
 * {@link StorageFullError} that tells the user what to do instead of a raw DOMException.
 */
import { StorageFullError } from '../common/errors.ts';

/** True for the errors browsers raise when IndexedDB is out of quota. */
export function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = (err as { name?: unknown }).name;
  // Firefox reported NS_ERROR_DOM_QUOTA_REACHED before it used the standard name.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** Runs `write`; on a quota error runs `evict` and retries once, then throws {@link StorageFullError}. */
export async function withQuotaRetry<T>(
  what: string,
  write: () => Promise<T>,
  evict: () => Promise<readonly unknown[] | unknown>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isQuotaError(err)) throw err;
  }
  const evicted = await evict();
  const removed = Array.isArray(evicted) ? evicted.length : null;
  try {
    return await write();
  } catch (err) {
    if (!isQuotaError(err)) throw err;
    const after =
      removed === null
        ? 'even after removing unused model versions'
        : `even after removing ${removed} unused model version${removed === 1 ? '' : 's'}`;
    throw new StorageFullError(
      `browser storage is full: ${what} does not fit, ${after}; ` +
        `free space for this site in the browser settings, then choose Check now`,
      { cause: err },
    );
  }
}
