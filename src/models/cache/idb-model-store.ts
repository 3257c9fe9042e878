/**
 * @file The {@link ModelStore} over a key-value backend (IndexedDB by default). One object
 * store, keys by record kind: `blob:<sha256>` (ArrayBuffer), `manifest`, `control`, `log`,
 * `install-id`, `settings`, `replay-floors` (the last accepted serial per registry identity), and
 * `asset:sha256-<hex>` (verified probe images, a few KB each, kept;
 * entries of the older `asset:<url>` form are dropped by the next eviction).
 * Control, log and install id change through atomic updates because the service worker and
 * every tab's worker write them concurrently.
 */
import { boundedLogRecord, type UpdateLogRecord } from '../../shared/update-messages.ts';
import type { VerifiedBlob } from '../common/integrity.ts';
import { emptyControl, type ControlState } from '../common/model-state.ts';
import { referencedBlobs } from '../common/version-policy.ts';
import { fallbackKvBackend, idbKvBackend, type KvBackend } from './kv-backend.ts';
import {
  floorOf,
  MAX_LOG_ENTRIES,
  type ModelStore,
  type ReplayFloor,
  type StoredAsset,
  type StoredManifest,
  type UpdateSettings,
} from './model-store.ts';
import { withQuotaRetry } from './quota.ts';

const BLOB_PREFIX = 'blob:';
const ASSET_PREFIX = 'asset:';
/** Assets are keyed by content; anything else under the prefix predates that (URL keys) and is dropped. */
const ASSET_BY_HASH = /^asset:sha256-[0-9a-f]{64}$/;
const K = {
  manifest: 'manifest',
  control: 'control',
  log: 'log',
  installId: 'install-id',
  settings: 'settings',
  floors: 'replay-floors',
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
      // Probe images cached by URL before they were signed: unverified, so never used again.
      if (key.startsWith(ASSET_PREFIX) && !ASSET_BY_HASH.test(key)) await kv.del(key);
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
    async putManifest(record) {
      const { registry, serial } = record.manifest;
      // The floor first: a manifest in force must never sit above the floor of its registry.
      if (typeof registry === 'string') {
        await write('the replay floors', () =>
          kv.update<Record<string, ReplayFloor>>(K.floors, (old) => {
            const floors = { ...old };
            const floor = floorOf(floors, registry);
            if (!floor || serial > floor.serial) floors[registry] = { serial, digest: record.digest };
            return floors;
          }),
        );
      }
      await write('the model manifest', () => kv.set(K.manifest, record));
    },
    getReplayFloors: async () => (await kv.get<Record<string, ReplayFloor>>(K.floors)) ?? {},
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

    getAsset: (sha256) => kv.get<StoredAsset>(`${ASSET_PREFIX}sha256-${sha256}`),
    putAsset: (asset, type) =>
      write(`the probe image ${asset.sha256.slice(0, 12)}…`, () =>
        kv.set(`${ASSET_PREFIX}sha256-${asset.sha256}`, { type, bytes: asset.bytes } satisfies StoredAsset),
      ),

    getSettings: async () => (await kv.get<UpdateSettings>(K.settings)) ?? {},
    updateSettings: (change) =>
      write('update settings', () => kv.update<UpdateSettings>(K.settings, (old) => ({ ...old, ...change }))),

    evictUnreferenced,
    storageProblem: async () => (await kv.unavailable?.()) ?? null,
  };
}
