/**
 * @file The manifest a tab starts from: the one in IndexedDB when there is one (no network:
 * offline starts), else fetched once from the registry and stored (the first visit, before the
 * service worker has run a check). The service worker may store one at the same moment; the
 * higher serial wins.
 */
import { manifestFor, type ModelStore, type StoredManifest } from '../cache/model-store.ts';
import { describeError, StorageFullError } from '../common/errors.ts';
import { registryUrl as resolveUrl, type FetchLike } from '../common/http.ts';
import { fetchManifest, type ManifestFetchOptions } from '../common/registry-client.ts';
import { ModelLoadError } from '../../shared/errors.ts';

/** What {@link startManifest} needs. */
export interface StartManifestDeps {
  store: ModelStore;
  registryUrl: string;
  fetch?: FetchLike;
  now?: () => number;
  /** Called before a network fetch, with the manifest URL (for the loading banner). */
  onFetch?: (url: string) => void;
  /** Signature check, as the service worker's (refuse the manifest by throwing). */
  verifySignature?: ManifestFetchOptions['verifySignature'];
  tasks?: ManifestFetchOptions['tasks'];
}

/** The stored manifest of this registry, else the registry's (stored); throws ModelLoadError when neither is available. */
export async function startManifest(deps: StartManifestDeps): Promise<StoredManifest> {
  const { store } = deps;
  const stored = manifestFor(await store.getManifest(), deps.registryUrl);
  if (stored) return stored;
  const url = resolveUrl(deps.registryUrl, 'manifest.json');
  deps.onFetch?.(url);
  try {
    const res = await fetchManifest(undefined, {
      url,
      fetch: deps.fetch,
      verifySignature: deps.verifySignature,
      tasks: deps.tasks,
      // Another spelling of a registry's URL does not reset its replay floor.
      floors: await store.getReplayFloors(),
    });
    if (res.status !== 'updated') throw new Error(`${url} sent no manifest`);
    const now = (deps.now ?? Date.now)();
    const record: StoredManifest = {
      manifest: res.manifest,
      etag: res.etag,
      lastModified: res.lastModified,
      acceptedAt: now,
      checkedAt: now,
      registryUrl: deps.registryUrl,
      digest: res.digest,
    };
    const again = manifestFor(await store.getManifest(), deps.registryUrl);
    if (again && again.manifest.serial >= record.manifest.serial) return again;
    // A disk too full for the manifest must not stop the app: it then serves from memory.
    await store.putManifest(record).catch((err: unknown) => {
      if (!(err instanceof StorageFullError)) throw err;
    });
    return record;
  } catch (err) {
    // Offline, pointed at a new registry: the last manifest of any registry beats no app.
    const any = await store.getManifest();
    if (any) return any;
    throw new ModelLoadError('the model manifest', describeError(err));
  }
}
