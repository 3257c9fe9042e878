/**
 * @file Face quality gate: faces too small or too blurred to estimate get a quality issue and
 * no age/gender/expression, so the UI says "too small/blurred to estimate" instead of showing
 * a confident wrong age (the attribute nets happily answer on mush: a Gaussian blur of σ=4
 * moved the estimated age of face-api's sample faces by up to 11 years).
 *
 * Sharpness is the variance of a 4-neighbour Laplacian over the grayscale face box, measured
 * at the resolution the attribute nets see: boxes larger than {@link SHARPNESS_GRID} pixels
 * are area-averaged down to that grid first, smaller ones are measured as they are (never
 * upsampled: interpolation would invent smoothness). Without this normalisation a sharp
 * close-up face (smooth skin over many pixels) would read as blurred.
 */
import type { RgbImage } from '../../shared/image.ts';
import type { PixelBox } from '../../shared/geometry.ts';
import type { QualityIssue } from './results.ts';
import { areaResizePlane } from '../../shared/pipeline/area-resample.ts';

/**
 * Shorter box side (inference pixels) below which a face is "too small". Measured by
 * shrinking face-api's six sample photos (faces 196–313 px) by 1/2…1/8 and comparing each
 * face's age with its full-size estimate: below 48 px a third of the faces moved by more than
 * 5 years (up to 14); from 48 px up about one in ten did (mean error 2–3 years).
 */
export const MIN_FACE_SIDE = 48;

/**
 * Laplacian variance (grey levels², on the {@link SHARPNESS_GRID} grid) below which a face is
 * "blurred". Measured on face-api's six sample photos (29 faces): sharp faces read 84.5–718;
 * the same photos blurred with sharp σ=4 read 5.8–32.5 (σ=3: 11.8–74, σ=2: 27–194). 50 sits
 * between the sharp minimum and the σ=4 maximum (geometric mean 52): the least sharp real face
 * is 1.7× above it, the sharpest σ=4 face 1.5× below.
 */
export const MIN_SHARPNESS = 50;

/** Side of the grid the sharpness is measured on: the attribute nets' input size. */
export const SHARPNESS_GRID = 112;

/** What the gate measured for one face (kept in RawFace for debugging and threshold tuning). */
export interface FaceQualityMetrics {
  /** Shorter side of the box, clipped to the image, in inference pixels. */
  side: number;
  /** Laplacian variance on the normalised grid. */
  sharpness: number;
}

/** Grayscale (BT.601 luma) of the clipped, floored box as a float array. */
function grayRegion(img: RgbImage, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const { data, channels } = img;
  for (let y = 0; y < h; y++) {
    let src = ((y0 + y) * img.width + x0) * channels;
    for (let x = 0; x < w; x++, src += channels) {
      out[y * w + x] = 0.299 * data[src]! + 0.587 * data[src + 1]! + 0.114 * data[src + 2]!;
    }
  }
  return out;
}

/** Variance of the 4-neighbour Laplacian over the interior of a w×h plane (0 when too small). */
export function laplacianVariance(plane: Float32Array, w: number, h: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = plane[i - w]! + plane[i + w]! + plane[i - 1]! + plane[i + 1]! - 4 * plane[i]!;
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.max(0, sumSq / n - mean * mean);
}

/** Measures size and sharpness of the face in `box` (inference pixels of `img`). */
export function measureFace(img: RgbImage, box: PixelBox): FaceQualityMetrics {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.floor(box.x + box.width));
  const y1 = Math.min(img.height, Math.floor(box.y + box.height));
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const side = Math.min(w, h);
  if (side < 3) return { side, sharpness: 0 };
  // Keep the aspect ratio: the longer side maps to the grid when the box is larger than it.
  const scale = Math.min(1, SHARPNESS_GRID / Math.max(w, h));
  const gw = Math.max(3, Math.round(w * scale));
  const gh = Math.max(3, Math.round(h * scale));
  const grid = areaResizePlane(grayRegion(img, x0, y0, w, h), w, h, gw, gh);
  return { side, sharpness: laplacianVariance(grid, gw, gh) };
}

/** The issue that stops estimation for these metrics, or undefined when the face is fine. */
export function qualityIssue(metrics: FaceQualityMetrics): QualityIssue | undefined {
  if (metrics.side < MIN_FACE_SIDE) return 'too-small';
  if (metrics.sharpness < MIN_SHARPNESS) return 'blurred';
  return undefined;
}
