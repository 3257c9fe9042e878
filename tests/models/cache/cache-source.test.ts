/**
 * @file The cache source the model hosts and the pipeline worker read from: IndexedDB first,
 * else one verified download under a Web Lock, served from memory when storage is full or
 * blocked; probe images cached so a probe runs offline.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheModelSource } from '../../../src/models/cache/cache-source.ts';
import type { ModelSpec } from '../../../src/shared/worker-api.ts';
import { createModelStore } from '../../../src/models/cache/idb-model-store.ts';
import { fallbackKvBackend, idbKvBackend } from '../../../src/models/cache/kv-backend.ts';
import {
  blobBytes,
  detectorVersion,
  FakeLocks,
  FakeRegistry,
  freshDbName,
  freshStore,
  withByteQuota,
} from '../../helpers/model-fixtures.ts';

const REGISTRY = 'public/models';

/** A small fake version (the cache source never parses the bytes). */
function fakeSpec(bytes: Uint8Array): ModelSpec {
  const file = detectorVersion(bytes);
  return { id: 'face-detector', task: 'face-detection', version: '9.0.0', sha256: file.sha256, file };
}

describe('cacheModelSource', () => {
  it('downloads a missing blob once, verified and stored, then serves it from IndexedDB', async () => {
    const registry = new FakeRegistry();
    const bytes = blobBytes(5, 20_000);
    const spec = fakeSpec(bytes);
    registry.putBlobAt(spec.file.blob, bytes);
    const store = freshStore();
    const locks = new FakeLocks();
    const source = cacheModelSource(registry.base, { store, locks, fetch: registry.fetch });
    const progress: number[] = [];
    const first = await source.bytes(spec, (loaded) => progress.push(loaded));
    expect(first.origin).toBe('registry');
    expect(first.bytes).toEqual(bytes);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(locks.granted).toEqual([`hotlens-download-${spec.sha256}`]);
    const again = await cacheModelSource(registry.base, { store, fetch: registry.fetch }).bytes(spec, () => {});
    expect(again.origin).toBe('cache');
    expect(registry.requestsFor('.onnx')).toHaveLength(1);
  });

  it('refuses tampered bytes with ModelIntegrityError and stores nothing', async () => {
    const registry = new FakeRegistry();
    const bytes = blobBytes(6, 20_000);
    const spec = fakeSpec(bytes);
    const tampered = bytes.slice();
    tampered[10] = tampered[10]! ^ 0xff;
    registry.putBlobAt(spec.file.blob, tampered);
    const store = freshStore();
    const source = cacheModelSource(registry.base, { store, fetch: registry.fetch });
    await expect(source.bytes(spec, () => {})).rejects.toMatchObject({
      name: 'ModelIntegrityError',
      message: expect.stringContaining('sha256 mismatch'),
    });
    expect(await store.listBlobs()).toEqual([]);
  });

  it('serves verified bytes from memory when the cache has no room for them, storing nothing', async () => {
    const registry = new FakeRegistry();
    const bytes = blobBytes(7, 20_000);
    const spec = fakeSpec(bytes);
    registry.putBlobAt(spec.file.blob, bytes);
    const store = createModelStore({ backend: withByteQuota(idbKvBackend(freshDbName()), 10_000) });
    const first = await cacheModelSource(registry.base, { store, fetch: registry.fetch }).bytes(spec, () => {});
    expect(first.origin).toBe('memory');
    expect(first.bytes).toEqual(bytes);
    expect(await store.listBlobs()).toEqual([]);
  });

  it('with storage blocked, downloads and verifies each time (no lock, nothing stored); tampered bytes are refused', async () => {
    const registry = new FakeRegistry();
    const bytes = blobBytes(8, 20_000);
    const spec = fakeSpec(bytes);
    registry.putBlobAt(spec.file.blob, bytes);
    const denied = () =>
      Promise.reject(new DOMException('The user denied permission to access the database.', 'UnknownError'));
    const store = createModelStore({
      backend: fallbackKvBackend(() => ({ get: denied, set: denied, update: denied, del: denied, keys: denied })),
    });
    const locks = new FakeLocks();
    const source = cacheModelSource(registry.base, { store, locks, fetch: registry.fetch });
    const progress: number[] = [];
    const first = await source.bytes(spec, (loaded) => progress.push(loaded));
    expect(first).toEqual({ bytes, origin: 'memory' });
    expect(progress.at(-1)).toBe(bytes.length);
    expect((await source.bytes(spec, () => {})).origin).toBe('memory');
    expect(registry.requestsFor('.onnx')).toHaveLength(2);
    expect(locks.granted).toEqual([]);
    expect(await store.listBlobs()).toEqual([]);

    const tampered = bytes.slice();
    tampered[0] = tampered[0]! ^ 1;
    registry.putBlobAt(spec.file.blob, tampered);
    await expect(source.bytes(spec, () => {})).rejects.toMatchObject({ name: 'ModelIntegrityError' });
  });

  it('caches probe images so a probe runs offline', async () => {
    const registry = new FakeRegistry();
    const png = new Uint8Array(readFileSync(join(REGISTRY, 'probe/face-112.png')));
    registry.overrides.set('probe/face-112.png', () => new Response(png, { headers: { 'Content-Type': 'image/png' } }));
    const store = freshStore();
    const online = await cacheModelSource(registry.base, { store, fetch: registry.fetch }).asset('probe/face-112.png');
    expect(new Uint8Array(await online.arrayBuffer())).toEqual(png);
    const down = async () => {
      throw new TypeError('offline');
    };
    const offline = await cacheModelSource(registry.base, { store, fetch: down }).asset('probe/face-112.png');
    expect(offline.type).toBe('image/png');
    expect(new Uint8Array(await offline.arrayBuffer())).toEqual(png);
    await expect(
      cacheModelSource(registry.base, { store, fetch: down }).asset('probe/other.png'),
    ).rejects.toMatchObject({ name: 'ModelLoadError' });
  });
});
