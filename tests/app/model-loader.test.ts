/**
 * @file The worker's model loader on the real registry (`npm run models` output) and the real
 * onnxruntime-web (its Node build): verified and compiled models on the happy path, warmed on
 * request; wrong bytes are rejected by size or SHA-256, and an incompatible declared signature
 * or a file whose own signature differs from its declaration before any session exists. Also
 * the cache source: IndexedDB first, else one verified download, served from memory when
 * storage is full or blocked.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelSet, warmModel, zeroFeeds } from '../../src/inference/worker/model-loader.ts';
import { cacheModelSource, type ModelSource } from '../../src/inference/worker/cache-source.ts';
import { parseManifest } from '../../src/shared/manifest-validate.ts';
import { PIPELINE_MODELS, type LoadProgress, type ModelSpec } from '../../src/shared/worker-api.ts';
import { createModelStore } from '../../src/models/cache/idb-model-store.ts';
import { fallbackKvBackend, idbKvBackend } from '../../src/models/cache/kv-backend.ts';
import {
  blobBytes,
  detectorVersion,
  FakeLocks,
  FakeRegistry,
  freshDbName,
  freshStore,
  withByteQuota,
} from '../models/fixtures.ts';

const REGISTRY = 'public/models';
const manifest = parseManifest(JSON.parse(readFileSync(join(REGISTRY, 'manifest.json'), 'utf8')));

/** The stable version of each pipeline model, as the model manager would choose them. */
function stableSpecs(): Record<string, ModelSpec> {
  const out: Record<string, ModelSpec> = {};
  for (const id of Object.values(PIPELINE_MODELS)) {
    const entry = manifest.models[id]!;
    const file = entry.versions[entry.stable]!;
    out[id] = { id, task: entry.task, version: entry.stable, sha256: file.sha256, file };
  }
  return out;
}

/** Reads blobs from disk; `tamper` may change a blob's bytes. */
function diskSource(tamper: (id: string, bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer> = (_, b) => b) {
  return {
    bytes: async (spec: ModelSpec, onBytes: (loaded: number, total: number) => void) => {
      const bytes = new Uint8Array(readFileSync(join(REGISTRY, spec.file.blob)));
      onBytes(bytes.length, spec.file.bytes);
      return { bytes: tamper(spec.id, bytes), origin: 'registry' as const };
    },
    asset: async (path: string) => new Blob([readFileSync(join(REGISTRY, path))]),
  } satisfies ModelSource;
}

function load(source: ModelSource, events: LoadProgress[] = [], specs = stableSpecs()) {
  return loadModelSet(source, specs, { backend: 'wasm', onProgress: (p) => events.push(p) });
}

describe('loadModelSet', () => {
  it('loads each chosen version verified and compiled, reporting each step; warm-up on request', async () => {
    const events: LoadProgress[] = [];
    const models = await load(diskSource(), events);
    try {
      for (const [role, id] of Object.entries(PIPELINE_MODELS)) {
        const m = models[role as keyof typeof PIPELINE_MODELS];
        expect(m.spec.id).toBe(id);
        expect(m.spec.version).toBe(manifest.models[id]!.stable);
        expect(m.compileMs).toBeGreaterThan(0);
        expect(m.warmupMs).toBe(0);
        expect(await warmModel(m)).toBeGreaterThan(0);
      }
      const steps = events.map((e) => ('id' in e ? `${e.status}:${e.id}` : e.status));
      expect(steps).toEqual(
        Object.values(PIPELINE_MODELS).flatMap((id) => [`download:${id}`, `verify:${id}`, `compile:${id}`]),
      );
    } finally {
      await Promise.all(Object.values(models).map((m) => m.model.release()));
    }
  });

  it('rejects a blob whose SHA-256 differs, before compiling it', async () => {
    const events: LoadProgress[] = [];
    const flipped = diskSource((id, b) => {
      if (id !== 'face-attributes') return b;
      const copy = b.slice();
      copy[100] = copy[100]! ^ 1;
      return copy;
    });
    await expect(load(flipped, events)).rejects.toMatchObject({
      name: 'ModelIntegrityError',
      message: expect.stringMatching(/^face-attributes@1\.0\.0 failed its integrity check \(sha256 mismatch/),
    });
    expect(events.some((e) => e.status === 'compile' && e.id === 'face-attributes')).toBe(false);
  });

  it('rejects a blob of the wrong size', async () => {
    const short = diskSource((id, b) => (id === 'face-detector' ? b.subarray(0, b.length - 1) : b));
    await expect(load(short)).rejects.toMatchObject({
      name: 'ModelIntegrityError',
      message: expect.stringContaining('bytes, the manifest says'),
    });
  });

  it('rejects a declared signature that does not fit the task before reading any byte', async () => {
    const specs = stableSpecs();
    const detector = specs['face-detector']!;
    specs['face-detector'] = { ...detector, file: { ...detector.file, outputs: [detector.file.outputs[0]!] } };
    const events: LoadProgress[] = [];
    await expect(load(diskSource(), events, specs)).rejects.toMatchObject({ name: 'ModelContractError' });
    expect(events).toEqual([]);
  });

  it('rejects a file whose own signature differs from its declaration, before compiling it', async () => {
    // The face-detector entry declares the 416 px detector; the bytes are the 224 px one of the same release.
    const specs = stableSpecs();
    const detector = specs['face-detector']!;
    const other = manifest.models['face-detector']!.versions[detector.version]!.variants!['224-uint8']!;
    specs['face-detector'] = {
      ...detector,
      sha256: other.sha256,
      file: { ...detector.file, blob: other.blob, sha256: other.sha256, bytes: other.bytes },
    };
    const events: LoadProgress[] = [];
    await expect(load(diskSource(), events, specs)).rejects.toMatchObject({
      name: 'ModelContractError',
      message: expect.stringContaining(
        'input "image" is float32 [1,3,224,224] in the model file, the manifest declares float32 [1,3,416,416]',
      ),
    });
    expect(events.some((e) => e.status === 'compile' && e.id === 'face-detector')).toBe(false);
  });
});

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

describe('zeroFeeds', () => {
  it('feeds zeros with symbolic dimensions set to 1', () => {
    const feeds = zeroFeeds([{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }]);
    expect(feeds.faces!.dims).toEqual([1, 3, 112, 112]);
    expect(feeds.faces!.data.length).toBe(3 * 112 * 112);
  });
});
