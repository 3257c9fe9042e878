/**
 * @file Bring-your-own models end to end, with the real CLIs: a stand-in torchvision ResNet-18
 * export and a stand-in Ultralytics YOLO export go through `npm run adapt-model` → `npm run
 * publish-model` into a registry that already serves the shipped object-detector and
 * image-classifier → loaded the way `npm run annotate` loads models (size, SHA-256, contract,
 * labels, probe) → served by the objects and classification features. No real YOLO or ResNet
 * weights are reachable here: the stand-ins prove the plumbing (contracts, labels, probes,
 * pre-processing from the manifest), not accuracy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import { analyzeWithFeatures, selectFeatures } from '../../../src/shared/feature-set.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import { fitImage } from '../../../src/shared/pipeline/image-ops.ts';
import { topClasses } from '../../../src/features/classification/analyze.ts';
import { classificationPreprocess } from '../../../src/features/classification/preprocess.ts';
import { objectsPreprocess } from '../../../src/features/objects/preprocess.ts';
import { convertGraphModels } from '../../../tools/convert/graph-models.ts';
import { buildRegistry } from '../../../tools/models/registry-builder.ts';
import { loadModels, type LoadedModels } from '../../../tools/lib/registry-models.ts';
import { decodeImageFile } from '../../../tools/lib/decode-image.ts';
import { resnet18Standin } from '../../../tools/adapt/standins/resnet18.ts';
import { yoloHeadStandin, type HeadBox } from '../../../tools/adapt/standins/yolo-head.ts';
import { expectRefusal, runCli } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/fs.ts';
import { SAMPLES } from '../../helpers/samples.ts';

const dir = tempDir('hotlens-byo-');
const registry = join(dir, 'registry');
const loaded: LoadedModels[] = [];

const manifest = (): Manifest => JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8')) as Manifest;

async function adapt(kind: 'resnet' | 'yolo', raw: Uint8Array): Promise<{ file: string; labels: string }> {
  const input = join(dir, `${kind}-raw.onnx`);
  const file = join(dir, `${kind}-wrapped.onnx`);
  writeFileSync(input, raw);
  const r = await runCli('tools/adapt/adapt-model.ts', ['--kind', kind, '--in', input, '--out', file]);
  expect(r.code, r.stderr).toBe(0);
  return { file, labels: join(dir, `${kind}-wrapped.labels.json`) };
}

async function publish(id: string, version: string, file: string, extra: string[] = []) {
  return runCli('tools/publish/publish-model.ts', [
    ...['--registry', registry, '--id', id, '--version', version, '--file', file, '--unsigned'],
    ...extra,
  ]);
}

beforeAll(async () => {
  // The shipped models at 1.0.0 (unsigned: the Node loader checks integrity, contract and probe).
  await buildRegistry(registry, convertGraphModels());
}, 300_000);

afterAll(async () => {
  for (const l of loaded) await l.release();
});

describe('a torchvision ResNet-18 export (stand-in) as image-classifier 2.0.0', () => {
  let wrapped: { file: string; labels: string };

  beforeAll(async () => {
    wrapped = await adapt('resnet', resnet18Standin());
  }, 300_000);

  it('is refused without its labels: the 5 labels of the stable version do not fit 1000 classes', async () => {
    const r = await publish('image-classifier', '2.0.0', wrapped.file);
    expectRefusal(expect, r, 'publish-model', /resnet-wrapped\.onnx has 1000 classes.*pass --labels/);
  }, 120_000);

  it('publishes with its 1000 ImageNet labels ("crane" twice) and the classifier pre-processing', async () => {
    const r = await publish('image-classifier', '2.0.0', wrapped.file, ['--labels', wrapped.labels]);
    expect(r.code, r.stderr).toBe(0);
    const entry = manifest().models['image-classifier']!;
    expect(entry.stable).toBe('2.0.0');
    const v = entry.versions['2.0.0']!;
    expect(v.labels).toHaveLength(1000);
    expect(v.labels!.filter((l) => l === 'crane')).toHaveLength(2);
    expect(v.preprocess).toEqual(classificationPreprocess('image-classification', 224));
    expect(v.outputs).toEqual([{ name: 'probabilities', type: 'float32', dims: ['batch_size', 1000] }]);
    expect(v.source).toMatch(/resnet-raw\.onnx/);
  }, 120_000);

  it('serves through the classification feature: the top 5 of its own probabilities, ImageNet names', async () => {
    const features = selectFeatures(FEATURES, ['classification']);
    const models = await loadModels(registry, features, TASKS);
    loaded.push(models);
    const runner = models.runners['image-classifier']!;
    expect(runner.version).toBe('2.0.0');
    const { image, scale } = await decodeImageFile(SAMPLES[0]!);
    const out = await analyzeWithFeatures(features, { image, scaleToOriginal: scale, runners: models.runners });
    expect(out.models).toEqual({ 'image-classifier': '2.0.0' });
    const direct = await runner.run({ image: fitImage(image, runner.entry.preprocess) });
    expect(direct.probabilities!.dims).toEqual([1, 1000]);
    expect(out.results.classification).toEqual(
      topClasses(direct.probabilities!.data as Float32Array, runner.entry.labels!, 5),
    );
    expect((out.results.classification as unknown[]).length).toBe(5);
  }, 120_000);
});

describe('an Ultralytics YOLO export (stand-in) as object-detector 2.0.0', () => {
  // Boxes in the 640-px input; the stand-in multiplies class scores by the input's mean (0..1).
  const SCENE: HeadBox[] = [
    { cx: 160, cy: 320, w: 160, h: 320, scores: { 0: 0.9 } },
    { cx: 168, cy: 322, w: 150, h: 310, scores: { 0: 0.8 } }, // a duplicate NMS removes
    { cx: 480, cy: 480, w: 200, h: 160, scores: { 16: 0.7 } },
  ];
  let wrapped: { file: string; labels: string };

  beforeAll(async () => {
    wrapped = await adapt('yolo', yoloHeadStandin({ boxes: SCENE, background: 0.001 }));
  }, 120_000);

  it('publishes with its COCO labels, the detector pre-processing and a probe that finds something', async () => {
    const r = await publish('object-detector', '2.0.0', wrapped.file, ['--labels', wrapped.labels]);
    expect(r.code, r.stderr).toBe(0);
    const v = manifest().models['object-detector']!.versions['2.0.0']!;
    expect(v.labels).toHaveLength(80);
    expect(v.preprocess).toEqual(objectsPreprocess('object-detection', 640));
    expect(v.probe.expect.scores!.length).toBeGreaterThan(0);
  }, 120_000);

  it('serves through the objects feature: the scene, deduplicated, in original pixels', async () => {
    const features = selectFeatures(FEATURES, ['objects']);
    const models = await loadModels(registry, features, TASKS);
    loaded.push(models);
    expect(models.runners['object-detector']!.version).toBe('2.0.0');
    // A white 320×160 picture: input mean 1, so scores are as written; stretched: x·320/640, y·160/640.
    const white: RgbImage = { width: 320, height: 160, channels: 3, data: new Uint8Array(320 * 160 * 3).fill(255) };
    const out = await analyzeWithFeatures(features, { image: white, scaleToOriginal: 1, runners: models.runners });
    expect(out.results.objects).toEqual([
      { box: { x: 40, y: 40, width: 80, height: 80 }, score: 0.9, label: 'person' },
      { box: { x: 190, y: 100, width: 100, height: 40 }, score: 0.7, label: 'dog' },
    ]);
  }, 120_000);
});
