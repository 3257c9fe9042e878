/**
 * @file Quota handling for cache writes: on QuotaExceededError, free space by evicting blobs no
 * model references and retry once; if that is still not enough, fail with a
 * {@link StorageFullError} that tells the user what to do instead of a raw DOMException.
 */
import { StorageFullError } from '../errors.ts';

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
  evict: () => Promise<unknown>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isQuotaError(err)) throw err;
  }
  await evict();
  try {
    return await write();
  } catch (err) {
    if (!isQuotaError(err)) throw err;
    throw new StorageFullError(
      `not enough browser storage to save ${what}, even after removing unused model versions; ` +
        `free space for this site in the browser settings or unpin old versions, then check for updates again`,
      { cause: err },
    );
  }
}
