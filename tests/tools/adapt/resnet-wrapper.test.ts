/**
 * @file The ResNet wrapper on a stand-in torchvision ResNet-18 export (the real architecture,
 * seeded random weights; no trained weights are reachable): on real photos, the wrapped model's
 * probabilities must equal softmax(raw model((x/255 − mean)/std)) computed here, each row must
 * sum to 1, and the 1000 default labels must come in torchvision's order.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { adaptModel, type AdaptResult } from '../../../tools/adapt/adapt.ts';
import { parseOnnxModel } from '../../../tools/adapt/onnx-splice.ts';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../../tools/adapt/resnet-wrapper.ts';
import { resnet18Standin } from '../../../tools/adapt/standins/resnet18.ts';
import { inspectOnnx } from '../../../tools/lib/onnx-inspect.ts';
import { SAMPLES } from '../../helpers/samples.ts';
import { expectImageClassification } from './helpers/contracts.ts';

const SIZE = 224;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const f = Math.fround;

/** Two photos, resized to 224×224 by sharp, as a [2,3,224,224] batch of RGB 0..255. */
async function photoBatch(): Promise<Float32Array> {
  const plane = SIZE * SIZE;
  const batch = new Float32Array(2 * 3 * plane);
  for (const [b, path] of [SAMPLES[0]!, SAMPLES[3]!].entries()) {
    const rgb = await sharp(path).resize(SIZE, SIZE, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) batch[(b * 3 + c) * plane + p] = rgb[p * 3 + c]!;
  }
  return batch;
}

/** torchvision's ToTensor + Normalize in float32, operation by operation: ((x / 255) − mean) / std. */
function normalise(batch: Float32Array): Float32Array {
  const plane = SIZE * SIZE;
  return batch.map((x, i) => {
    const c = Math.floor(i / plane) % 3;
    return f(f(f(x / 255) - f(IMAGENET_MEAN[c]!)) / f(IMAGENET_STD[c]!));
  });
}

function softmaxRows(logits: Float32Array, k: number): number[][] {
  return Array.from({ length: logits.length / k }, (_, r) => {
    const row = Array.from(logits.subarray(r * k, (r + 1) * k));
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

describe('adapt-model --kind resnet on a stand-in ResNet-18 export', () => {
  let raw: Uint8Array;
  let wrapped: AdaptResult;
  const models: OrtModel[] = [];

  beforeAll(() => {
    raw = resnet18Standin();
    wrapped = adaptModel({ kind: 'resnet', bytes: raw, fileName: 'resnet18.onnx' });
  });
  afterAll(async () => {
    for (const m of models) await m.release();
  });

  it('is the torchvision ResNet-18 graph with BatchNorm folded, deterministic from its seed', () => {
    const model = parseOnnxModel(raw);
    const count = (op: string) => model.ops.filter((o) => o === op).length;
    // conv1 + 8 blocks × 2 + 3 downsamples; a ReLU after conv1 and two per block; one Add per block.
    expect([count('Conv'), count('Relu'), count('Add'), count('MaxPool')]).toEqual([20, 17, 8, 1]);
    expect([count('GlobalAveragePool'), count('Flatten'), count('Gemm'), count('BatchNormalization')]).toEqual([
      1, 1, 1, 0,
    ]);
    // torchvision counts 11,689,512 parameters; folding 20 BatchNorms (9,600 weights and biases)
    // leaves one bias per conv output channel (4,800).
    expect(model.signature.inputs).toEqual([{ name: 'input', type: 'float32', dims: ['batch_size', 3, 224, 224] }]);
    expect(model.signature.outputs).toEqual([{ name: 'output', type: 'float32', dims: ['batch_size', 1000] }]);
    expect(inspectOnnx(raw).initializerElements).toEqual({ 1: 11_689_512 - 9_600 + 4_800 });
    // (47 MB each: compared by hash, a generic deep-equal of that size takes minutes)
    expect(sha256(resnet18Standin({ seed: 18 }))).toBe(sha256(raw));
    expect(sha256(resnet18Standin({ seed: 2 }))).not.toBe(sha256(raw));
  });

  it('meets the image-classification contract with 1000 ImageNet labels in torchvision order', () => {
    expect(expectImageClassification(wrapped.bytes, 1000).size).toBe(SIZE);
    expect(wrapped.task).toBe('image-classification');
    expect(wrapped.labels.labels).toHaveLength(1000);
    expect(wrapped.labels.labels.slice(0, 2)).toEqual(['tench, Tinca tinca', 'goldfish, Carassius auratus']);
    expect(wrapped.opset).toEqual({ from: 17, to: 17 });
  });

  it('gives softmax(raw((x/255 − mean)/std)) on real photos, each row summing to 1', async () => {
    const pixels = await photoBatch();
    const rawModel = await OrtModel.create(raw);
    const wrappedModel = await OrtModel.create(wrapped.bytes);
    models.push(rawModel, wrappedModel);
    const dims = [2, 3, SIZE, SIZE];
    const logits = (await rawModel.run({ input: { type: 'float32', dims, data: normalise(pixels) } })).output!;
    const out = (await wrappedModel.run({ image: { type: 'float32', dims, data: pixels } })).probabilities!;
    expect(out.dims).toEqual([2, 1000]);
    const probs = out.data as Float32Array;
    const expected = softmaxRows(logits.data as Float32Array, 1000);
    for (let r = 0; r < 2; r++) {
      const row = Array.from(probs.subarray(r * 1000, (r + 1) * 1000));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const argmax = (v: number[]) => v.indexOf(Math.max(...v));
      expect(argmax(row)).toBe(argmax(expected[r]!));
      const worst = Math.max(...row.map((p, i) => Math.abs(p - expected[r]![i]!)));
      expect(worst).toBeLessThan(1e-6);
      // A real spread, not a one-hot softmax: the comparison above means something.
      expect(Math.max(...row)).toBeLessThan(0.5);
    }
    // The two photos differ, so do their probabilities.
    expect(Array.from(probs.subarray(0, 1000))).not.toEqual(Array.from(probs.subarray(1000)));
  });
});
