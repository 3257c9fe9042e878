/**
 * @file Where a box's label goes: never over the box it describes when there is room. Above the
 * box by default, below when there is no room above, always clamped inside the image; with
 * several boxes, a position that covers no kept-clear box (faces) and no earlier label is
 * preferred. Pure geometry (unit-tested).
 */

/** An axis-aligned rectangle in image pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A width and height in image pixels. */
export interface Size {
  width: number;
  height: number;
}

/** Where a label ended up relative to its box. */
export type LabelSide = 'above' | 'below' | 'inside';

/** A placed label. */
export interface LabelPlacement extends Rect {
  side: LabelSide;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** True when two rectangles overlap by more than a hair. */
export function overlaps(a: Rect, b: Rect): boolean {
  const eps = 0.5;
  return (
    a.x + eps < b.x + b.width && b.x + eps < a.x + a.width && a.y + eps < b.y + b.height && b.y + eps < a.y + a.height
  );
}

function candidate(box: Rect, label: Size, image: Size, side: LabelSide, gap: number): LabelPlacement {
  const x = clamp(box.x, 0, Math.max(0, image.width - label.width));
  const maxY = Math.max(0, image.height - label.height);
  const y =
    side === 'above' ? box.y - gap - label.height : side === 'below' ? box.y + box.height + gap : clamp(box.y, 0, maxY);
  return { x, y: clamp(y, 0, maxY), width: label.width, height: label.height, side };
}

function fits(box: Rect, label: Size, image: Size, side: LabelSide, gap: number): boolean {
  if (side === 'above') return box.y - gap - label.height >= 0;
  if (side === 'below') return box.y + box.height + gap + label.height <= image.height;
  return true;
}

/**
 * Places one label: above the box if it fits, else below, else inside the top of the box
 * (the face fills the image height). x is aligned with the box and clamped to the image.
 */
export function placeLabel(box: Rect, labelSize: Size, imageSize: Size, gap = 0): LabelPlacement {
  for (const side of ['above', 'below'] as const) {
    if (fits(box, labelSize, imageSize, side, gap)) return candidate(box, labelSize, imageSize, side, gap);
  }
  return candidate(box, labelSize, imageSize, 'inside', gap);
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Positions tried for a crowded label: above/below, left- or right-aligned, stepped away from the face. */
function candidates(box: Rect, label: Size, image: Size, gap: number): LabelPlacement[] {
  const out: LabelPlacement[] = [];
  const maxX = Math.max(0, image.width - label.width);
  const maxY = Math.max(0, image.height - label.height);
  for (let step = 0; step < 3; step++) {
    for (const side of ['above', 'below'] as const) {
      const y =
        side === 'above' ? box.y - gap - label.height * (step + 1) : box.y + box.height + gap + label.height * step;
      if (y < 0 || y > maxY) continue;
      for (const x of [box.x, box.x + box.width - label.width]) {
        out.push({ x: clamp(x, 0, maxX), y, width: label.width, height: label.height, side });
      }
    }
  }
  return out;
}

/**
 * Places labels for several boxes in order (highest score first). Each label takes the first
 * position (above, then below; left- then right-aligned; then stepped further away) that
 * covers no kept-clear box and no label placed before it. When every position is taken (a
 * crowd filling the image) it takes the one covering the least; {@link placeLabel} is the last
 * resort. `keepClear[i]` false lets other labels cover box i (objects); default: every box.
 */
export function placeLabels(
  boxes: readonly Rect[],
  labelSizes: readonly Size[],
  imageSize: Size,
  gap = 0,
  keepClear?: readonly boolean[],
): LabelPlacement[] {
  const placed: LabelPlacement[] = [];
  const clear = boxes.filter((_, i) => keepClear?.[i] ?? true);
  boxes.forEach((box, i) => {
    const size = labelSizes[i] ?? { width: 0, height: 0 };
    const obstacles: Rect[] = [...clear, ...placed];
    let best: LabelPlacement | null = null;
    let bestCost = Infinity;
    for (const c of candidates(box, size, imageSize, gap)) {
      // Covering its own box is worse than covering another box or label.
      const cost = obstacles.reduce((sum, o) => sum + overlapArea(c, o), 0) + 4 * overlapArea(c, box);
      if (cost < bestCost) {
        best = c;
        bestCost = cost;
        if (cost === 0) break;
      }
    }
    placed.push(best ?? placeLabel(box, size, imageSize, gap));
  });
  return placed;
}
