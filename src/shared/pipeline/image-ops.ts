/**
 * @file DOM-free image preprocessing that reproduces TF.js bit for bit: a whole image padded to
 * a square at the bottom/right (letterbox) or stretched to the square (each axis scaled on its
 * own, as Human feeds its centernet), resized with `resizeBilinear` without half-pixel centres —
 * either asymmetric (align_corners=false, TF's default) or with align_corners=true (what nsfwjs
 * uses) — and square crops of boxes (clip and floor the box, pad to square centred, resize), as
 * face-api prepares its detector and attribute-net inputs. It runs per webcam frame in the
 * worker, so it works on typed arrays with precomputed per-axis tables and allocates nothing per
 * pixel.
 *
 * Exactness: TF.js' wasm kernel computes in float32 (scale = in/out, or (in − 1)/(out − 1) with
 * align_corners; src = scale·i, lerp = a + (b − a)·t). Every such step is written as Math.fround
 * of the double result, which equals the float32 operation (double rounding is innocuous for
 * + − × ÷ on float32 inputs).
 */
import type { RgbImage } from '../image.ts';
import type { TensorData } from '../tensor.ts';
import type { PixelBox } from '../geometry.ts';
import type { Preprocess } from '../manifest-types.ts';

const f32 = Math.fround;

/** Source sampling positions for one axis: neighbours lo/hi and the float32 weight of hi. */
interface AxisTable {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

/** Resampling to reach the model input: TF.js `resizeBilinear` with align_corners off or on. */
export type ResizeMode = Preprocess['resize'];

/** How a whole image becomes the square input (the manifest's `fit`; absent means letterbox). */
export type FitMode = NonNullable<Preprocess['fit']>;

function axisTable(inSize: number, outSize: number, alignCorners: boolean): AxisTable {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  // TF: effective sizes (in − 1, out − 1) with align_corners when the output has more than one pixel.
  const scale = alignCorners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    const src = f32(scale * i);
    const floor = Math.floor(src);
    lo[i] = floor;
    hi[i] = Math.min(inSize - 1, Math.ceil(src));
    frac[i] = f32(src - floor);
  }
  return { lo, hi, frac };
}

/**
 * A rectangle of the source image placed inside a zero-padded area of `spanX`×`spanY` pixels
 * (a square for letterbox and crops; the rectangle itself when stretching), resampled to the
 * output square.
 */
interface Placement {
  /** Top-left of the rectangle in the source image. */
  srcX: number;
  srcY: number;
  width: number;
  height: number;
  /** Offset of the rectangle inside the padded area. */
  padLeft: number;
  padTop: number;
  spanX: number;
  spanY: number;
  alignCorners: boolean;
}

/** Per output column: byte offsets of both neighbours in a source row (−1 = padding) and the weight. */
interface ColumnTable {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
  /** Columns in [innerStart, innerEnd) have both neighbours inside the image. */
  innerStart: number;
  innerEnd: number;
}

function columnTable(p: Placement, size: number, channels: number): ColumnTable {
  const xs = axisTable(p.spanX, size, p.alignCorners);
  const lo = new Int32Array(size);
  const hi = new Int32Array(size);
  let innerStart = size;
  let innerEnd = size;
  for (let c = 0; c < size; c++) {
    const l = xs.lo[c]! - p.padLeft;
    const h = xs.hi[c]! - p.padLeft;
    lo[c] = l >= 0 && l < p.width ? (p.srcX + l) * channels : -1;
    hi[c] = h >= 0 && h < p.width ? (p.srcX + h) * channels : -1;
    const inner = lo[c]! >= 0 && hi[c]! >= 0;
    if (inner && innerStart === size) innerStart = c;
    if (!inner && innerStart !== size && innerEnd === size) innerEnd = c;
  }
  return { lo, hi, frac: xs.frac, innerStart, innerEnd: Math.max(innerStart, innerEnd) };
}

/**
 * Horizontal pass of one source row: out[c·3 + k] = tl + (tr − tl)·fx in float32, exactly the
 * `top`/`bottom` terms of TF's kernel. `row` is the row's byte offset, or −1 for a padding row.
 */
