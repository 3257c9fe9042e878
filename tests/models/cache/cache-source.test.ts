/**
 * @file The cache source the model hosts and the pipeline worker read from: IndexedDB first,
 * else one verified download under a Web Lock, served from memory when storage is full or
 * blocked; probe images verified against the manifest before they are cached (by hash) or used.
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
  nodeSha256,
  withByteQuota,
} from '../../helpers/model-fixtures.ts';

const REGISTRY = 'public/models';

/** What a manifest states for a probe image with these bytes. */
function probeOf(image: string, png: Uint8Array) {
  return { image, sha256: nodeSha256(png), bytes: png.byteLength };
}

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

  it('hands over a version this device holds (stored, or a file being tried) and never downloads one', async () => {
    const registry = new FakeRegistry();
    const bytes = blobBytes(9, 20_000);
    const spec = fakeSpec(bytes);
    registry.putBlobAt(spec.file.blob, bytes);
    const store = freshStore();
    const source = cacheModelSource(registry.base, { store, fetch: registry.fetch });
    expect(await source.stored(spec)).toBeUndefined();
    expect(registry.requestsFor('.onnx')).toHaveLength(0);
    await source.bytes(spec, () => {});
    expect(await source.stored(spec)).toEqual(bytes);
    const tried = { ...spec, local: { name: 'mine.onnx', bytes: bytes.buffer.slice(0) } };
    expect(await cacheModelSource(registry.base, { store: freshStore() }).stored(tried)).toEqual(bytes);
    expect(registry.requestsFor('.onnx')).toHaveLength(1);
  });

  it('with storage blocked, holds nothing: no version is handed over and none is fetched for it', async () => {
    const registry = new FakeRegistry();
    const spec = fakeSpec(blobBytes(10, 20_000));
    const denied = () => Promise.reject(new DOMException('denied', 'UnknownError'));
    const store = createModelStore({
      backend: fallbackKvBackend(() => ({ get: denied, set: denied, update: denied, del: denied, keys: denied })),
    });
    expect(await cacheModelSource(registry.base, { store, fetch: registry.fetch }).stored(spec)).toBeUndefined();
    expect(registry.requestsFor('.onnx')).toHaveLength(0);
  });

  it('verifies a probe image before caching it by hash, so a probe runs offline', async () => {
    const registry = new FakeRegistry();
    const png = new Uint8Array(readFileSync(join(REGISTRY, 'probe/face-112.png')));
    const probe = probeOf('probe/face-112.png', png);
    registry.overrides.set(probe.image, () => new Response(png, { headers: { 'Content-Type': 'image/png' } }));
    const store = freshStore();
    const online = await cacheModelSource(registry.base, { store, fetch: registry.fetch }).probeImage(probe);
    expect(new Uint8Array(await online.arrayBuffer())).toEqual(png);
    expect((await store.getAsset(probe.sha256))?.type).toBe('image/png');
    const down = async () => {
      throw new TypeError('offline');
    };
    const offline = await cacheModelSource(registry.base, { store, fetch: down }).probeImage(probe);
    expect(offline.type).toBe('image/png');
    expect(new Uint8Array(await offline.arrayBuffer())).toEqual(png);
    // By content: another path naming the same bytes needs no request either.
    const moved = await cacheModelSource(registry.base, { store, fetch: down }).probeImage({
      ...probe,
      image: 'probe/moved.png',
    });
    expect(new Uint8Array(await moved.arrayBuffer())).toEqual(png);
    await expect(
      cacheModelSource(registry.base, { store, fetch: down }).probeImage(probeOf('probe/other.png', png.slice(1))),
    ).rejects.toMatchObject({ name: 'ProbeAssetError', message: expect.stringContaining('probe/other.png') });
  });

  it('refuses a replaced probe image or a portal page (ProbeAssetError) and caches nothing; the right file then serves', async () => {
    const registry = new FakeRegistry();
    const png = new Uint8Array(readFileSync(join(REGISTRY, 'probe/face-detection.png')));
    const probe = probeOf('probe/face-detection.png', png);
    const store = freshStore();
    const source = cacheModelSource(registry.base, { store, fetch: registry.fetch });
    const replaced = png.slice();
    replaced[100] = replaced[100]! ^ 0xff; // same size, other bytes
    const portal = `<!doctype html><title>Wi-Fi login</title>${'<p>Accept the terms</p>'.repeat(4000)}`;
    const answers: Array<[string, () => Response, RegExp]> = [
      ['replaced', () => new Response(replaced), /probe\/face-detection\.png could not be used \(sha256 mismatch/],
      ['portal', () => new Response(portal, { headers: { 'Content-Type': 'text/html' } }), /size mismatch/],
      ['short portal', () => new Response('<html>login</html>'), /truncated/],
      ['HTTP 404', () => new Response('not found', { status: 404 }), /HTTP 404/],
    ];
    for (const [name, answer, why] of answers) {
      registry.overrides.set(probe.image, answer);
      await expect(source.probeImage(probe), name).rejects.toMatchObject({
        name: 'ProbeAssetError',
        message: expect.stringMatching(why),
      });
      expect(await store.getAsset(probe.sha256), name).toBeUndefined();
    }
    registry.overrides.set(probe.image, () => new Response(png));
    expect(new Uint8Array(await (await source.probeImage(probe)).arrayBuffer())).toEqual(png);
  });

  it('fetches a probe image again when its cached copy no longer matches its hash', async () => {
    const registry = new FakeRegistry();
    const png = new Uint8Array(readFileSync(join(REGISTRY, 'probe/face-112.png')));
    const probe = probeOf('probe/face-112.png', png);
    registry.overrides.set(probe.image, () => new Response(png));
    const dbName = freshDbName();
    const backend = idbKvBackend(dbName);
    // A record changed in IndexedDB (another extension, a disk error): not what the manifest names.
    await backend.set(`asset:sha256-${probe.sha256}`, { type: 'image/png', bytes: new ArrayBuffer(10) });
    const store = createModelStore({ backend });
    const got = await cacheModelSource(registry.base, { store, fetch: registry.fetch }).probeImage(probe);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(png);
    expect(registry.requestsFor(probe.image)).toHaveLength(1);
    expect(new Uint8Array((await store.getAsset(probe.sha256))!.bytes)).toEqual(png);
  });
});
