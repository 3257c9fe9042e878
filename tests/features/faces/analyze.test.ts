import { beforeAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { analyzeFaces } from '../../../src/features/faces/analyze.ts';
import { ModelOutputError, ModelSignatureError } from '../../../src/shared/pipeline/errors.ts';
import { cropSquares } from '../../../src/shared/pipeline/image-ops.ts';
import { toPixelDetections } from '../../../src/features/faces/detection-boxes.ts';
import type { ModelRunner } from '../../../src/shared/pipeline/model-runner.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import type { TensorData } from '../../../src/shared/tensor.ts';
import { EXPRESSION_LABELS } from '../../../src/features/faces/results.ts';
import { brightnessAttributes, brightnessExpression, constantDetector } from '../../helpers/onnx-fixtures.ts';

/** Wraps a runner and records every run's feed shapes. */
class Spy implements ModelRunner {
  calls: number[][] = [];
  constructor(private readonly inner: ModelRunner) {}
  get inputs() {
    return this.inner.inputs;
  }
  get outputs() {
    return this.inner.outputs;
  }
  run(feeds: Record<string, TensorData>) {
    this.calls.push(Object.values(feeds)[0]!.dims);
    return this.inner.run(feeds);
  }
}

/** 256×256: top-left dark noise, top-right bright noise, bottom half flat grey. */
function testImage(): RgbImage {
  const w = 256;
  const data = new Uint8Array(w * w * 3);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        data[(y * w + x) * 3 + c] =
          y >= 128 ? 128 : x < 128 ? 32 + Math.floor(rand() * 64) : 160 + Math.floor(rand() * 64);
      }
    }
  }
  return { width: w, height: w, channels: 3, data };
}

// Unsorted scores; sorted order is B, D, C, A.
const BOXES = {
  A: [0.0, 0.0, 0.25, 0.25], // 64 px of dark noise: good
  B: [0.5, 0.0, 0.75, 0.25], // 64 px of bright noise: good
  C: [0.9, 0.3, 0.95, 0.35], // 13 px: too small
  D: [0.25, 0.6, 0.5, 0.85], // 64 px of flat grey: blurred
};
const SCORES = { A: 0.6, B: 0.9, C: 0.75, D: 0.8 };