function lerpRow(data: RgbImage['data'], row: number, cols: ColumnTable, out: Float32Array): void {
  if (row < 0) {
    out.fill(0);
    return;
  }
  const { lo, hi, frac, innerStart, innerEnd } = cols;
  const edge = (c: number): void => {
    const a = lo[c]!;
    const b = hi[c]!;
    const fx = frac[c]!;
    for (let k = 0; k < 3; k++) {
      const left = a >= 0 ? data[row + a + k]! : 0;
      const right = b >= 0 ? data[row + b + k]! : 0;
      out[c * 3 + k] = f32(left + f32(f32(right - left) * fx));
    }
  };
  for (let c = 0; c < innerStart; c++) edge(c);
  for (let c = innerStart; c < innerEnd; c++) {
    const a = row + lo[c]!;
    const b = row + hi[c]!;
    const fx = frac[c]!;
    const o = c * 3;
    const l0 = data[a]!;
    const l1 = data[a + 1]!;
    const l2 = data[a + 2]!;
    out[o] = f32(l0 + f32(f32(data[b]! - l0) * fx));
    out[o + 1] = f32(l1 + f32(f32(data[b + 1]! - l1) * fx));
    out[o + 2] = f32(l2 + f32(f32(data[b + 2]! - l2) * fx));
  }
  for (let c = innerEnd; c < out.length / 3; c++) edge(c);
}

/**
 * Resizes the zero-padded area described by `p` to `size`×`size` and writes it as three
 * planes (R, G, B) into `out` starting at `offset`. Separable: each needed source row is
 * interpolated horizontally once (two cached rows), then rows are blended vertically; the
 * float32 operations are the same, in the same order, as TF's one-pass kernel.
 */
function resizeIntoPlanes(img: RgbImage, p: Placement, size: number, out: Float32Array, offset: number): void {
  const { data, channels } = img;
  const stride = img.width * channels;
  const plane = size * size;
  const cols = columnTable(p, size, channels);
  const ys = axisTable(p.spanY, size, p.alignCorners);
  const slots = [new Float32Array(size * 3), new Float32Array(size * 3)] as const;
  const keys = [-2, -2];
  // Returns the horizontally interpolated padded-square row `y`, never evicting row `keep`.
  const rowAt = (y: number, keep: number): Float32Array => {
    if (keys[0] === y) return slots[0];
    if (keys[1] === y) return slots[1];
    const slot = keys[0] === keep ? 1 : 0;
    const src = y - p.padTop;
    lerpRow(data, src >= 0 && src < p.height ? (p.srcY + src) * stride : -1, cols, slots[slot]);
    keys[slot] = y;
    return slots[slot];
  };
  for (let r = 0; r < size; r++) {
    const yLo = ys.lo[r]!;
    const yHi = ys.hi[r]!;
    const top = rowAt(yLo, yHi);
    const bottom = rowAt(yHi, yLo);
    const fy = ys.frac[r]!;
    const base = offset + r * size;
    for (let k = 0; k < 3; k++) {
      const o = base + k * plane;
      for (let c = 0, i = k; c < size; c++, i += 3) {
        const t = top[i]!;
        out[o + c] = f32(t + f32(f32(bottom[i]! - t) * fy));
      }
    }
  }
}

/**
 * The whole of `img` placed in a zero-padded `spanX`×`spanY` area at the top/left and resized to
 * `size`×`size` → float32 [1,3,size,size], RGB 0..255, every element written into `out`.
 */
function wholeImage(
  img: RgbImage,
  span: { spanX: number; spanY: number },
  size: number,
  resize: ResizeMode,
  out: Float32Array,
): TensorData {
  const whole = { srcX: 0, srcY: 0, width: img.width, height: img.height, padLeft: 0, padTop: 0 };
  const alignCorners = resize === 'bilinear-align-corners';
  resizeIntoPlanes(img, { ...whole, ...span, alignCorners }, size, out, 0);
  return { type: 'float32', dims: [1, 3, size, size], data: out };
}

/**
 * The detector input: `img` padded to a square at the bottom/right with zeros, resized
 * bilinearly to `size` (TF.js semantics) → float32 [1,3,size,size], RGB 0..255, written into
 * `out` when given (every element, the padding included).
 */
export function letterbox(
  img: RgbImage,
  size: number,
  resize: ResizeMode = 'bilinear-asymmetric',
  out?: Float32Array,
): TensorData {
  const side = Math.max(img.width, img.height);
  return wholeImage(img, { spanX: side, spanY: side }, size, resize, fitOutput(size, out));
}

