/**
 * @file Area-averaging downsampling (each output pixel is the exact coverage-weighted mean of
 * the input pixels under it). Used to shrink huge photos for inference and to normalise face
 * crops for the sharpness metric. Plain loops on typed arrays, identical in browser and Node,
 * so the app and `npm run annotate` see the same pixels.
 */
import type { RgbImage } from '../image.ts';

/** For each of `m` output cells: the first input index and the weights of the inputs it covers. */
export interface AreaWeights {
  start: Int32Array;
  weights: Float32Array[];
}

/** Coverage weights for shrinking `n` samples to `m` (m ≤ n); each cell's weights sum to 1. */
export function areaWeights(n: number, m: number): AreaWeights {
  if (!(m >= 1 && m <= n)) throw new RangeError(`area resampling shrinks only (${n} → ${m})`);
  const start = new Int32Array(m);
  const weights: Float32Array[] = [];
  const ratio = n / m;
  for (let j = 0; j < m; j++) {
    const a = j * ratio;
    const b = (j + 1) * ratio;
    const first = Math.floor(a);
    const last = Math.min(n - 1, Math.ceil(b) - 1);
    const w = new Float32Array(last - first + 1);
    for (let i = first; i <= last; i++) w[i - first] = (Math.min(b, i + 1) - Math.max(a, i)) / ratio;
    start[j] = first;
    weights.push(w);
  }
  return { start, weights };
}

/** Shrinks a w×h float plane to gw×gh (separable: rows, then columns). */
export function areaResizePlane(src: Float32Array, w: number, h: number, gw: number, gh: number): Float32Array {
  if (gw === w && gh === h) return src;
  const xs = areaWeights(w, gw);
  const ys = areaWeights(h, gh);
  const tmp = new Float32Array(gw * h);
  for (let y = 0; y < h; y++) {
    for (let j = 0; j < gw; j++) {
      const wts = xs.weights[j]!;
      const base = y * w + xs.start[j]!;
      let s = 0;
      for (let k = 0; k < wts.length; k++) s += wts[k]! * src[base + k]!;
      tmp[y * gw + j] = s;
    }
  }
  const out = new Float32Array(gw * gh);
  for (let i = 0; i < gh; i++) {
    const wts = ys.weights[i]!;
    const first = ys.start[i]!;
    for (let x = 0; x < gw; x++) {
      let s = 0;
      for (let k = 0; k < wts.length; k++) s += wts[k]! * tmp[(first + k) * gw + x]!;
      out[i * gw + x] = s;
    }
  }
  return out;
}

/** Shrinks an RGB(A) image to width×height RGB (alpha dropped), rounding to 8 bits. */
export function areaResizeRgb(img: RgbImage, width: number, height: number): RgbImage {
  const { data, channels } = img;
  const xs = areaWeights(img.width, width);
  const ys = areaWeights(img.height, height);
  // Rows first into a float buffer of width×img.height×3, then columns.
  const tmp = new Float32Array(width * img.height * 3);
  for (let y = 0; y < img.height; y++) {
    const row = y * img.width * channels;
    for (let j = 0; j < width; j++) {
      const wts = xs.weights[j]!;
      let r = 0;
      let g = 0;
      let b = 0;
      let src = row + xs.start[j]! * channels;
      for (let k = 0; k < wts.length; k++, src += channels) {
        const wk = wts[k]!;
        r += wk * data[src]!;
        g += wk * data[src + 1]!;
        b += wk * data[src + 2]!;
      }
      const o = (y * width + j) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < height; i++) {
    const wts = ys.weights[i]!;
    const first = ys.start[i]!;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < wts.length; k++) {
        const wk = wts[k]!;
        const s = ((first + k) * width + x) * 3;
        r += wk * tmp[s]!;
        g += wk * tmp[s + 1]!;
        b += wk * tmp[s + 2]!;
      }
      const o = (i * width + x) * 3;
      out[o] = Math.min(255, Math.max(0, Math.round(r)));
      out[o + 1] = Math.min(255, Math.max(0, Math.round(g)));
      out[o + 2] = Math.min(255, Math.max(0, Math.round(b)));
    }
  }
  return { width, height, channels: 3, data: out };
}
