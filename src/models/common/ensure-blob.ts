/**
 * @file "Make this blob present in the cache, downloading it at most once per origin." The
 * service worker and every tab's worker may want the same blob at the same moment (publish,
 * first start with several tabs); a Web Lock per sha256 (`hotlens-download-<sha>`) serialises
 * them, and whoever gets the lock second finds the blob already stored. Within one thread,
 * concurrent calls share one promise, forgotten once settled so a failure can be retried.
 */
import type { ModelStore } from '../cache/model-store.ts';
import type { BlobRequest } from './download.ts';
import type { VerifiedBlob } from './integrity.ts';

/** Where the blob came from. */
export type BlobSource = 'cached' | 'downloaded';

/** The part of `navigator.locks` used here (the real LockManager satisfies it). */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<BlobSource>): Promise<BlobSource>;
}

/** The Web Lock name guarding the download of one blob. */
export function downloadLockName(sha256: string): string {
  return `hotlens-download-${sha256}`;
}

/** What {@link createBlobEnsurer} needs. */
export interface BlobEnsurerDeps {
  store: Pick<ModelStore, 'hasBlob' | 'putBlob'>;
  /** `navigator.locks` where available; without it only this thread's calls are deduplicated. */
  locks?: LockManagerLike;
  /** Downloads and verifies (e.g. downloadBlob with progress wired); only called while holding the lock. */
  fetchVerified: (req: BlobRequest) => Promise<VerifiedBlob>;
}

/** Returns `ensure(req)`: resolves once the blob is in the cache, downloading it if nobody has. */
export function createBlobEnsurer(deps: BlobEnsurerDeps): (req: BlobRequest) => Promise<BlobSource> {
  const inflight = new Map<string, Promise<BlobSource>>();
  const underLock = async (req: BlobRequest): Promise<BlobSource> => {
    if (await deps.store.hasBlob(req.sha256)) return 'cached';
    const blob = await deps.fetchVerified(req);
    if (blob.sha256 !== req.sha256) throw new Error(`internal: fetched ${blob.sha256} while ensuring ${req.sha256}`);
    await deps.store.putBlob(blob);
    return 'downloaded';
  };
  return (req) => {
    const running = inflight.get(req.sha256);
    if (running) return running;
    const p = (
      deps.locks ? deps.locks.request(downloadLockName(req.sha256), () => underLock(req)) : underLock(req)
    ).finally(() => inflight.delete(req.sha256));
    inflight.set(req.sha256, p);
    return p;
  };
}
