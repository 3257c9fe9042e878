import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertRegistryModels } from '../../../tools/convert/all-generations.ts';
import { buildRegistry, DEFAULT_PUBLISHED, publishedTime } from '../../../tools/models/registry-builder.ts';
import { importClosure, inputsHash, stampPath } from '../../../tools/models/stamp.ts';
import { DEFAULT_MODEL_DIR } from '../../../tools/convert/index.ts';
import { probePhotoPath } from '../../../tools/lib/probe-images.ts';
import { FACE_PROBES } from '../../../src/features/faces/probes.ts';
import { readManifest } from '../../../tools/lib/registry-io.ts';
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { snapshot, tempDir } from '../../helpers/fs.ts';
import { runCli } from '../../helpers/cli.ts';

const BUILD_ENTRY = 'tools/models/build-registry.ts';

describe('registry build', () => {
  const root = tempDir('hotlens-registry-');
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  let manifest: Manifest;

  beforeAll(async () => {
    await buildRegistry(dirA, convertRegistryModels());
    // A stale blob from an older build must disappear on rebuild.
    mkdirSync(join(dirB, 'blobs'), { recursive: true });
    writeFileSync(join(dirB, 'blobs', `sha256-${'0'.repeat(64)}.onnx`), 'stale');
    await buildRegistry(dirB, convertRegistryModels());
    manifest = (await readManifest(dirA))!;
  });

  it('is deterministic: two builds give byte-identical files', () => {
    const a = snapshot(dirA);
    // 12 generation-1 files, 3 generation-2 files, 2 graph models, 4 probe images, the manifest.
    expect(Object.keys(a).length).toBe(12 + 3 + 2 + 4 + 1);
    expect(snapshot(dirB)).toEqual(a);
  });

  it('publishes every version with stable 1.0.0 and the variants', () => {
    expect(manifest.serial).toBe(1);
    expect(manifest.published).toBe(publishedTime());
    expect(manifest.signature).toBeUndefined();
    for (const entry of Object.values(manifest.models)) expect(entry.stable).toBe('1.0.0');
    const det = manifest.models['face-detector']!;
    expect(Object.keys(det.versions)).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    expect(det.versions['1.0.0']!.encoding).toBe('uint8');
    expect(det.versions['1.0.0']!.preprocess.size).toBe(416);
    expect(Object.keys(det.versions['1.0.0']!.variants ?? {}).sort()).toEqual([
      '224-float32',
      '224-uint8',
      '320-float32',
      '320-uint8',
      '416-float32',
    ]);
    expect(Object.keys(det.versions['2.0.0']!.variants ?? {})).toEqual(['512-float32']);
    expect(manifest.models['face-expression']!.versions['1.0.0']!.labels).toHaveLength(7);
    expect(manifest.models['object-detector']!.versions['1.0.0']).toMatchObject({
      encoding: 'float16',
      preprocess: { size: 512, fit: 'stretch', resize: 'bilinear-asymmetric' },
    });
    expect(manifest.models['object-detector']!.versions['1.0.0']!.labels).toHaveLength(80);
    expect(manifest.models['image-classifier']!.versions['1.0.0']).toMatchObject({
      encoding: 'uint8',
      preprocess: { size: 224, fit: 'stretch', resize: 'bilinear-align-corners' },
      labels: ['drawing', 'hentai', 'neutral', 'porn', 'sexy'],
    });
    // Generation 2 is one group, beside generation 1 (which carries no group).
    const gen2 = [
      det.versions['3.0.0']!,
      ...['face-attributes', 'face-expression'].map((id) => manifest.models[id]!.versions['2.0.0']!),
    ];
    expect(gen2.map((v) => v.group)).toEqual(['faces-gen2', 'faces-gen2', 'faces-gen2']);
    expect(det.versions['1.0.0']!.group).toBeUndefined();
  });

  it('names blobs by their content and declares the signature read from the model', async () => {
    const files = Object.values(manifest.models).flatMap((e) =>
      Object.values(e.versions).flatMap((v) => [v, ...Object.values(v.variants ?? {})]),
    );
    expect(files).toHaveLength(17);
    for (const f of files) {
      const bytes = readFileSync(join(dirA, f.blob));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      expect(bytes.length).toBe(f.bytes);
      expect(readFileSync(join(dirA, f.probe.image)).length).toBeGreaterThan(0);
    }
    const v320 = manifest.models['face-detector']!.versions['1.0.0']!.variants!['320-uint8']!;
    const model = await OrtModel.create(readFileSync(join(dirA, v320.blob)));
    expect(v320.inputs).toEqual(model.inputs);
    expect(v320.outputs).toEqual(model.outputs);
    expect(v320.preprocess.size).toBe(320);
    await model.release();
  });

  it('derives `published` from SOURCE_DATE_EPOCH, never the wall clock', () => {
    expect(publishedTime({})).toBe(DEFAULT_PUBLISHED);
    expect(publishedTime({ SOURCE_DATE_EPOCH: '1700000000' })).toBe('2023-11-14T22:13:20Z');
    expect(() => publishedTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/whole seconds/);
  });

  it('includes SOURCE_DATE_EPOCH in the inputs hash', () => {
    const photo = probePhotoPath(FACE_PROBES['face-detection']!.source);
    const hash = () => inputsHash(BUILD_ENTRY, [DEFAULT_MODEL_DIR], [photo]);
    const before = hash();
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      expect(hash()).not.toBe(before);
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
    expect(hash()).toBe(before);
  });

  it('hashes only the sources the registry build imports, not the rest of the app', () => {
    const files = importClosure(BUILD_ENTRY).map((f) => relative(process.cwd(), f));
    expect(files).toEqual(
      expect.arrayContaining([
        'tools/convert/index.ts',
        'tools/convert/graph-models.ts',
        'src/features/faces/probes.ts',
        'src/features/objects/probes.ts',
      ]),
    );
    expect(
      files.some((f) => f.startsWith('src/app/') || f.startsWith('src/store/') || f.startsWith('src/update/')),
    ).toBe(false);
  });

  it('npm run models builds, skips when unchanged, and rebuilds a damaged registry', async () => {
    const dirC = join(root, 'c');
    // The CLI signs with the development key; keep it out of the project's keys/.
    const env = { SOURCE_DATE_EPOCH: '', HOTLENS_KEYS_DIR: join(root, 'keys'), HOTLENS_SIGNING_KEY: '' };
    const first = await runCli('tools/models/build-registry.ts', ['--out', dirC], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/wrote .*17 model files .* in \d+\.\d s/);
    const stamped = snapshot(dirC);
    // The stamp lives outside the registry (which is served and shipped as is).
    expect(existsSync(stampPath(dirC))).toBe(true);
    // Everything but the signature is what the library build wrote.
    const { 'manifest.json': _signed, ...files } = stamped;
    const { 'manifest.json': _unsigned, ...libraryFiles } = snapshot(dirA);
    expect(files).toEqual(libraryFiles);
    const { signature, ...unsigned } = (await readManifest(dirC))!;
    expect(signature?.keyId).toBe('dev-1');
    expect(unsigned).toEqual(manifest);

    const second = await runCli('tools/models/build-registry.ts', ['--out', dirC], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/models up to date/);

    const blob = manifest.models['face-attributes']!.versions['1.0.0']!.blob;
    rmSync(join(dirC, blob));
    const third = await runCli('tools/models/build-registry.ts', ['--out', dirC], env);
    expect(third.stdout).toMatch(/wrote /);
    expect(snapshot(dirC)).toEqual(stamped);
    // Two full builds of 14 files (~25 s each on a busy 2-core machine) and a skipped one.
  }, 240_000);
});
