/**
 * @file The typed-array kernels and post-processing of the re-implemented Human pipeline,
 * checked against TF.js itself (wasm backend) on synthetic inputs that reach the paths the six
 * sample photos do not: crops past the image border (extrapolation), odd resize ratios, NMS
 * ties, the wasm CropAndResize shortcut, and Human's rounding edge cases (age at the first
 * and last bin, emotion scores that tie after truncation, the gender threshold).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TfjsModule from '@tensorflow/tfjs';
import {
  cropAndResize,
  hitsWasmCropShortcut,
  nonMaxSuppression,
  resizeBilinear,
} from '../../tools/parity/human-ops.ts';
import {
  blazefaceAnchors,
  emotionInput,
  humanAge,
  humanEmotions,
  humanGender,
} from '../../tools/parity/human-pipeline.ts';
import { TfjsGraphRunner } from '../../tools/parity/human-tfjs-runner.ts';
import { HUMAN_MODEL_DIR } from '../../tools/parity/human-reference.ts';

const require = createRequire(import.meta.url);
let tf: typeof TfjsModule;

/** Deterministic pseudo-random floats in [0, scale). */
function noise(n: number, seed: number, scale = 255): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * scale;
  });
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await TfjsGraphRunner.create(HUMAN_MODEL_DIR); // starts the wasm backend
  tf = require('@tensorflow/tfjs') as typeof TfjsModule;
  expect(tf.getBackend()).toBe('wasm');
}, 120_000);

describe('resizeBilinear equals tf.image.resizeBilinear (wasm) bit for bit', () => {
  it.each([
    [37, 53, 64, 64],
    [300, 200, 224, 224],
    [256, 256, 64, 64],
    [1280, 1920, 256, 256],
    [10, 10, 3, 7],
    [5, 9, 20, 11],
  ])('%i×%i → %i×%i', (h, w, oh, ow) => {
    const data = noise(h * w * 3, h * 31 + w);
    const want = tf.image.resizeBilinear(tf.tensor4d(data, [1, h, w, 3]), [oh, ow]).dataSync();
    expect(maxAbs(resizeBilinear({ width: w, height: h, channels: 3, data }, oh, ow).data, want)).toBe(0);
  });

  it('reads RGB out of RGBA pixels', () => {
    const rgba = Uint8Array.from(noise(8 * 6 * 4, 7), Math.floor);
    const rgb = Float32Array.from({ length: 8 * 6 * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]!);
    const a = resizeBilinear({ width: 8, height: 6, channels: 4, data: rgba }, 5, 5, 3).data;
    const b = resizeBilinear({ width: 8, height: 6, channels: 3, data: rgb }, 5, 5).data;
    expect(maxAbs(a, b)).toBe(0);
  });
});

describe('cropAndResize equals tf.image.cropAndResize (wasm) bit for bit', () => {
  const w = 97;
  const h = 61;
  const data = noise(w * h * 3, 3);
  it.each([
    ['inside', [0.1, 0.2, 0.7, 0.9]],
    ['past every border', [-0.3, -0.25, 1.2, 1.4]],
    ['past the bottom right', [0.5, 0.6, 1.6, 1.9]],
    ['a whole-image box', [0, 0, 1, 1]],
    ['Human-style pixel corners', [37 / h, 12 / w, 59 / h, 90 / w]],
  ] as const)('%s', (_, box) => {
    for (const size of [256, 64, 2]) {
      const want = tf.image.cropAndResize(tf.tensor4d(data, [1, h, w, 3]), [[...box]], [0], [size, size]).dataSync();
      expect(hitsWasmCropShortcut({ width: w, height: h }, box, size)).toBe(false);
      expect(maxAbs(cropAndResize({ width: w, height: h, channels: 3, data }, box, size).data, want)).toBe(0);
    }
  });

  it('predicts the wasm shortcut, which ignores x1 (the case our crop deliberately does not copy)', () => {
    const side = 256;
    const pixels = noise(side * side * 3, 11);
    const box = [0, 1 / 255, 1, 1 + 1 / 255] as const;
    expect(hitsWasmCropShortcut({ width: side, height: side }, box, side)).toBe(true);
    const wasm = tf.image.cropAndResize(tf.tensor4d(pixels, [1, side, side, 3]), [[...box]], [0], [side, side]);
    const ours = cropAndResize({ width: side, height: side, channels: 3, data: pixels }, box, side).data;
    // The wasm kernel copied rows from column 0: its first pixel is the image's first pixel.
    expect(Array.from(wasm.dataSync().slice(0, 3))).toEqual(Array.from(pixels.slice(0, 3)));
    expect(maxAbs(ours, wasm.dataSync())).toBeGreaterThan(1);
    // Without the shortcut conditions both agree again.
    expect(hitsWasmCropShortcut({ width: side, height: side }, [0, 0, 1, 1], side)).toBe(true);
    expect(hitsWasmCropShortcut({ width: side, height: side }, [0.01, 0.02, 0.9, 0.95], side)).toBe(false);
  });
});

