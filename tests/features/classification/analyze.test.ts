/**
 * @file The classification pipeline on a scripted classifier: the input is made as the
 * version's manifest says (stretch with align_corners by default), the top 5 come back sorted
 * with the version's labels (ties in label order, repeated labels kept apart), and a classifier
 * that breaks the contract at run time is reported against its own id and version.
 */
import { describe, expect, it } from 'vitest';
import { classifyImage, topClasses } from '../../../src/features/classification/analyze.ts';
import { classification } from '../../../src/features/classification/index.ts';
import { classificationPreprocess } from '../../../src/features/classification/preprocess.ts';
import { classDetails, classSummary } from '../../../src/features/classification/present.ts';
import type { Feature, FeatureRunner } from '../../../src/shared/feature.ts';
import { analyzeWithFeatures, describeCounts } from '../../../src/shared/feature-set.ts';
import { failedModelOf } from '../../../src/shared/errors.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import type { ModelVersion, Preprocess } from '../../../src/shared/manifest-types.ts';
import { letterbox, stretch } from '../../../src/shared/pipeline/image-ops.ts';
import type { TensorData } from '../../../src/shared/tensor.ts';
import { FEATURES } from '../../../src/features/index.ts';

const LABELS = ['drawing', 'hentai', 'neutral', 'porn', 'sexy', 'crane', 'crane'];
const image: RgbImage = { width: 30, height: 50, channels: 3, data: new Uint8Array(30 * 50 * 3).fill(120) };

function classifier(probabilities: number[], pre: Partial<Preprocess> = {}, labels: string[] | null = LABELS) {
  const feeds: Array<Record<string, TensorData>> = [];
  const runner: FeatureRunner = {
    id: 'image-classifier',
    version: '7.0.0',
    entry: { preprocess: { ...classificationPreprocess('image-classification', 32), ...pre }, labels } as ModelVersion,
    inputs: [{ name: 'image', type: 'float32', dims: ['b', 3, 32, 32] }],
    outputs: [],
    run: async (f) => {
      feeds.push(f);
      return {
        probabilities: { type: 'float32', dims: [1, probabilities.length], data: Float32Array.from(probabilities) },
      };
    },
  };
  return { runner, feeds };
}

const bytes = (t: TensorData) => Buffer.from((t.data as Float32Array).buffer);

describe('classifyImage', () => {
  it('stretches with align_corners by default and returns the top 5, best first', async () => {
    const { runner, feeds } = classifier([0.05, 0.01, 0.6, 0.04, 0.1, 0.15, 0.05]);
    const out = await classifyImage(image, runner);
    expect(feeds[0]!.image!.dims).toEqual([1, 3, 32, 32]);
    expect(bytes(feeds[0]!.image!).equals(bytes(stretch(image, 32, 'bilinear-align-corners')))).toBe(true);
    expect(out.classes).toEqual([
      { label: 'neutral', probability: 0.6 },
      { label: 'crane', probability: 0.15 },
      { label: 'sexy', probability: 0.1 },
      { label: 'drawing', probability: 0.05 },
      { label: 'crane', probability: 0.05 },
    ]);
    expect(out.probabilities).toHaveLength(7);
  });

  it('follows a version that letterboxes', async () => {
    const { runner, feeds } = classifier([1, 0, 0, 0, 0, 0, 0], { fit: 'letterbox', resize: 'bilinear-asymmetric' });
    await classifyImage(image, runner);
    expect(bytes(feeds[0]!.image!).equals(bytes(letterbox(image, 32)))).toBe(true);
  });

  it('keeps ties in label order and rounds to 4 decimals', () => {
    expect(topClasses([0.123456, 0.5, 0.123456], ['a', 'b', 'c'], 5)).toEqual([
      { label: 'b', probability: 0.5 },
      { label: 'a', probability: 0.1235 },
      { label: 'c', probability: 0.1235 },
    ]);
  });

  it.each([
    ['fewer probabilities than labels', [0.5, 0.5], /2 probabilities for 7 labels/],
    ['a NaN', [NaN, 0, 0, 0, 0, 0, 1], /non-finite/],
  ] as const)('refuses %s as a faulty model, named with its version', async (_, probs, message) => {
    const { runner } = classifier([...probs]);
    await expect(classifyImage(image, runner)).rejects.toMatchObject({ name: 'ModelOutputError', message });
    const err = await analyzeWithFeatures([classification as Feature], {
      image,
      scaleToOriginal: 1,
      runners: { 'image-classifier': runner },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failedModelOf(err)).toEqual({ id: 'image-classifier', version: '7.0.0' });
  });

  it('needs labels', async () => {
    await expect(classifyImage(image, classifier([1], {}, null).runner)).rejects.toThrow(/no labels/);
  });
});

describe('classification in the photo card and on the HUD', () => {
  const top = [
    { label: 'drawing', probability: 0.7712 },
    { label: 'neutral', probability: 0.2211 },
    { label: 'hentai', probability: 0.006 },
    { label: 'porn', probability: 0.0011 },
    { label: 'sexy', probability: 0.0006 },
  ];

  it('shows the top 3 with bars, draws nothing over the image, and is not counted as things found', () => {
    const section = classDetails(top);
    expect(section.title).toBe('Classification');
    expect(section.items.map((i) => [i.title, i.facts.map((f) => [f.value, f.bar])])).toEqual([
      [
        '1.',
        [
          ['drawing', undefined],
          ['77%', 0.7712],
        ],
      ],
      [
        '2.',
        [
          ['neutral', undefined],
          ['22%', 0.2211],
        ],
      ],
      [
        '3.',
        [
          ['hentai', undefined],
          ['1%', 0.006],
        ],
      ],
    ]);
    expect(section.items[0]!.description).toBe('Class 1: drawing, probability 77%.');
    expect(classification.overlay(top)).toEqual([]);
    expect(describeCounts(FEATURES, { classification: top })).toBe('');
  });

  it('captions the webcam with the top 3', () => {
    expect(classSummary(top)).toBe('drawing 77% · neutral 22% · hentai 1%');
    expect(classSummary([])).toBe('no classes');
  });
});
