/**
 * @file Boxes in image pixels and the few operations on them every feature shares (drawing,
 * label placement, matching detections across frames or model versions).
 */

/** A box in pixels of the original image. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: PixelBox, b: PixelBox): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** `box` with every coordinate multiplied by `factor`. */
export function scaleBox(box: PixelBox, factor: number): PixelBox {
  return { x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor };
}

/** `v` rounded to `digits` decimals (result JSON keeps a readable precision). */
export function roundTo(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** `box` with coordinates rounded to one decimal. */
export function roundBox(box: PixelBox): PixelBox {
  return { x: roundTo(box.x, 1), y: roundTo(box.y, 1), width: roundTo(box.width, 1), height: roundTo(box.height, 1) };
}