describe('nonMaxSuppression equals tf.image.nonMaxSuppressionAsync', () => {
  it.each([1, 2, 3, 4])('random boxes, seed %i', async (seed) => {
    const n = 300;
    const r = noise(n * 3, seed, 1);
    const boxes = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const x = r[3 * i]! * 200;
      const y = r[3 * i + 1]! * 200;
      const s = 5 + r[3 * i + 2]! * 60;
      boxes.set([x, y, x + s, y + s * 1.1], 4 * i);
    }
    // Quantised scores make ties, which TF breaks by the lower index.
    const scores = Float32Array.from(noise(n, seed + 100, 1), (v) => Math.round(v * 20) / 20);
    for (const [max, iou, thr] of [
      [100, 0.1, 0.2],
      [5, 0.5, 0],
      [100, 0.3, 0.9],
    ] as const) {
      const want = await (
        await tf.image.nonMaxSuppressionAsync(tf.tensor2d(boxes, [n, 4]), tf.tensor1d(scores), max, iou, thr)
      ).array();
      expect(nonMaxSuppression(boxes, scores, max, iou, thr)).toEqual(want);
    }
  });
});

describe('emotion input equals Human’s TF.js chain', () => {
  it('resize 64, × [0.2989, 0.587, 0.114], sum over channels, − 0.5, × 2', () => {
    const crop = { width: 256, height: 256, channels: 3, data: noise(256 * 256 * 3, 5, 1) };
    const t = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(tf.tensor4d(crop.data, [1, 256, 256, 3]), [64, 64], false);
      const gray = tf.sum(tf.mul(resized, tf.tensor1d([0.2989, 0.587, 0.114], 'float32')), 3, true);
      return tf.mul(tf.sub(gray, tf.scalar(0.5)), tf.scalar(2));
    });
    expect(maxAbs(emotionInput(crop).data as Float32Array, t.dataSync())).toBe(0);
  });
});

describe('anchors', () => {
  it('896 anchors for a 256 input: 16×16 cells × 2 at stride 16, then 8×8 × 6 at stride 32', () => {
    const a = blazefaceAnchors(256);
    expect(a.length).toBe(896 * 2);
    expect(Array.from(a.slice(0, 6))).toEqual([8, 8, 8, 8, 24, 8]);
    expect(Array.from(a.slice(512 * 2, 512 * 2 + 2))).toEqual([16, 16]);
    expect(Array.from(a.slice(-2))).toEqual([240, 240]);
  });
});

describe('Human’s rounding and edge cases', () => {
  const dist = (peak: number, prev: number, next: number) => {
    const d = new Float32Array(100);
    d[peak] = 0.5;
    if (peak > 0) d[peak - 1] = prev;
    if (peak < 99) d[peak + 1] = next;
    return d;
  };

  it('age = argmax bin ± 10 × the larger neighbour, rounded to 0.1', () => {
    expect(humanAge(dist(30, 0.1, 0.05)).age).toBe(29); // 30 − 10·0.1
    expect(humanAge(dist(30, 0.05, 0.12)).age).toBe(31.2); // 30 + 10·0.12
    expect(humanAge(dist(30, 0.1, 0.1)).age).toBe(31); // tie → the upper neighbour
  });

  it('first bin uses the upper neighbour; last bin yields NaN, which Human leaves unset', () => {
    expect(humanAge(dist(0, 0, 0.2)).age).toBe(2);
    expect(humanAge(dist(0, 0, 0)).age).toBeNull(); // age 0 is falsy: unset
    expect(humanAge(dist(99, 0.2, 0)).age).toBeNull();
  });

  it('gender: score = trunc(200·|p − 0.5|)/100 capped at 0.99, unknown at or below 0.1', () => {
    expect(humanGender(0.9)).toEqual({ gender: 'male', genderScore: 0.8 });
    expect(humanGender(0.2)).toEqual({ gender: 'female', genderScore: 0.6 });
    expect(humanGender(0.999)).toEqual({ gender: 'male', genderScore: 0.99 });
    expect(humanGender(0.56)).toEqual({ gender: 'male', genderScore: 0.12 });
    expect(humanGender(0.5549)).toEqual({ gender: 'unknown', genderScore: null }); // 0.10 is not > 0.1
    expect(humanGender(0.4451)).toEqual({ gender: 'unknown', genderScore: null });
  });

  it('emotions: above 0.1, truncated to 0.01, stable sort on the truncated score', () => {
    // disgust (0.309) beats angry (0.301) but both truncate to 0.30: Human keeps label order.
    const probs = Float32Array.from([0.301, 0.309, 0.05, 0.2, 0.04, 0.05, 0.04]);
    expect(humanEmotions(probs)).toEqual([
      { label: 'angry', score: 0.3 },
      { label: 'disgust', score: 0.3 },
      { label: 'happy', score: 0.2 },
    ]);
    expect(humanEmotions(Float32Array.from([0, 0, 0, 0.995, 0, 0, 0]))).toEqual([{ label: 'happy', score: 0.99 }]);
  });
});
