/**
 * @file Where the inference workers' model bytes (model hosts) and probe images (the pipeline
 * worker) come from: the IndexedDB model cache first (no network,
 * so offline starts and rollbacks work), else the registry. A registry download happens once
 * per origin: it runs under the Web Lock `hotlens-download-<sha256>` that the service worker
 * and every other tab's worker also take, and the bytes are verified (size, SHA-256) before
 * they are stored. Probe images are what the signed manifest says too (its `probe.sha256` and
 * `probe.bytes`): fetched with the size as a cap, verified before they are cached or decoded,
 * cached by hash (never by URL: a file replaced on the server, or a login portal's page, can never
 * stand in for them), so probes run offline too. One that cannot be fetched or does not verify is
 * a ProbeAssetError: the network's fault, never the model's.
 * When the cache cannot keep the bytes (IndexedDB blocked, or full even after evicting unused
 * blobs) the verified download serves from memory, origin `memory`: the app still works, and
 * nothing is stored that did not verify. A model file the user gave this device (`spec.local`)
 * is never requested from the registry: its bytes come with the spec while it is being tried, else
 * from IndexedDB ("Use on this device" stored them), else loading fails.
 */
import type { ModelStore } from './model-store.ts';
import { createModelStore } from './idb-model-store.ts';
import { clampStallTimeout, downloadBlob, type BlobRequest } from '../common/download.ts';
import { createBlobEnsurer, type LockManagerLike } from '../common/ensure-blob.ts';
import { describeError, StorageFullError } from '../common/errors.ts';
import { defaultFetch, registryUrl, type FetchLike } from '../common/http.ts';
import { verifyBlob } from '../common/integrity.ts';
import { ModelIntegrityError, ModelLoadError, ProbeAssetError } from '../../shared/errors.ts';
import type { Probe } from '../../shared/manifest-types.ts';
import { fileSignatureProblems } from '../../shared/onnx-signature.ts';
import type { TaskContract } from '../../shared/tasks.ts';
import type { ModelSpec } from '../../shared/worker-api.ts';

/** Bytes of one version and where they came from (`memory`: downloaded and verified, but not cached). */
export interface SourcedBytes {
  bytes: Uint8Array<ArrayBuffer>;
  origin: 'cache' | 'registry' | 'memory' | 'local';
}

/** A probe image as the manifest names it: its path in the registry, digest and size. */
export type ProbeImageRef = Pick<Probe, 'image' | 'sha256' | 'bytes'>;

/** Probe images are PNGs (the schema allows no other). */
const PROBE_TYPE = 'image/png';

/** What the loader needs: model bytes and probe images. */
export interface ModelSource {
  /** The bytes of a version; `onBytes` reports download progress when they come from the registry. */
  bytes(spec: ModelSpec, onBytes: (loaded: number, total: number) => void): Promise<SourcedBytes>;
  /** The verified bytes of a probe image; throws ProbeAssetError when they cannot be had. */
  probeImage(probe: ProbeImageRef): Promise<Blob>;
  /**
   * The bytes of a version this device holds already (a file being tried, or IndexedDB), or
   * undefined: never a download, so a check of stored files costs no network.
   */
  stored(spec: ModelSpec): Promise<Uint8Array<ArrayBuffer> | undefined>;
}

/**
 * The signature problems of the file this device holds for `spec` (its real inputs and outputs
 * against `contract` and the manifest's declaration; no runtime needed); `[]` when it holds none
 * or cannot read it, which is not the version's fault (the loader checks the bytes it compiles).
 */
export async function storedFileProblems(
  source: ModelSource,
  spec: ModelSpec,
  contract: TaskContract,
): Promise<string[]> {
  const bytes = await source.stored(spec).catch(() => undefined);
  return bytes ? fileSignatureProblems(contract, spec.file, bytes) : [];
}

/** Injectable parts of {@link cacheModelSource} (tests pass fakes). */
export interface CacheSourceDeps {
  store?: ModelStore;
  locks?: LockManagerLike;
  fetch?: FetchLike;
  /** Abandon (and resume) a download that receives nothing for this long (`?stall=`; default in update-settings.ts). */
  stallTimeoutMs?: number;
}

