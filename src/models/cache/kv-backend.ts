/**
 * @file The five key-value verbs the model cache needs, and their idb-keyval implementation
 * on a database of its own (so other idb-keyval users of the origin never share or upgrade
 * it). Kept as an interface so tests can put a quota in front of the real IndexedDB. When
 * IndexedDB cannot be opened at all (site data blocked, some private modes) the cache falls
 * back to memory, so the app still runs from the network, and says why.
 */
import { createStore, del, get, keys, set, update, type UseStore } from 'idb-keyval';
import { isQuotaError } from './quota.ts';

/** Minimal key-value storage; `update` must be atomic (one readwrite transaction). */
export interface KvBackend {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Atomically replaces the value with `fn(old)` and returns what was written. */
  update<T>(key: string, fn: (old: T | undefined) => T): Promise<T>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /** Why nothing written survives this page or worker (IndexedDB unusable), or null; absent = persistent. */
  unavailable?(): Promise<string | null>;
}

/** Database and object store names of the model cache. */
export const MODEL_DB = { name: 'hotlens-models', store: 'kv' } as const;

/** A {@link KvBackend} over IndexedDB via idb-keyval. */
export function idbKvBackend(dbName: string = MODEL_DB.name, storeName: string = MODEL_DB.store): KvBackend {
  const store: UseStore = createStore(dbName, storeName);
  return {
    get: <T>(key: string) => get<T>(key, store),
    set: (key, value) => set(key, value, store),
    async update<T>(key: string, fn: (old: T | undefined) => T): Promise<T> {
      let written: T | undefined;
      await update<T>(
        key,
        (old) => {
          written = fn(old);
          return written;
        },
        store,
      );
      return written as T;
    },
    del: (key) => del(key, store),
    keys: async () => (await keys(store)).filter((k): k is string => typeof k === 'string'),
  };
}

/** A {@link KvBackend} in memory: nothing survives the thread that created it. */
export function memoryKvBackend(): KvBackend {
  const map = new Map<string, unknown>();
  // Structured clones, like IndexedDB: callers must not share mutable objects with the cache.
  const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  return {
    get: <T>(key: string) => Promise.resolve(copy(map.get(key)) as T | undefined),
    set: (key, value) => {
      map.set(key, copy(value));
      return Promise.resolve();
    },
    update<T>(key: string, fn: (old: T | undefined) => T): Promise<T> {
      try {
        const next = fn(copy(map.get(key)) as T | undefined);
        map.set(key, copy(next));
        return Promise.resolve(copy(next));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    del: (key) => {
      map.delete(key);
      return Promise.resolve();
    },
    keys: () => Promise.resolve([...map.keys()]),
  };
}

/**
 * `open()` (IndexedDB) when a first read succeeds, else memory: a browser that blocks site
 * data refuses to open the database (Chromium: "UnknownError: The user denied permission to
 * access the database"), and the app must then still run, from the network. The choice is
 * made once per thread; `unavailable()` says why storage is not used.
 */
export function fallbackKvBackend(open: () => KvBackend, fallback: () => KvBackend = memoryKvBackend): KvBackend {
  const chosen = (async (): Promise<{ kv: KvBackend; reason: string | null }> => {
    let primary: KvBackend | undefined;
    try {
      primary = open();
      await primary.keys();
      return { kv: primary, reason: null };
    } catch (err) {
      // A full disk still opens and reads: the cache handles quota per write.
      if (primary && isQuotaError(err)) return { kv: primary, reason: null };
      return { kv: fallback(), reason: storageProblemText(err) };
    }
  })();
  return {
    get: async <T>(key: string) => (await chosen).kv.get<T>(key),
    set: async (key, value) => (await chosen).kv.set(key, value),
    update: async <T>(key: string, fn: (old: T | undefined) => T) => (await chosen).kv.update<T>(key, fn),
    del: async (key) => (await chosen).kv.del(key),
    keys: async () => (await chosen).kv.keys(),
    unavailable: async () => (await chosen).reason,
  };
}

function storageProblemText(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return `IndexedDB cannot be opened (${name}: ${message})`;
}