/**
 * The whole of `img` stretched to `size`×`size` (no padding; each axis scaled on its own), as
 * `tf.image.resizeBilinear(img, [size, size], alignCorners)` does → float32 [1,3,size,size],
 * RGB 0..255, written into `out` when given.
 */
export function stretch(
  img: RgbImage,
  size: number,
  resize: ResizeMode = 'bilinear-asymmetric',
  out?: Float32Array,
): TensorData {
  return wholeImage(img, { spanX: img.width, spanY: img.height }, size, resize, fitOutput(size, out));
}

/**
 * The input a manifest's pre-processing describes for a whole image: letterbox or stretch, at
 * `size`, written into `out` when given (every element is written).
 */
export function fitImage(
  img: RgbImage,
  pre: Pick<Preprocess, 'size' | 'fit' | 'resize'>,
  out?: Float32Array,
): TensorData {
  return (pre.fit ?? 'letterbox') === 'stretch'
    ? stretch(img, pre.size, pre.resize, out)
    : letterbox(img, pre.size, pre.resize, out);
}

/** The float32 elements of a whole-image input [1,3,size,size]. */
export function fitLength(size: number): number {
  return 3 * size * size;
}

/** The array a whole-image input of `size` is written into: `out` if given (checked), else a new one. */
export function fitOutput(size: number, out?: Float32Array): Float32Array {
  const length = fitLength(size);
  if (!out) return new Float32Array(length);
  if (out.length !== length) throw new RangeError(`the output array has ${out.length} elements, ${length} are written`);
  return out;
}

/**
 * Maps a box normalised to the model input (x1, y1, x2, y2 in 0..1) back to pixels of an image
 * of `width`×`height` prepared with `fit`: ×width/×height when stretched, ×the longer side when
 * letterboxed at the bottom/right.
 */
export function inputBoxToPixels(
  corners: ArrayLike<number>,
  image: { width: number; height: number },
  fit: FitMode | undefined,
): PixelBox {
  const stretched = (fit ?? 'letterbox') === 'stretch';
  const side = Math.max(image.width, image.height);
  const sx = stretched ? image.width : side;
  const sy = stretched ? image.height : side;
  const x1 = corners[0]! * sx;
  const y1 = corners[1]! * sy;
  return { x: x1, y: y1, width: corners[2]! * sx - x1, height: corners[3]! * sy - y1 };
}

/** face-api's Box.clipAtImageBorders: clip to the image, then floor x, y, width and height. */
export function clipBox(box: PixelBox, imgWidth: number, imgHeight: number): PixelBox {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const width = Math.min(box.x + box.width - x, imgWidth - x);
  const height = Math.min(box.y + box.height - y, imgHeight - y);
  return { x: Math.floor(x), y: Math.floor(y), width: Math.floor(width), height: Math.floor(height) };
}

/**
 * Square crops of `boxes` → float32 [b,3,size,size]: each box clipped and floored as face-api's
 * extractFaceTensors does, padded to a square centred (the odd pixel goes bottom/right), resized
 * bilinearly. A box with no pixels inside the image yields an all-zero crop (face-api drops such
 * faces); callers should not report estimates for it.
 */
export function cropSquares(img: RgbImage, boxes: readonly PixelBox[], size: number): TensorData {
  const per = 3 * size * size;
  const out = new Float32Array(boxes.length * per);
  boxes.forEach((box, i) => {
    const b = clipBox(box, img.width, img.height);
    if (!(b.width > 0 && b.height > 0)) return;
    const diff = Math.abs(b.height - b.width);
    const after = Math.round(diff * 0.5);
    const before = diff - after;
    const padLeft = b.height > b.width ? before : 0;
    const padTop = b.width > b.height ? before : 0;
    const side = Math.max(b.width, b.height);
    resizeIntoPlanes(
      img,
      {
        srcX: b.x,
        srcY: b.y,
        width: b.width,
        height: b.height,
        padLeft,
        padTop,
        spanX: side,
        spanY: side,
        alignCorners: false,
      },
      size,
      out,
      i * per,
    );
  });
  return { type: 'float32', dims: [boxes.length, 3, size, size], data: out };
}
