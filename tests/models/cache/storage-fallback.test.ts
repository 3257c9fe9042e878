/**
 * @file The model cache when IndexedDB cannot be used: a database the browser refuses to open
 * (site data blocked) or that does not exist falls back to memory and says why, while a
 * working or merely full database is used as usual; the memory backend behaves like IndexedDB
 * (structured clones, atomic updates). Also the wait before a blob that did not fit is
 * downloaded again.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  fallbackKvBackend,
  idbKvBackend,
  memoryKvBackend,
  type KvBackend,
} from '../../../src/models/cache/kv-backend.ts';
import { createModelStore } from '../../../src/models/cache/idb-model-store.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import { promote } from '../../../src/models/common/model-state.ts';
import { StorageFullBackoff } from '../../../src/models/common/storage-full-backoff.ts';
import { blobBytes, freshDbName, nodeSha256 } from '../../helpers/model-fixtures.ts';

/** What Chromium answers for every IndexedDB open when the user blocks site data. */
function deniedBackend(): KvBackend {
  const deny = () =>
    Promise.reject(new DOMException('The user denied permission to access the database.', 'UnknownError'));
  return { get: deny, set: deny, update: deny, del: deny, keys: deny };
}

describe('fallbackKvBackend', () => {
  it('falls back to memory when the database is refused, and every cache verb still works', async () => {
    const store = createModelStore({ backend: fallbackKvBackend(deniedBackend) });
    expect(await store.storageProblem()).toBe(
      'IndexedDB cannot be opened (UnknownError: The user denied permission to access the database.)',
    );
    const bytes = blobBytes(1, 3000);
    const blob = await verifyBlob(bytes, { sha256: nodeSha256(bytes), bytes: bytes.byteLength });
    expect(await store.putBlob(blob)).toEqual({ evicted: [] });
    expect(new Uint8Array((await store.getBlob(blob.sha256))!)).toEqual(bytes);
    await store.updateControl((c) => promote(c, 'face-detector', { version: '1.0.0', sha256: blob.sha256 }));
    expect((await store.getControl()).models['face-detector']?.active?.version).toBe('1.0.0');
    const id = await store.getInstallId();
    expect(await store.getInstallId()).toBe(id);
  });

  it('falls back to memory when there is no IndexedDB at all', async () => {
    const kv = fallbackKvBackend(() => {
      throw new ReferenceError('indexedDB is not defined');
    });
    expect(await kv.unavailable?.()).toBe('IndexedDB cannot be opened (ReferenceError: indexedDB is not defined)');
    await kv.set('a', 1);
    expect(await kv.keys()).toEqual(['a']);
  });

  it('uses IndexedDB when it opens: nothing reported, data kept across a reopen', async () => {
    const name = freshDbName();
    const first = createModelStore({ backend: fallbackKvBackend(() => idbKvBackend(name)) });
    expect(await first.storageProblem()).toBeNull();
    await first.updateSettings({ pollIntervalMs: 5000 });
    const second = createModelStore({ backend: fallbackKvBackend(() => idbKvBackend(name)) });
    expect(await second.getSettings()).toEqual({ pollIntervalMs: 5000 });
  });

  it('keeps a full database (quota is handled per write, not by giving up on storage)', async () => {
    const name = freshDbName();
    const real = idbKvBackend(name);
    let first = true;
    const full: KvBackend = {
      ...real,
      keys: () => {
        if (!first) return real.keys();
        first = false;
        return Promise.reject(new DOMException('quota exceeded', 'QuotaExceededError'));
      },
    };
    const kv = fallbackKvBackend(() => full);
    expect(await kv.unavailable?.()).toBeNull();
    await kv.set('k', 'v');
    expect(await real.get('k')).toBe('v');
  });
});

describe('memoryKvBackend', () => {
  it('stores structured clones and applies a throwing update not at all', async () => {
    const kv = memoryKvBackend();
    const value = { list: [1, 2] };
    await kv.set('x', value);
    value.list.push(3);
    expect(await kv.get('x')).toEqual({ list: [1, 2] });
    await expect(
      kv.update<{ list: number[] }>('x', () => {
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await kv.update<{ list: number[] }>('x', (old) => ({ list: [...old!.list, 9] }))).toEqual({
      list: [1, 2, 9],
    });
    await kv.del('x');
    expect(await kv.keys()).toEqual([]);
  });
});

describe('StorageFullBackoff', () => {
  it('waits 2 min after the first failure, doubling up to 1 h, and forgets a stored blob', () => {
    const backoff = new StorageFullBackoff();
    expect(backoff.waiting('a', 0)).toBe(false);
    expect(backoff.failed('a', 0)).toBe(120_000);
    expect(backoff.waiting('a', 119_999)).toBe(true);
    expect(backoff.waiting('a', 120_000)).toBe(false);
    expect(backoff.waiting('b', 1)).toBe(false);
    expect([2, 3, 4, 5, 6, 7].map(() => backoff.failed('a', 0))).toEqual([
      240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
    backoff.stored('a');
    expect(backoff.waiting('a', 1)).toBe(false);
    expect(backoff.failed('a', 0)).toBe(120_000);
  });
});
