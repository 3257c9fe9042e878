/**
 * @file Maps detector graph outputs (boxes relative to the square, padded input) to boxes in
 * the original image's pixels, exactly as face-api reports them. face-api does not divide by
 * the padded side: it scales by inputSize / round(side·inputSize/max(w,h)) per axis (its
 * "reshaped dimensions" correction), then by the image size; we reproduce that arithmetic.
 * Clipping is the detector graph's business (the SSD graph clips like face-api's locateFaces;
 * the tiny detector reports boxes past the image border, as face-api does). A detector fed the
 * stretched frame (`preprocess.fit: "stretch"`, BlazeFace) maps by the image's own width and
 * height, as Human does.
 */
import type { PixelBox } from '../../shared/geometry.ts';

/** One detection in image pixels. */
export interface PixelDetection {
  box: PixelBox;
  score: number;
}

/** face-api's per-axis factor from square-relative to image-relative coordinates. */
function correction(side: number, longest: number, inputSize: number): number {
  const reshaped = Math.round(side * (inputSize / longest));
  return inputSize / reshaped;
}

/**
 * Converts `boxes` [n,4] (x1,y1,x2,y2 relative to the square input) and `scores` [n] into
 * pixel boxes of an image of `image.width`×`image.height`, sorted by score, best first; `fit`
 * says how the image became the square input (the manifest's `preprocess.fit`).
 */
export function toPixelDetections(
  boxes: Float32Array,
  scores: Float32Array,
  image: { width: number; height: number },
  inputSize: number,
  fit: 'letterbox' | 'stretch' = 'letterbox',
): PixelDetection[] {
  const n = scores.length;
  if (boxes.length !== n * 4)
    throw new Error(
      `detector returned ${boxes.length / 4} boxes for ${n} scores; the model violates the face-detection contract`,
    );
  const { width, height } = image;
  if (!(width > 0 && height > 0)) throw new Error(`image size ${width}x${height} is not positive`);
  const longest = Math.max(width, height);
  const sx = fit === 'stretch' ? width : correction(width, longest, inputSize) * width;
  const sy = fit === 'stretch' ? height : correction(height, longest, inputSize) * height;
  const out: PixelDetection[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = boxes[4 * i]!;
    const y1 = boxes[4 * i + 1]!;
    const x2 = boxes[4 * i + 2]!;
    const y2 = boxes[4 * i + 3]!;
    out.push({ box: { x: x1 * sx, y: y1 * sy, width: (x2 - x1) * sx, height: (y2 - y1) * sy }, score: scores[i]! });
  }
  // Stable sort: the graph already emits NMS order, ties keep it.
  return out.sort((a, b) => b.score - a.score);
}
