/**
 * @file Bit-exactness of the whole-image inputs the objects and classification features feed
 * (src/shared/pipeline/image-ops.ts) against TF.js on its wasm backend, the kernel Human and
 * nsfwjs run in the browser: stretch() vs `tf.image.resizeBilinear(img, [S, S])` (Human's
 * centernet input) and vs `resizeBilinear(img, [S, S], true)` (nsfwjs's align_corners), and
 * letterbox() with align_corners vs the zero-padded square resized the same way — on real
 * photos and on odd shapes (1-pixel sides, upsampling, the identity size). Plus fitImage's
 * choice by the manifest fields and the box mapping back to pixels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fitImage, fitLength, inputBoxToPixels, letterbox, stretch } from '../../../src/shared/pipeline/image-ops.ts';
import { stretch as tfStretch } from '../../../src/shared/pipeline/tf-kernels.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import type { TensorData } from '../../../src/shared/tensor.ts';
import { decodePhoto, FACEAPI_SAMPLES, HUMAN_SAMPLES } from '../../tools/convert/tfjs-graph/helpers/photos.ts';
import { loadTfjs, type Tfjs } from '../../tools/convert/tfjs-graph/helpers/tfjs.ts';

let tf: Tfjs;
const photos: RgbImage[] = [];

/** A deterministic pseudo-random image (odd shapes the photos do not cover). */
function noise(width: number, height: number, seed: number): RgbImage {
  let s = seed >>> 0 || 1;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return { width, height, channels: 3, data };
}

/** TF.js's resizeBilinear of `img` (optionally zero-padded to a square at the bottom/right) as NHWC floats. */
function reference(img: RgbImage, size: number, alignCorners: boolean, padToSquare = false): Float32Array {
  return tf.tidy(() => {
    let t = tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, 3], 'float32');
    if (padToSquare) {
      const side = Math.max(img.width, img.height);
      t = t.pad([
        [0, side - img.height],
        [0, side - img.width],
        [0, 0],
      ]);
    }
    return tf.image.resizeBilinear(t, [size, size], alignCorners, false).dataSync() as Float32Array;
  });
}

/** Values of an NCHW tensor that differ bit for bit from an NHWC reference. */
function mismatches(ours: TensorData, nhwc: Float32Array, size: number): number {
  const data = ours.data as Float32Array;
  const plane = size * size;
  let n = 0;
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) if (!Object.is(data[c * plane + p], nhwc[p * 3 + c])) n++;
  return n;
}

beforeAll(async () => {
  tf = await loadTfjs('wasm');
  for (const path of [...FACEAPI_SAMPLES.slice(0, 3), HUMAN_SAMPLES]) {
    const p = await decodePhoto(path);
    photos.push({ width: p.width, height: p.height, channels: 3, data: p.data });
  }
}, 120_000);

