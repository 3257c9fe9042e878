/**
 * @file TF.js image kernels over typed arrays, float32-exact to tfjs-backend-wasm 4.22: each
 * step is Math.fround of the double result, which equals the float32 operation for + − × ÷ on
 * float32 inputs. Layout is NHWC, batch 1, as TF.js tensors are. The generation-2 face models
 * (Human's) were trained and are published on these semantics, so the app prepares their inputs
 * with exactly them (tests/parity/human-ops.test.ts checks them against TF.js itself):
 *
 * - resizeBilinear: `tf.image.resizeBilinear(x, size)` with alignCorners and halfPixelCenters
 *   false (XNNPACK's TensorFlow-legacy mode): src = f32(i · f32(in/out)), bottom neighbour =
 *   min(top + 1, in − 1). Stretches a whole frame to a detector's square input.
 * - cropAndResize: `tf.image.cropAndResize(img, [[y1, x1, y2, x2]], [0], size)`, bilinear,
 *   extrapolation value 0: src = y1·(h − 1) + i·(y2 − y1)·(h − 1)/(size − 1), samples outside
 *   [0, h − 1] are 0. Cuts a face crop from a box that may leave the image.
 */
import type { RgbImage } from '../image.ts';
import type { TensorData } from '../tensor.ts';
import { fitOutput } from './image-ops.ts';

const f32 = Math.fround;

/** A batch-1 NHWC image: `data[(y · width + x) · channels + c]`. */
export interface Nhwc<T extends ArrayLike<number> = Float32Array> {
  width: number;
  height: number;
  channels: number;
  data: T;
}

interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

function legacyAxis(inSize: number, outSize: number): Axis {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  const scale = f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    const src = f32(i * scale);
    const top = Math.trunc(src);
    lo[i] = top;
    hi[i] = Math.min(top + 1, inSize - 1);
    frac[i] = f32(src - top);
  }
  return { lo, hi, frac };
}

/**
 * `tf.image.resizeBilinear(src, [outH, outW])` on the wasm backend → float32 NHWC. Only the
 * first `channels` channels of each source pixel are read (3 of an RGBA image).
 */
export function resizeBilinear(
  src: Nhwc<ArrayLike<number>>,
  outH: number,
  outW: number,
  channels = src.channels,
): Nhwc {
  const ys = legacyAxis(src.height, outH);
  const xs = legacyAxis(src.width, outW);
  const out = new Float32Array(outH * outW * channels);
  const { data, width, channels: stride } = src;
  let o = 0;
  for (let y = 0; y < outH; y++) {
    const top = ys.lo[y]! * width;
    const bottom = ys.hi[y]! * width;
    const fy = ys.frac[y]!;
    for (let x = 0; x < outW; x++) {
      const l = xs.lo[x]!;
      const r = xs.hi[x]!;
      const fx = xs.frac[x]!;
      const tl = (top + l) * stride;
      const tr = (top + r) * stride;
      const bl = (bottom + l) * stride;
      const br = (bottom + r) * stride;
      for (let c = 0; c < channels; c++) {
        const vtl = data[tl + c]!;
        const vbl = data[bl + c]!;
        const t = f32(vtl + f32(f32(data[tr + c]! - vtl) * fx));
        const b = f32(vbl + f32(f32(data[br + c]! - vbl) * fx));
        out[o++] = f32(t + f32(f32(b - t) * fy));
      }
    }
  }
  return { width: outW, height: outH, channels, data: out };
}

/** A crop box as TF.js takes it: [y1, x1, y2, x2] relative to the image (float32 values). */
export type CropBox = readonly [number, number, number, number];

/**
 * `tf.image.cropAndResize(img, [box], [0], [size, size], 'bilinear', extrapolation)` on the wasm
 * backend → float32 NHWC with `channels` channels.
 */
export function cropAndResize(
  img: Nhwc<ArrayLike<number>>,
  box: CropBox,
  size: number,
  channels = 3,
  extrapolation = 0,
): Nhwc {
  const [y1, x1, y2, x2] = box.map(f32) as [number, number, number, number];
  const { data, width, height, channels: stride } = img;
  const hm1 = height - 1;
  const wm1 = width - 1;
  if (!(size >= 2)) throw new RangeError(`crop size ${size}: Human's crops are at least 2 pixels`);
  const heightScale = f32(f32(f32(y2 - y1) * hm1) / (size - 1));
  const widthScale = f32(f32(f32(x2 - x1) * wm1) / (size - 1));
  const out = new Float32Array(size * size * channels);
  if (extrapolation !== 0) out.fill(extrapolation);
  // Per column: left/right source columns and weight, or −1 outside the image.
  const left = new Int32Array(size);
  const right = new Int32Array(size);
  const fx = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    const xi = f32(f32(x1 * wm1) + f32(x * widthScale));
    if (xi < 0 || xi > wm1) {
      left[x] = -1;
      continue;
    }
    const l = Math.floor(xi);
    left[x] = l;
    right[x] = Math.min(wm1, Math.ceil(xi));
    fx[x] = f32(xi - l);
  }
  for (let y = 0; y < size; y++) {
    const yi = f32(f32(y1 * hm1) + f32(y * heightScale));
    if (yi < 0 || yi > hm1) continue; // the row keeps the extrapolation value
    const top = Math.floor(yi) * width;
    const bottom = Math.min(hm1, Math.ceil(yi)) * width;
    const fy = f32(yi - Math.floor(yi));
    for (let x = 0; x < size; x++) {
      const l = left[x]!;
      if (l < 0) continue;
      const r = right[x]!;
      const wx = fx[x]!;
      const o = (y * size + x) * channels;
      for (let c = 0; c < channels; c++) {
        const tl = data[(top + l) * stride + c]!;
        const bl = data[(bottom + l) * stride + c]!;
        const t = f32(tl + f32(f32(data[(top + r) * stride + c]! - tl) * wx));
        const b = f32(bl + f32(f32(data[(bottom + r) * stride + c]! - bl) * wx));
        out[o + c] = f32(t + f32(f32(b - t) * fy));
      }
    }
  }
  return { width: size, height: size, channels, data: out };
}

/** Element-wise `f32(f(v))` into a new array (one TF.js element-wise kernel). */
export function mapF32(data: Float32Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = f32(f(data[i]!));
  return out;
}

/**
 * Writes NHWC `t` (batch 1) as planes [C,H,W] into `out` at `offset` (an NCHW batch slot);
 * `scale` multiplies each value in float32 on the way (1: a plain copy).
 */
export function writePlanes(t: Nhwc, out: Float32Array, offset: number, scale = 1): void {
  const { width, height, channels, data } = t;
  const plane = width * height;
  for (let i = 0, p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++, i++)
      out[offset + c * plane + p] = scale === 1 ? data[i]! : f32(data[i]! * scale);
  }
}

/**
 * A detector input with `preprocess.fit: "stretch"`: the whole image resized to size×size
 * (aspect not kept, {@link resizeBilinear}) → float32 [1,3,size,size], RGB 0..255, written into
 * `out` when given (every element is written).
 */
export function stretch(img: RgbImage, size: number, out?: Float32Array): TensorData {
  const data = fitOutput(size, out);
  writePlanes(resizeBilinear(img, size, size, 3), data, 0);
  return { type: 'float32', dims: [1, 3, size, size], data };
}
