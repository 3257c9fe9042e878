/**
 * @file A model host's loader on the real registry (`npm run models` output) and the real
 * onnxruntime-web (its Node build): verified and compiled models on the happy path, warmed on
 * request; wrong bytes are rejected by size or SHA-256, and an incompatible declared signature
 * or a file whose own signature differs from its declaration before any session exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, warmModel, zeroFeeds, type LoadedModel } from '../../../src/inference/host/model-loader.ts';
import type { ModelSource } from '../../../src/models/cache/cache-source.ts';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import { modelsOf } from '../../../src/shared/feature-set.ts';
import { parseManifest } from '../../../src/shared/manifest-validate.ts';
import type { LoadProgress, ModelSpec } from '../../../src/shared/worker-api.ts';

const REGISTRY = 'public/models';
const manifest = parseManifest(JSON.parse(readFileSync(join(REGISTRY, 'manifest.json'), 'utf8')), TASKS);
const IDS = modelsOf(FEATURES).map((m) => m.id);

/** The stable version of each model, as the model manager would choose them. */
function stableSpecs(): Record<string, ModelSpec> {
  const out: Record<string, ModelSpec> = {};
  for (const id of IDS) {
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
    probeImage: async (probe: { image: string }) => new Blob([readFileSync(join(REGISTRY, probe.image))]),
    stored: async () => undefined,
  } satisfies ModelSource;
}

/** Loads every spec in order, as a host loads a staged set; releases what loaded if one fails. */
async function load(source: ModelSource, events: LoadProgress[] = [], specs = stableSpecs()): Promise<LoadedModel[]> {
  const loaded: LoadedModel[] = [];
  try {
    for (const spec of Object.values(specs)) {
      const contract = TASKS.get(spec.task)!;
      loaded.push(await loadModel(source, spec, { backend: 'wasm', contract, onProgress: (p) => events.push(p) }));
    }
  } catch (err) {
    await Promise.all(loaded.map((m) => m.model.release()));
    throw err;
  }
  return loaded;
}

describe('loadModel', () => {
  it('loads each chosen version verified and compiled, reporting each step; warm-up on request', async () => {
    const events: LoadProgress[] = [];
    const models = await load(diskSource(), events);
    try {
      expect(models.map((m) => m.spec.id)).toEqual(IDS);
      for (const m of models) {
        expect(m.spec.version).toBe(manifest.models[m.spec.id]!.stable);
        expect(m.compileMs).toBeGreaterThan(0);
        expect(await warmModel(m.model)).toBeGreaterThan(0);
      }
      const steps = events.map((e) => ('id' in e ? `${e.status}:${e.id}` : e.status));
      expect(steps).toEqual(IDS.flatMap((id) => [`download:${id}`, `verify:${id}`, `compile:${id}`]));
    } finally {
      await Promise.all(models.map((m) => m.model.release()));
    }
  });

  it('refuses a contract of another task than the version serves', async () => {
    const spec = stableSpecs()['face-detector']!;
    await expect(
      loadModel(diskSource(), spec, { backend: 'wasm', contract: TASKS.get('face-expression')!, onProgress: () => {} }),
    ).rejects.toMatchObject({ name: 'ModelContractError' });
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

describe('zeroFeeds', () => {
  it('feeds zeros with symbolic dimensions set to 1', () => {
    const feeds = zeroFeeds([{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }]);
    expect(feeds.faces!.dims).toEqual([1, 3, 112, 112]);
    expect(feeds.faces!.data.length).toBe(3 * 112 * 112);
  });
});
