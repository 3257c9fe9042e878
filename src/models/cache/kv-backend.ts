/**
 * @file The five key-value verbs the model cache needs, and their idb-keyval implementation
 * on a database of its own (so other idb-keyval users of the origin never share or upgrade
 * it). Kept as an interface so tests can put a quota in front of the real IndexedDB.
 */
import { createStore, del, get, keys, set, update, type UseStore } from 'idb-keyval';

/** Minimal key-value storage; `update` must be atomic (one readwrite transaction). */
export interface KvBackend {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Atomically replaces the value with `fn(old)` and returns what was written. */
  update<T>(key: string, fn: (old: T | undefined) => T): Promise<T>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
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
