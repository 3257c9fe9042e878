/**
 * @file Bit-exactness of our DOM-free preprocessing against face-api's own code on TF.js wasm:
 * letterbox() vs NetInput.toBatchTensor(size, false) for every detector size, and cropSquares()
 * vs extractFaceTensors + toBatchTensor(112, true) for boxes that exercise every branch
 * (inside, partly outside, odd sizes, already 112, tall, wide, fractional coordinates).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, FaceApiReference, SAMPLE_PHOTOS } from '../../tools/parity/faceapi-reference.ts';
import { clipBox, cropSquares, letterbox } from '../../src/shared/pipeline/image-ops.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import type { TensorData } from '../../src/shared/tensor.ts';

const PHOTOS = SAMPLE_PHOTOS.map((path, index) => ({ index, name: path.split('/').pop()! }));
let reference: FaceApiReference;
let photos: RgbImage[] = [];

/** Counts values of an NCHW tensor (at `offset`) that differ from an NHWC reference, bit for bit. */
function mismatches(nchw: Float32Array, offset: number, nhwc: Float32Array, size: number): number {
  let n = 0;
  const plane = size * size;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) if (!Object.is(nchw[offset + c * plane + p], nhwc[p * 3 + c])) n++;
  }
  return n;
}

/** Deterministic pseudo-random boxes (a fixed LCG) so failures reproduce. */
function boxesFor(img: RgbImage, seed: number): PixelBox[] {
  let state = seed >>> 0 || 1;
  const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const random: PixelBox[] = Array.from({ length: 6 }, () => ({
    x: rand() * img.width - 40,
    y: rand() * img.height - 40,
    width: 20 + rand() * 400,
    height: 20 + rand() * 400,
  }));
  return [
    ...random,
    { x: -10.5, y: -3.25, width: 201.75, height: 150.125 },
    { x: img.width - 50.3, y: img.height - 80.9, width: 100, height: 300 },
    { x: 5, y: 7, width: 112, height: 112 },
    { x: 100.2, y: 50.9, width: 57.3, height: 61 },
    { x: 300, y: 200, width: 33, height: 400 },
    { x: 10, y: 400, width: 500, height: 41 },
  ];
}

beforeAll(async () => {
  reference = await FaceApiReference.create(undefined, false);
  photos = await Promise.all(SAMPLE_PHOTOS.map((p) => decodeImage(p)));
}, 120_000);

describe('letterbox matches NetInput.toBatchTensor bit for bit', () => {
  it.each(PHOTOS)(
    '$name',
    async ({ index }) => {
      const img = photos[index]!;
      for (const size of [416, 320, 224, 512]) {
        const ours = letterbox(img, size);
        expect(ours.dims).toEqual([1, 3, size, size]);
        expect(
          mismatches(ours.data as Float32Array, 0, await reference.detectorInput(img, size), size),
          `size ${size}`,
        ).toBe(0);
      }
    },
    60_000,
  );
});

describe('cropSquares matches extractFaceTensors + toBatchTensor bit for bit', () => {
  it.each(PHOTOS)(
    '$name',
    async ({ index }) => {
      const img = photos[index]!;
      const boxes = boxesFor(img, index + 1).filter((b) => {
        const c = clipBox(b, img.width, img.height);
        return c.width > 0 && c.height > 0; // face-api drops empty crops; covered below
      });
      const ours = cropSquares(img, boxes, 112);
      expect(ours.dims).toEqual([boxes.length, 3, 112, 112]);
      const expected = await reference.faceInputs(img, boxes);
      expect(expected.length).toBe(boxes.length);
      boxes.forEach((b, i) => {
        expect(mismatches(ours.data as Float32Array, i * 3 * 112 * 112, expected[i]!, 112), JSON.stringify(b)).toBe(0);
      });
    },
    60_000,
  );

  it('reads RGBA pixels (alpha ignored) exactly like the same RGB pixels', () => {
    const rgb = photos[2]!;
    const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
    for (let i = 0, j = 0; i < rgb.data.length; i += 3, j += 4) {
      rgba[j] = rgb.data[i]!;
      rgba[j + 1] = rgb.data[i + 1]!;
      rgba[j + 2] = rgb.data[i + 2]!;
      rgba[j + 3] = (i * 7) & 255;
    }
    const withAlpha: RgbImage = { width: rgb.width, height: rgb.height, channels: 4, data: rgba };
    const boxes = boxesFor(rgb, 99);
    const same = (a: TensorData, b: TensorData) =>
      Buffer.compare(Buffer.from((a.data as Float32Array).buffer), Buffer.from((b.data as Float32Array).buffer));
    expect(same(letterbox(withAlpha, 416), letterbox(rgb, 416))).toBe(0);
    expect(same(cropSquares(withAlpha, boxes, 112), cropSquares(rgb, boxes, 112))).toBe(0);
  });

  it('gives an all-zero crop for a box entirely outside the image', () => {
    const img = photos[0]!;
    const out = cropSquares(img, [{ x: img.width + 5, y: 10, width: 50, height: 50 }], 112);
    expect(out.dims).toEqual([1, 3, 112, 112]);
    expect((out.data as Float32Array).every((v) => v === 0)).toBe(true);
  });
});
