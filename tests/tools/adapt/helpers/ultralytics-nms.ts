/**
 * @file A plain-JavaScript port of what Ultralytics `predict` does with a detect head
 * (ultralytics/utils/nms.py `non_max_suppression` with multi_label and agnostic off, then
 * clipping): the reference the wrapped graph is compared with. Written from the algorithm, not
 * from the graph: best class per box, keep score > conf, sort by score, greedy NMS within each
 * class suppressing IoU > iou, keep the first max_det.
 */

/** One detection: x1,y1,x2,y2 normalised to the input and clipped to 0..1. */
export interface Detection {
  box: [number, number, number, number];
  score: number;
  cls: number;
}

/** Runs the reference on a head [1,4+K,N] (row-major Float32Array) of an S×S input. */
export function ultralyticsDetect(
  head: Float32Array,
  k: number,
  n: number,
  size: number,
  opts: { conf: number; iou: number; maxDet: number },
): Detection[] {
  const at = (row: number, i: number) => head[row * n + i]!;
  const candidates: Array<Detection & { px: number[] }> = [];
  for (let i = 0; i < n; i++) {
    let cls = 0;
    for (let c = 1; c < k; c++) if (at(4 + c, i) > at(4 + cls, i)) cls = c;
    const score = at(4 + cls, i);
    if (!(score > opts.conf)) continue;
    const [cx, cy, w, h] = [at(0, i), at(1, i), at(2, i), at(3, i)];
    const px = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    candidates.push({ px, score, cls, box: [0, 0, 0, 0] });
  }
  candidates.sort((a, b) => b.score - a.score);
  const iou = (a: number[], b: number[]) => {
    const iw = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
    const ih = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
    const inter = iw * ih;
    const area = (r: number[]) => (r[2]! - r[0]!) * (r[3]! - r[1]!);
    return inter / (area(a) + area(b) - inter);
  };
  const kept: typeof candidates = [];
  for (const c of candidates) {
    if (kept.some((k2) => k2.cls === c.cls && iou(k2.px, c.px) > opts.iou)) continue;
    kept.push(c);
  }
  const clip = (v: number) => Math.min(1, Math.max(0, v / size));
  return kept.slice(0, opts.maxDet).map(({ px, score, cls }) => ({
    box: [clip(px[0]!), clip(px[1]!), clip(px[2]!), clip(px[3]!)],
    score,
    cls,
  }));
}
