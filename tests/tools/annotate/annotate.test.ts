import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertRegistryModels } from '../../../tools/convert/all-generations.ts';
import { buildRegistry } from '../../../tools/models/registry-builder.ts';
import { loadModels, type LoadedModels } from '../../../tools/lib/registry-models.ts';
import { FEATURES as ALL_FEATURES, TASKS } from '../../../src/features/index.ts';
import { analyzeWithFeatures, selectFeatures } from '../../../src/shared/feature-set.ts';
import { decodeImageFile } from '../../../tools/lib/decode-image.ts';
import type { AnnotateOutput, ImageAnnotation } from '../../../src/shared/results.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from '../../../src/features/faces/results.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { SAMPLES } from '../../helpers/samples.ts';
import { tempDir } from '../../helpers/fs.ts';
import { runCli } from '../../helpers/cli.ts';

const CLI = 'tools/annotate/annotate.ts';
/** The face models only (this registry is built from face-api's weights). */
const FEATURES = selectFeatures(ALL_FEATURES, ['faces']);

describe('npm run annotate', () => {
  const root = tempDir('hotlens-annotate-');
  const reg = join(root, 'registry');
  let loaded: LoadedModels;

  beforeAll(async () => {
    await buildRegistry(reg, convertRegistryModels());
    loaded = await loadModels(reg, FEATURES, TASKS);
    writeFileSync(join(root, 'empty.jpg'), '');
    writeFileSync(join(root, 'notes.jpg'), 'not a picture');
  });
  afterAll(async () => loaded.release());

  it('prints the documented JSON for sample1.jpg, identical to the in-process pipeline, and {file, error} for bad files', async () => {
    const empty = join(root, 'empty.jpg');
    const notes = join(root, 'notes.jpg');
    const r = await runCli(CLI, ['--registry', reg, '--json', SAMPLES[0]!, empty, notes]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as AnnotateOutput[];
    expect(out).toHaveLength(3);
    const first = out[0] as ImageAnnotation;
    expect(Object.keys(first).sort()).toEqual(['faces', 'file', 'height', 'models', 'width']);
    expect(first).toMatchObject({ file: SAMPLES[0], width: 1920, height: 1280 });
    expect(first.models).toEqual({ 'face-detector': '1.0.0', 'face-attributes': '1.0.0', 'face-expression': '1.0.0' });
    expect(first.faces!.length).toBeGreaterThan(0);
    const scores = first.faces!.map((f) => f.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const face of first.faces!) {
      expect(Object.keys(face.box).sort()).toEqual(['height', 'width', 'x', 'y']);
      expect(face.age).toBeGreaterThan(0);
      expect(face.age).toBeLessThan(100);
      expect(GENDER_LABELS).toContain(face.gender);
      expect(face.genderProbability).toBeGreaterThanOrEqual(0.5);
      expect(EXPRESSION_LABELS).toContain(face.expression!.label);
    }
    const { image, scale } = await decodeImageFile(SAMPLES[0]!);
    const direct = await analyzeWithFeatures(FEATURES, { image, scaleToOriginal: scale, runners: loaded.runners });
    expect(first.faces).toEqual(direct.results.faces);

    expect(out[1]).toEqual({ file: empty, error: expect.stringMatching(/empty \(0 bytes\)/) });
    expect(out[2]).toEqual({ file: notes, error: expect.stringMatching(/not a supported image/) });
  });

  it('exits 0 when every file works, and prints a readable table without --json', async () => {
    const r = await runCli(CLI, ['--registry', reg, SAMPLES[1]!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sample2\.jpg {2}1920×1367 {2}1 face {2}\(\d+ ms\)/);
    expect(r.stdout).toMatch(
      /#1 {2}box \d+,\d+ \d+×\d+ {2}age \d+\.\d {2}(male|female) \d+% {2}\w+ \d+% {2}score 0\.\d\d/,
    );
  });

  it('uses the chosen detector version', async () => {
    const r = await runCli(CLI, ['--registry', reg, '--json', '--detector', 'face-detector@2.0.0', SAMPLES[0]!]);
    expect(r.code, r.stderr).toBe(0);
    const [result] = JSON.parse(r.stdout) as ImageAnnotation[];
    expect(result!.models['face-detector']).toBe('2.0.0');
    expect(result!.faces!.length).toBeGreaterThan(0);
  });

  it('--detector face-detector@3.0.0 brings its group (generation 2), identical to the in-process pipeline', async () => {
    const r = await runCli(CLI, ['--registry', reg, '--json', '--detector', 'face-detector@3.0.0', SAMPLES[0]!]);
    expect(r.code, r.stderr).toBe(0);
    const [result] = JSON.parse(r.stdout) as ImageAnnotation[];
    expect(result!.models).toEqual({
      'face-detector': '3.0.0',
      'face-attributes': '2.0.0',
      'face-expression': '2.0.0',
    });
    expect(result!.faces!.length).toBeGreaterThan(0);
    const gen2 = await loadModels(reg, FEATURES, TASKS, {
      'face-detector': { id: 'face-detector', version: '3.0.0' },
      'face-attributes': { id: 'face-attributes', version: '2.0.0' },
      'face-expression': { id: 'face-expression', version: '2.0.0' },
    });
    try {
      const { image, scale } = await decodeImageFile(SAMPLES[0]!);
      const direct = await analyzeWithFeatures(FEATURES, { image, scaleToOriginal: scale, runners: gen2.runners });
      expect(result!.faces).toEqual(direct.results.faces);
    } finally {
      await gen2.release();
    }
    // A first-generation model chosen beside the group is refused, not mixed.
    const mixed = await runCli(CLI, [
      '--registry',
      reg,
      '--detector',
      'face-detector@3.0.0',
      '--model',
      'face-attributes@1.0.0',
      SAMPLES[0]!,
    ]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/belongs to group "faces-gen2" .* face-attributes 1\.0\.0 cannot serve beside it/);
  });

  it('explains a missing registry, an unknown detector version and a corrupt blob', async () => {
    const missing = await runCli(CLI, ['--registry', join(root, 'nowhere'), SAMPLES[0]!]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no model registry at .*nowhere; run `npm run models` first/);

    const badVersion = await runCli(CLI, ['--registry', reg, '--detector', 'face-detector@9.9.9', SAMPLES[0]!]);
    expect(badVersion.code).toBe(1);
    expect(badVersion.stderr).toMatch(
      /model "face-detector" has no version 9\.9\.9 \(it has 1\.0\.0, 2\.0\.0, 3\.0\.0\)/,
    );

    const corrupt = join(root, 'corrupt');
    cpSync(reg, corrupt, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(corrupt, 'manifest.json'), 'utf8')) as Manifest;
    const blob = join(corrupt, manifest.models['face-attributes']!.versions['1.0.0']!.blob);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(blob, bytes);
    const r = await runCli(CLI, ['--registry', corrupt, SAMPLES[0]!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}; rebuild the registry/);
  });

  it('needs at least one file', async () => {
    const r = await runCli(CLI, ['--registry', reg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no image files given/);
  });

  it('runs the features named by --features and refuses an unknown one with the list of known ones', async () => {
    const r = await runCli(CLI, ['--registry', reg, '--json', '--features', 'faces', SAMPLES[1]!]);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys((JSON.parse(r.stdout) as ImageAnnotation[])[0]!)).toContain('faces');
    const bad = await runCli(CLI, ['--registry', reg, '--features', 'faces,unicorns', SAMPLES[1]!]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown feature "unicorns"; choose from faces/);
    expect(bad.stdout).toBe('');
  });
});
