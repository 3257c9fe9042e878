/**
 * @file The objects pipeline on a scripted detector (outputs chosen by the test): the input is
 * made as the version's manifest says, normalised boxes come back in original pixels (per axis
 * when stretched, by the longer side when letterboxed; clipped; scaled back from a downscaled
 * photo), labels come from the version, objects are sorted by score — and a detector that
 * breaks the contract at run time (a class index past its labels, a float class, a NaN) is
 * reported against its own id and version, so the model manager rolls back the right model.
 */
import { describe, expect, it } from 'vitest';
import { analyzeObjects } from '../../../src/features/objects/analyze.ts';
import { objects } from '../../../src/features/objects/index.ts';
import { objectsPreprocess } from '../../../src/features/objects/preprocess.ts';
import type { Feature, FeatureRunner } from '../../../src/shared/feature.ts';
import { analyzeWithFeatures } from '../../../src/shared/feature-set.ts';
import { failedModelOf } from '../../../src/shared/errors.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import type { ModelVersion, Preprocess } from '../../../src/shared/manifest-types.ts';
import { letterbox, stretch } from '../../../src/shared/pipeline/image-ops.ts';
import type { TensorData } from '../../../src/shared/tensor.ts';

const LABELS = ['person', 'bicycle', 'car', 'dog'];
const image: RgbImage = { width: 200, height: 100, channels: 3, data: new Uint8Array(200 * 100 * 3).fill(90) };

interface Script {
  boxes: number[][];
  scores: number[];
  classes: number[] | Float32Array;
}

/** A detector whose outputs are `script`, recording the feeds it got. */
function detector(script: Script, pre: Partial<Preprocess> = {}, labels: string[] | null = LABELS) {
  const feeds: Array<Record<string, TensorData>> = [];
  const entry = {
    preprocess: { ...objectsPreprocess('object-detection', 64), ...pre },
    labels,
  } as unknown as ModelVersion;
  const runner: FeatureRunner = {
    id: 'object-detector',
    version: '9.9.9',
    entry,
    inputs: [{ name: 'image', type: 'float32', dims: [1, 3, 64, 64] }],
    outputs: [],
    run: async (f) => {
      feeds.push(f);
      const n = script.scores.length;
      const classes =
        script.classes instanceof Float32Array
          ? { type: 'float32' as const, dims: [n], data: script.classes }
          : { type: 'int32' as const, dims: [n], data: Int32Array.from(script.classes) };
      return {
        boxes: { type: 'float32', dims: [n, 4], data: Float32Array.from(script.boxes.flat()) },
        scores: { type: 'float32', dims: [n], data: Float32Array.from(script.scores) },
        classes,
      };
    },
  };
  return { runner, feeds };
}

const bytes = (t: TensorData) => Buffer.from((t.data as Float32Array).buffer);

describe('analyzeObjects', () => {
  it('stretches the picture as the manifest says and maps boxes back per axis, best score first', async () => {
    const { runner, feeds } = detector({
      boxes: [
        [0.1, 0.2, 0.3, 0.4],
        [0.5, 0.5, 1, 1],
      ],
      scores: [0.3, 0.8],
      classes: [3, 0],
    });
    const out = await analyzeObjects(image, runner);
    expect(bytes(feeds[0]!.image!).equals(bytes(stretch(image, 64)))).toBe(true);
    expect(out.objects).toEqual([
      { box: { x: 100, y: 50, width: 100, height: 50 }, score: 0.8, label: 'person' },
      { box: { x: 20, y: 20, width: 40, height: 20 }, score: 0.3, label: 'dog' },
    ]);
    expect(out.timings.detect).toBeGreaterThanOrEqual(0);
  });

  it('letterboxes and maps by the longer side when the version says so; clips and scales to the original', async () => {
    const { runner, feeds } = detector(
      { boxes: [[-0.1, 0.25, 0.6, 0.9]], scores: [0.5], classes: [2] },
      { fit: 'letterbox', resize: 'bilinear-align-corners' },
    );
    const out = await analyzeObjects(image, runner, { scaleToOriginal: 2 });
    expect(bytes(feeds[0]!.image!).equals(bytes(letterbox(image, 64, 'bilinear-align-corners')))).toBe(true);
    // x −20..120 → 0..120; y 50..180 → 50..100 (the image is 100 high); ×2 to the original.
    expect(out.objects).toEqual([{ box: { x: 0, y: 100, width: 240, height: 100 }, score: 0.5, label: 'car' }]);
    expect(out.raw[0]!.classIndex).toBe(2);
  });

  it('returns no objects when the detector finds none', async () => {
    const { runner } = detector({ boxes: [], scores: [], classes: [] });
    expect((await analyzeObjects(image, runner)).objects).toEqual([]);
  });

  it.each([
    ['a class index past the labels', { boxes: [[0, 0, 1, 1]], scores: [0.9], classes: [4] }, /class 4.*4 labels/],
    ['a negative class index', { boxes: [[0, 0, 1, 1]], scores: [0.9], classes: [-1] }, /class -1/],
    ['float classes', { boxes: [[0, 0, 1, 1]], scores: [0.9], classes: new Float32Array([1]) }, /not int32/],
    ['a NaN score', { boxes: [[0, 0, 1, 1]], scores: [NaN], classes: [0] }, /non-finite/],
    ['too few boxes', { boxes: [], scores: [0.9], classes: [0] }, /0 values for "boxes", expected 4/],
  ] as const)('refuses %s as a faulty model, named with its version', async (_, script, message) => {
    const { runner } = detector(script as unknown as Script);
    await expect(analyzeObjects(image, runner)).rejects.toMatchObject({ name: 'ModelOutputError', message });
    const run = analyzeWithFeatures([objects as Feature], {
      image,
      scaleToOriginal: 1,
      runners: { 'object-detector': runner },
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'ModelRuntimeError' });
    expect(failedModelOf(err)).toEqual({ id: 'object-detector', version: '9.9.9' });
  });

  it('needs labels and a pre-processing size that matches the model', async () => {
    await expect(
      analyzeObjects(image, detector({ boxes: [], scores: [], classes: [] }, {}, null).runner),
    ).rejects.toThrow(/no labels/);
    await expect(
      analyzeObjects(image, detector({ boxes: [], scores: [], classes: [] }, { size: 32 }).runner),
    ).rejects.toThrow(/manifest says input 32 px but the model takes 64 px/);
  });
});
