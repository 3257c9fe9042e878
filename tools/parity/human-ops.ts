/**
 * @file The TF.js kernels Human's face pipeline calls, re-written over typed arrays so the
 * pipeline can run without TF.js (later: onnxruntime-web). Each reproduces the float32
 * arithmetic of the tfjs-backend-wasm 4.22 kernel, operation by operation: every step is
 * Math.fround of the double result, which equals the float32 operation for + − × ÷ on float32
 * inputs. Layout is NHWC, batch 1, as Human's tensors are.
 *
 * - resizeBilinear, cropAndResize: the app's own kernels,
 *   src/shared/pipeline/tf-kernels.ts, re-exported here;
 * - nonMaxSuppression: tfjs-core's `nonMaxSuppressionV3Impl` (hard NMS, what
 *   `tf.image.nonMaxSuppressionAsync` runs on the CPU whatever the backend).
 */
import type { CropBox } from '../../src/shared/pipeline/tf-kernels.ts';

export {
  cropAndResize,
  mapF32,
  resizeBilinear,
  type CropBox,
  type Nhwc,
} from '../../src/shared/pipeline/tf-kernels.ts';

const f32 = Math.fround;

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