describe('stretch matches tf.image.resizeBilinear on TF.js wasm bit for bit', () => {
  const cases = () => [
    ...photos.map((img, i) => ({ name: `photo ${i + 1} (${img.width}×${img.height})`, img })),
    { name: '1×1', img: noise(1, 1, 1) },
    { name: '1×37', img: noise(1, 37, 2) },
    { name: '57×1', img: noise(57, 1, 3) },
    { name: '7×5 (upsampled)', img: noise(7, 5, 4) },
    { name: '224×224 (identity at 224)', img: noise(224, 224, 5) },
    { name: '641×479', img: noise(641, 479, 6) },
  ];
  for (const alignCorners of [false, true]) {
    const mode = alignCorners ? 'bilinear-align-corners' : 'bilinear-asymmetric';
    it(`${mode}: photos and odd shapes at 512, 224, 160 and 1`, () => {
      for (const { name, img } of cases()) {
        for (const size of [512, 224, 160, 1]) {
          const ours = stretch(img, size, mode);
          expect(ours.dims).toEqual([1, 3, size, size]);
          expect(mismatches(ours, reference(img, size, alignCorners), size), `${name} at ${size}`).toBe(0);
        }
      }
    }, 120_000);
  }

  it('letterbox with align_corners equals the zero-padded square resized by TF.js', () => {
    for (const img of [photos[0]!, noise(7, 5, 4), noise(33, 90, 7)]) {
      for (const size of [224, 160]) {
        const ours = letterbox(img, size, 'bilinear-align-corners');
        expect(mismatches(ours, reference(img, size, true, true), size)).toBe(0);
      }
    }
  });

  it('reads RGBA pixels (alpha ignored) exactly like the same RGB pixels', () => {
    const rgb = photos[1]!;
    const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
    for (let i = 0, j = 0; i < rgb.data.length; i += 3, j += 4) {
      rgba.set([rgb.data[i]!, rgb.data[i + 1]!, rgb.data[i + 2]!, (i * 7) & 255], j);
    }
    const withAlpha: RgbImage = { ...rgb, channels: 4, data: rgba };
    for (const mode of ['bilinear-asymmetric', 'bilinear-align-corners'] as const) {
      const a = stretch(withAlpha, 224, mode).data as Float32Array;
      const b = stretch(rgb, 224, mode).data as Float32Array;
      expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer))).toBe(0);
    }
  });
});

describe('fitImage and inputBoxToPixels', () => {
  const img = noise(40, 20, 9);
  const same = (a: TensorData, b: TensorData) =>
    Buffer.compare(Buffer.from((a.data as Float32Array).buffer), Buffer.from((b.data as Float32Array).buffer)) === 0;
  const base = { size: 16, resize: 'bilinear-asymmetric' as const };

  it('letterboxes when the manifest has no fit (schema 1 before `fit`), stretches when it says so', () => {
    expect(same(fitImage(img, base), letterbox(img, 16))).toBe(true);
    expect(same(fitImage(img, { ...base, fit: 'letterbox' }), letterbox(img, 16))).toBe(true);
    expect(same(fitImage(img, { ...base, fit: 'stretch' }), stretch(img, 16))).toBe(true);
    expect(same(fitImage(img, { size: 16, fit: 'stretch', resize: 'bilinear-align-corners' }), stretch(img, 16))).toBe(
      false,
    );
  });

  it('writes every element of a given (reused, dirty) array: the same input as a fresh one, padding included', () => {
    const tall = noise(12, 30, 4);
    const kernelStretch = (i: RgbImage, out?: Float32Array) => tfStretch(i, 16, out);
    for (const image of [img, tall]) {
      for (const fit of ['letterbox', 'stretch'] as const) {
        for (const resize of ['bilinear-asymmetric', 'bilinear-align-corners'] as const) {
          const pre = { size: 16, fit, resize };
          const dirty = new Float32Array(fitLength(16)).fill(Number.NaN);
          const into = fitImage(image, pre, dirty);
          expect(into.data).toBe(dirty);
          expect(same(into, fitImage(image, pre))).toBe(true);
        }
      }
      const dirty = new Float32Array(fitLength(16)).fill(-1);
      expect(same(kernelStretch(image, dirty), kernelStretch(image))).toBe(true);
    }
    expect(() => letterbox(img, 16, 'bilinear-asymmetric', new Float32Array(fitLength(15)))).toThrow(RangeError);
    expect(() => tfStretch(img, 16, new Float32Array(10))).toThrow(RangeError);
  });

  it('maps normalised corners back to pixels: per axis when stretched, by the longer side when letterboxed', () => {
    const corners = [0.25, 0.5, 0.75, 1];
    expect(inputBoxToPixels(corners, img, 'stretch')).toEqual({ x: 10, y: 10, width: 20, height: 10 });
    expect(inputBoxToPixels(corners, img, undefined)).toEqual({ x: 10, y: 20, width: 20, height: 20 });
    expect(inputBoxToPixels(corners, img, 'letterbox')).toEqual(inputBoxToPixels(corners, img, undefined));
  });
});
