/**
 * @file The {@link ModelStore} over a key-value backend (IndexedDB by default). One object
 * store, keys by record kind: `blob:<sha256>` (ArrayBuffer), `manifest`, `control`, `log`,
 * `install-id`, `settings`, and `asset:<url>` (probe images, a few KB each, never evicted).
 * Control, log and install id change through atomic updates because the service worker and
 * every tab's worker write them concurrently.
 */
import { boundedLogRecord, type UpdateLogRecord } from '../../shared/update-messages.ts';
import type { VerifiedBlob } from '../common/integrity.ts';
import { emptyControl, type ControlState } from '../common/model-state.ts';
import { referencedBlobs } from '../common/version-policy.ts';
import { fallbackKvBackend, idbKvBackend, type KvBackend } from './kv-backend.ts';
import {
  MAX_LOG_ENTRIES,
  type ModelStore,
  type StoredAsset,
  type StoredManifest,
  type UpdateSettings,
} from './model-store.ts';
import { withQuotaRetry } from './quota.ts';

const BLOB_PREFIX = 'blob:';
const ASSET_PREFIX = 'asset:';
const K = {
  manifest: 'manifest',
  control: 'control',
  log: 'log',
  installId: 'install-id',
  settings: 'settings',
} as const;

/** Options of {@link createModelStore}. */
export interface ModelStoreOptions {
  /** Storage to use; default: IndexedDB database `hotlens-models`, or memory when it cannot be opened. */
  backend?: KvBackend;
  /** Source of the install id; default `crypto.randomUUID()`. */
  newInstallId?: () => string;
}

/** Opens the model cache. */
export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const kv = options.backend ?? fallbackKvBackend(() => idbKvBackend());
  const newInstallId = options.newInstallId ?? (() => crypto.randomUUID());

  const getControl = async (): Promise<ControlState> => (await kv.get<ControlState>(K.control)) ?? emptyControl();

  async function evictUnreferenced(keep: Iterable<string> = []): Promise<string[]> {
    const refs = referencedBlobs(await getControl());
    for (const sha of keep) refs.add(sha);
    const evicted: string[] = [];
    for (const key of await kv.keys()) {
      if (!key.startsWith(BLOB_PREFIX)) continue;
      const sha = key.slice(BLOB_PREFIX.length);
      if (refs.has(sha)) continue;
      await kv.del(key);
      evicted.push(sha);
    }
    return evicted;
  }

  // Evicting on quota must not remove the blob being written, nor anything referenced.
  const write = <T>(what: string, fn: () => Promise<T>, keep: string[] = []) =>
    withQuotaRetry(what, fn, () => evictUnreferenced(keep));

  return {
    getBlob: (sha256) => kv.get<ArrayBuffer>(BLOB_PREFIX + sha256),
    async hasBlob(sha256) {
      return (await kv.keys()).includes(BLOB_PREFIX + sha256);
    },
    async putBlob(blob: VerifiedBlob) {
      let evicted: string[] = [];
      await withQuotaRetry(
        `model blob ${blob.sha256.slice(0, 12)}… (${(blob.bytes.byteLength / 1e6).toFixed(1)} MB)`,
        () => kv.set(BLOB_PREFIX + blob.sha256, blob.bytes),
        async () => (evicted = await evictUnreferenced([blob.sha256])),
      );
      return { evicted };
    },
    deleteBlob: (sha256) => kv.del(BLOB_PREFIX + sha256),
    async listBlobs() {
      return (await kv.keys()).filter((k) => k.startsWith(BLOB_PREFIX)).map((k) => k.slice(BLOB_PREFIX.length));
    },

    getManifest: () => kv.get<StoredManifest>(K.manifest),
    putManifest: (record) => write('the model manifest', () => kv.set(K.manifest, record)),
    async touchManifest(change) {
      await write('the model manifest', () =>
        kv.update<StoredManifest | undefined>(K.manifest, (old) => (old ? { ...old, ...change } : old)),
      );
    },

    getControl,
    updateControl: (fn) =>
      write('model versions', () => kv.update<ControlState>(K.control, (old) => fn(old ?? emptyControl()))),

    async appendLog(...records: UpdateLogRecord[]) {
      if (records.length === 0) return;
      await write('the update log', () =>
        kv.update<UpdateLogRecord[]>(K.log, (old) =>
          [...(old ?? []), ...records.map(boundedLogRecord)].slice(-MAX_LOG_ENTRIES),
        ),
      );
    },
    getLog: async () => (await kv.get<UpdateLogRecord[]>(K.log)) ?? [],

    getInstallId: () => write('the install id', () => kv.update<string>(K.installId, (old) => old ?? newInstallId())),

    getAsset: (url) => kv.get<StoredAsset>(ASSET_PREFIX + url),
    putAsset: (url, asset) => write(`the registry asset ${url}`, () => kv.set(ASSET_PREFIX + url, asset)),

    getSettings: async () => (await kv.get<UpdateSettings>(K.settings)) ?? {},
    updateSettings: (change) =>
      write('update settings', () => kv.update<UpdateSettings>(K.settings, (old) => ({ ...old, ...change }))),

    evictUnreferenced,
    storageProblem: async () => (await kv.unavailable?.()) ?? null,
  };
}
