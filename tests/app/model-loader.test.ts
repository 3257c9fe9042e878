/**
 * @file The worker's model loader on the real registry (`npm run models` output) and the real
 * onnxruntime-web (its Node build): verified, compiled and warmed models on the happy path;
 * wrong bytes are rejected by size or SHA-256 before any session exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadModelSet,
  ROLE_IDS,
  sha256Hex,
  zeroFeeds,
  type ModelSource,
} from '../../src/inference/worker/model-loader.ts';
import { parseManifest } from '../../src/shared/manifest-validate.ts';
import type { LoadProgress } from '../../src/shared/worker-api.ts';

const REGISTRY = 'public/models';

/** Reads the registry from disk; `tamper` may change a blob's bytes. */
function diskSource(tamper: (id: string, bytes: Uint8Array) => Uint8Array = (_, b) => b): ModelSource {
  const manifest = parseManifest(JSON.parse(readFileSync(join(REGISTRY, 'manifest.json'), 'utf8')));
  const idOf = (blob: string) =>
    Object.entries(manifest.models).find(([, e]) => Object.values(e.versions).some((v) => v.blob === blob))![0];
  return {
    manifest: async () => manifest,
    blob: async (file, onBytes) => {
      const bytes = new Uint8Array(readFileSync(join(REGISTRY, file.blob)));
      onBytes(bytes.length, file.bytes);
      return tamper(idOf(file.blob), bytes);
    },
    asset: async (path) => new Blob([readFileSync(join(REGISTRY, path))]),
  };
}

function load(source: ModelSource, events: LoadProgress[] = []) {
  return loadModelSet(source, {
    backend: 'wasm',
    registryUrl: 'http://localhost/models/',
    onProgress: (p) => events.push(p),
  });
}

describe('loadModelSet', () => {
  it('loads the stable version of each model, verified and warmed up, reporting each step', async () => {
    const events: LoadProgress[] = [];
    const { manifest, models } = await load(diskSource(), events);
    try {
      for (const [role, id] of Object.entries(ROLE_IDS)) {
        const m = models[role as keyof typeof ROLE_IDS];
        expect(m.id).toBe(id);
        expect(m.version).toBe(manifest.models[id]!.stable);
        expect(m.warmupMs).toBeGreaterThan(0);
        // The served bytes are the ones the manifest names.
        const bytes = new Uint8Array(readFileSync(join(REGISTRY, m.file.blob)));
        expect(await sha256Hex(bytes)).toBe(m.file.sha256);
      }
      const steps = events.map((e) => ('id' in e ? `${e.status}:${e.id}` : e.status));
      expect(steps).toEqual([
        'manifest',
        ...Object.values(ROLE_IDS).flatMap((id) => [`download:${id}`, `verify:${id}`, `compile:${id}`, `warmup:${id}`]),
      ]);
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
      message: expect.stringMatching(/^face-attributes@1\.0\.0 failed its integrity check \(SHA-256/),
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
});

describe('zeroFeeds', () => {
  it('feeds zeros with symbolic dimensions set to 1', () => {
    const feeds = zeroFeeds([{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }]);
    expect(feeds.faces!.dims).toEqual([1, 3, 112, 112]);
    expect(feeds.faces!.data.length).toBe(3 * 112 * 112);
  });
});