describe('analyzeFaces (hand-built models)', () => {
  const image = testImage();
  let attributes: OrtModel;
  let expression: OrtModel;
  beforeAll(async () => {
    attributes = await OrtModel.create(brightnessAttributes());
    expression = await OrtModel.create(brightnessExpression());
  });

  async function detector(boxes: number[][], scores: number[], size = 64) {
    return OrtModel.create(constantDetector({ size, boxes, scores }));
  }

  it('sorts faces by score, gates quality, runs ONE batch per attribute net and maps boxes back', async () => {
    const det = new Spy(await detector(Object.values(BOXES), Object.values(SCORES)));
    const attr = new Spy(attributes);
    const expr = new Spy(expression);
    const result = await analyzeFaces(
      image,
      { detector: det, attributes: attr, expression: expr },
      { scaleToOriginal: 2.5 },
    );

    expect(det.calls).toEqual([[1, 3, 64, 64]]);
    expect(attr.calls).toEqual([[2, 3, 112, 112]]);
    expect(expr.calls).toEqual([[2, 3, 112, 112]]);

    expect(result.faces.map((f) => f.score)).toEqual([0.9, 0.8, 0.75, 0.6]);
    const pixel = toPixelDetections(
      new Float32Array(Object.values(BOXES).flat()),
      new Float32Array(Object.values(SCORES)),
      image,
      64,
    );
    result.raw.forEach((raw, i) => {
      const p = pixel[i]!.box;
      expect(raw.box.x).toBeCloseTo(p.x * 2.5, 3);
      expect(raw.box.y).toBeCloseTo(p.y * 2.5, 3);
      expect(raw.box.width).toBeCloseTo(p.width * 2.5, 3);
      expect(raw.box.height).toBeCloseTo(p.height * 2.5, 3);
      expect(result.faces[i]!.box.x).toBeCloseTo(raw.box.x, 1);
    });
    expect(result.faces[0]!.box).toEqual({ x: 320, y: 0, width: 160, height: 160 });

    const [b, d, c, a] = result.faces;
    expect(d!.quality).toBe('blurred');
    expect(c!.quality).toBe('too-small');
    for (const f of [c!, d!]) {
      expect(f.age).toBeNull();
      expect(f.gender).toBeNull();
      expect(f.genderProbability).toBeNull();
      expect(f.expression).toBeNull();
    }
    expect(a!.quality).toBeUndefined();
    expect(b!.quality).toBeUndefined();

    // Each good face gets its own outputs: age = 100 × its crop's mean brightness.
    const meanOf = (box: number[]) => {
      const crop = cropSquares(
        image,
        [toPixelDetections(new Float32Array(box), new Float32Array([1]), image, 64)[0]!.box],
        112,
      ).data as Float32Array;
      return crop.reduce((s, v) => s + v, 0) / crop.length / 255;
    };
    const mB = meanOf(BOXES.B);
    const mA = meanOf(BOXES.A);
    expect(mB).toBeGreaterThan(0.6);
    expect(mA).toBeLessThan(0.4);
    expect(result.raw[0]!.age).toBeCloseTo(100 * mB, 3);
    expect(result.raw[3]!.age).toBeCloseTo(100 * mA, 3);
    expect(b!.age).toBe(Math.round(1000 * mB) / 10);
    expect(b!.gender).toBe('male');
    expect(b!.genderProbability).toBeCloseTo(mB, 3);
    expect(a!.gender).toBe('female');
    expect(a!.genderProbability).toBeCloseTo(1 - mA, 3);
    expect(b!.expression!.label).toBe('surprised');
    const logits = [1, 2, 3, 4, 5, 6, 7].map((k) => k * mB);
    const denom = logits.reduce((s, v) => s + Math.exp(v), 0);
    expect(b!.expression!.probability).toBeCloseTo(Math.exp(logits[6]!) / denom, 3);
    expect(result.raw[0]!.expression).toHaveLength(7);
    expect(result.timings.detect).toBeGreaterThanOrEqual(0);
    expect(result.timings.attributes).toBeGreaterThan(0);
  });

  it('does not run the attribute nets when there are no faces', async () => {
    const attr = new Spy(attributes);
    const expr = new Spy(expression);
    const result = await analyzeFaces(image, { detector: await detector([], []), attributes: attr, expression: expr });
    expect(result.faces).toEqual([]);
    expect(attr.calls).toEqual([]);
    expect(expr.calls).toEqual([]);
    expect(result.timings.attributes).toBe(0);
  });

  it('does not run the attribute nets when every face fails the quality gate', async () => {
    const attr = new Spy(attributes);
    const result = await analyzeFaces(image, {
      detector: await detector([BOXES.C, BOXES.D], [0.7, 0.8]),
      attributes: attr,
      expression,
    });
    expect(result.faces.map((f) => f.quality)).toEqual(['blurred', 'too-small']);
    expect(attr.calls).toEqual([]);
  });

  it('reads the detector input size from its signature', async () => {
    const det = new Spy(await detector([BOXES.B], [0.9], 96));
    const result = await analyzeFaces(image, { detector: det, attributes, expression });
    expect(det.calls).toEqual([[1, 3, 96, 96]]);
    expect(result.faces[0]!.box).toEqual({ x: 128, y: 0, width: 64, height: 64 });
  });

  it('maps classes through manifest labels', async () => {
    const reversed = [...EXPRESSION_LABELS].reverse();
    const result = await analyzeFaces(
      image,
      { detector: await detector([BOXES.B], [0.9]), attributes, expression },
      { labels: { gender: ['female', 'male'], expression: reversed } },
    );
    expect(result.faces[0]!.expression!.label).toBe('neutral');
    expect(result.faces[0]!.gender).toBe('female');
  });

  it('throws ModelOutputError on non-finite detector scores', async () => {
    const det = await detector([BOXES.B], [NaN]);
    const err = await analyzeFaces(image, { detector: det, attributes, expression }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect((err as Error).name).toBe('ModelOutputError');
    expect((err as Error).message).toMatch(/detector model returned a non-finite value \(NaN\) in "scores"/);
  });

  it('throws ModelOutputError on non-finite attribute outputs', async () => {
    const nanAttributes = await OrtModel.create(brightnessAttributes({ nan: true }));
    const err = await analyzeFaces(image, {
      detector: await detector([BOXES.B], [0.9]),
      attributes: nanAttributes,
      expression,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect((err as Error).message).toMatch(/attributes model returned a non-finite value .* in "age"/);
  });

  it('throws ModelOutputError when boxes and scores disagree', async () => {
    const det = await OrtModel.create(
      constantDetector({ size: 64, boxes: [BOXES.A, BOXES.B], scores: [0.9, 0.8, 0.7] }),
    );
    await expect(analyzeFaces(image, { detector: det, attributes, expression })).rejects.toThrow(ModelOutputError);
  });

  it('refuses a detector without a fixed square input', async () => {
    const det = await OrtModel.create(
      constantDetector({ size: 64, boxes: [], scores: [], inputDims: [1, 3, 'h', 'w'] }),
    );
    await expect(analyzeFaces(image, { detector: det, attributes, expression })).rejects.toThrow(ModelSignatureError);
  });
});