/** The IndexedDB cache in front of the registry at `base` (a folder URL ending in "/"). */
export function cacheModelSource(base: string, deps: CacheSourceDeps = {}): ModelSource {
  const store = deps.store ?? createModelStore();
  const fetchFn = deps.fetch ?? defaultFetch;
  // Web Locks exist in every browser context; Node (unit tests) has none.
  const locks = deps.locks ?? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  // One progress listener per sha: the ensurer shares a download between concurrent callers.
  const listeners = new Map<string, (loaded: number, total: number) => void>();
  const download = (req: BlobRequest) =>
    downloadBlob(req, {
      fetch: fetchFn,
      retries: 2,
      stallTimeoutMs: deps.stallTimeoutMs === undefined ? undefined : clampStallTimeout(deps.stallTimeoutMs),
      onProgress: (p) => listeners.get(req.sha256)?.(p.loaded, p.total),
    });
  // Verified bytes the cache had no room for, handed to the caller once instead of being stored.
  const unsaved = new Map<string, ArrayBuffer>();
  const ensure = createBlobEnsurer({
    store: {
      hasBlob: (sha) => store.hasBlob(sha),
      async putBlob(blob) {
        try {
          return await store.putBlob(blob);
        } catch (err) {
          if (!(err instanceof StorageFullError)) throw err;
          unsaved.set(blob.sha256, blob.bytes);
          return { evicted: [] };
        }
      },
    },
    locks,
    fetchVerified: download,
  });

  // What this device holds for a version without asking any server: a file being tried comes
  // with its bytes, anything else is read from IndexedDB by hash (unreadable counts as not held).
  const held = async (spec: ModelSpec): Promise<SourcedBytes | undefined> => {
    if (spec.local?.bytes) return { bytes: new Uint8Array(spec.local.bytes), origin: 'local' };
    const kept = await store.getBlob(spec.sha256).catch(() => undefined);
    return kept ? { bytes: new Uint8Array(kept), origin: 'cache' } : undefined;
  };

  return {
    async bytes(spec, onBytes) {
      const what = `${spec.id}@${spec.version}`;
      const req = { url: registryUrl(base, spec.file.blob), sha256: spec.sha256, bytes: spec.file.bytes };
      if (spec.local) {
        // The user's own file: its hash, let alone its bytes, must never reach a server.
        const mine = await held(spec);
        if (mine) return mine;
        throw new ModelLoadError(what, `the model file ${spec.local.name} is no longer stored on this device`);
      }
      listeners.set(spec.sha256, onBytes);
      try {
        // Storage blocked: no lock to share and nothing to store; download and verify here.
        if (await store.storageProblem())
          return { bytes: new Uint8Array((await download(req)).bytes), origin: 'memory' };
        const cached = await store.getBlob(spec.sha256);
        if (cached) return { bytes: new Uint8Array(cached), origin: 'cache' };
        await ensure(req);
      } catch (err) {
        if ((err as Error).name === 'IntegrityError') throw new ModelIntegrityError(what, describeError(err));
        throw new ModelLoadError(what, describeError(err));
      } finally {
        listeners.delete(spec.sha256);
      }
      const kept = unsaved.get(spec.sha256);
      if (kept) {
        unsaved.delete(spec.sha256);
        return { bytes: new Uint8Array(kept), origin: 'memory' };
      }
      const stored = await store.getBlob(spec.sha256);
      if (!stored) throw new ModelLoadError(what, 'it was downloaded but is missing from the browser storage');
      return { bytes: new Uint8Array(stored), origin: 'registry' };
    },

    async stored(spec) {
      return (await held(spec))?.bytes;
    },

    async probeImage(probe) {
      const cached = await store.getAsset(probe.sha256).catch(() => undefined);
      if (cached) {
        // IndexedDB is outside what the signature covers: a record that changed is fetched again.
        const ok = await verifyBlob(cached.bytes, probe).then(
          () => true,
          () => false,
        );
        if (ok) return new Blob([cached.bytes], { type: cached.type });
      }
      const req = { url: registryUrl(base, probe.image), sha256: probe.sha256, bytes: probe.bytes };
      let verified;
      try {
        // The manifest's size caps the read and the SHA-256 is checked before anything is kept or decoded.
        verified = await downloadBlob(req, {
          fetch: fetchFn,
          retries: 1,
          stallTimeoutMs: deps.stallTimeoutMs === undefined ? undefined : clampStallTimeout(deps.stallTimeoutMs),
        });
      } catch (err) {
        throw new ProbeAssetError(probe.image, describeError(err).replace(/; the blob was not stored$/, ''));
      }
      // Best effort: a full disk costs only the offline probe of this image.
      await store.putAsset(verified, PROBE_TYPE).catch(() => undefined);
      return new Blob([verified.bytes], { type: PROBE_TYPE });
    },
  };
}
