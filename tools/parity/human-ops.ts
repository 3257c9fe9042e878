/**
 * @file The TF.js kernels Human's face pipeline calls, re-written over typed arrays so the
 * pipeline can run without TF.js (later: onnxruntime-web). Each reproduces the float32
 * arithmetic of the tfjs-backend-wasm 4.22 kernel, operation by operation: every step is
 * Math.fround of the double result, which equals the float32 operation for + − × ÷ on float32
 * inputs. Layout is NHWC, batch 1, as Human's tensors are.
 *
 * - resizeBilinear: `tf.image.resizeBilinear(x, size)` with alignCorners and halfPixelCenters
 *   false (XNNPACK's TensorFlow-legacy mode): src = f32(i · f32(in/out)), bottom neighbour =
 *   min(top + 1, in − 1).
 * - cropAndResize: `tf.image.cropAndResize(img, [[y1, x1, y2, x2]], [0], size)`, bilinear,
 *   extrapolation value 0: src = y1·(h − 1) + i·(y2 − y1)·(h − 1)/(size − 1), samples outside
 *   [0, h − 1] are 0.
 * - nonMaxSuppression: tfjs-core's `nonMaxSuppressionV3Impl` (hard NMS, what
 *   `tf.image.nonMaxSuppressionAsync` runs on the CPU whatever the backend).
 */

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
 * True when tfjs-backend-wasm's CropAndResize would take its `memcpy` shortcut for `box`
 * (CropAndResize.cc: crop width == 1 + (x2 − x1)·(w − 1) and no fractional sampling start),
 * which copies whole source rows from column 0, ignoring x1. {@link cropAndResize} computes
 * the interpolated crop instead; callers report a hit rather than reproduce the bug.
 */
export function hitsWasmCropShortcut(img: { width: number; height: number }, box: CropBox, size: number): boolean {
  const [y1, x1, y2, x2] = box.map(f32) as [number, number, number, number];
  const hm1 = img.height - 1;
  const wm1 = img.width - 1;
  const heightScale = f32(f32(f32(y2 - y1) * hm1) / (size - 1));
  const widthScale = f32(f32(f32(x2 - x1) * wm1) / (size - 1));
  const sameSize = size === f32(1 + f32(f32(x2 - x1) * wm1));
  const yStart = f32(f32(y1 * img.height) + heightScale);
  const xStart = f32(f32(x1 * wm1) + widthScale);
  const interpolates = yStart !== Math.floor(yStart) || xStart !== Math.floor(xStart);
  return x2 > x1 && x1 >= 0 && sameSize && !interpolates;
}

/**
 * `tf.image.cropAndResize(img, [box], [0], [size, size])`, bilinear, extrapolation 0, on the
 * wasm backend → float32 NHWC with `channels` channels.
 */
export function cropAndResize(img: Nhwc<ArrayLike<number>>, box: CropBox, size: number, channels = 3): Nhwc {
  const [y1, x1, y2, x2] = box.map(f32) as [number, number, number, number];
  const { data, width, height, channels: stride } = img;
  const hm1 = height - 1;
  const wm1 = width - 1;
  if (!(size >= 2)) throw new RangeError(`crop size ${size}: Human's crops are at least 2 pixels`);
  const heightScale = f32(f32(f32(y2 - y1) * hm1) / (size - 1));
  const widthScale = f32(f32(f32(x2 - x1) * wm1) / (size - 1));
  const out = new Float32Array(size * size * channels);
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
    if (yi < 0 || yi > hm1) continue; // row stays 0 (extrapolation value)
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

/** Logistic sigmoid in float32. The wasm kernel's exp may differ by an ulp: scores agree to ~1e-7. */
export function sigmoid(x: number): number {
  return f32(1 / (1 + Math.exp(-x)));
}

function iou(boxes: ArrayLike<number>, i: number, j: number): number {
  const a0 = boxes[4 * i]!;
  const a1 = boxes[4 * i + 1]!;
  const a2 = boxes[4 * i + 2]!;
  const a3 = boxes[4 * i + 3]!;
  const b0 = boxes[4 * j]!;
  const b1 = boxes[4 * j + 1]!;
  const b2 = boxes[4 * j + 2]!;
  const b3 = boxes[4 * j + 3]!;
  const [minA0, maxA0, minA1, maxA1] = [Math.min(a0, a2), Math.max(a0, a2), Math.min(a1, a3), Math.max(a1, a3)];
  const [minB0, maxB0, minB1, maxB1] = [Math.min(b0, b2), Math.max(b0, b2), Math.min(b1, b3), Math.max(b1, b3)];
  const areaA = (maxA0 - minA0) * (maxA1 - minA1);
  const areaB = (maxB0 - minB0) * (maxB1 - minB1);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter =
    Math.max(Math.min(maxA0, maxB0) - Math.max(minA0, minB0), 0) *
    Math.max(Math.min(maxA1, maxB1) - Math.max(minA1, minB1), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Hard non-maximum suppression exactly as tfjs-core's nonMaxSuppressionV3Impl: candidates are
 * the boxes with score > scoreThreshold, best first (ties: lower index first); a candidate is
 * dropped when its IoU with any kept box is ≥ iouThreshold. Returns kept indices, best first.
 * Boxes are 4 corner values per box (the axis order does not matter for IoU).
 */
export function nonMaxSuppression(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxOutputSize: number,
  iouThreshold: number,
  scoreThreshold: number,
): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > scoreThreshold) candidates.push(i);
  candidates.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept: number[] = [];
  for (const c of candidates) {
    if (kept.length >= maxOutputSize) break;
    let suppressed = false;
    for (let j = kept.length - 1; j >= 0; j--) {
      if (iou(boxes, c, kept[j]!) >= iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(c);
  }
  return kept;
}
