/**
 * @file What one comparison of a candidate model against the serving one yields, as counts that
 * add up over frames and photos (so a live report is a running sum, and the shares are computed
 * only when it is shown): boxes matched at IoU ≥ 0.5 (overall and per class), agreement shares
 * (gender, top-1 class…) and absolute errors (age). Features produce these from their results,
 * generically (compare/generic.ts) or with their own `compare` (src/features/<feature>/compare.ts).
 */
import { iou, type PixelBox } from '../geometry.ts';

/** Boxes found by the serving version and by the candidate, matched one-to-one at IoU ≥ {@link MATCH_IOU}. */
export interface BoxCounts {
  serving: number;
  candidate: number;
  /** Pairs matched. */
  matched: number;
  /** Sum of the matched pairs' IoU. */
  iouSum: number;
  /** Sum over matched pairs of candidate score − serving score. */
  scoreShiftSum: number;
}

/** How often the two versions said the same thing (e.g. the same gender for a face). */
export interface ShareCounts {
  agree: number;
  total: number;
}

/** Absolute differences of a number both versions estimate (e.g. age). */
export interface ErrorCounts {
  absSum: number;
  count: number;
}

/** One comparison, or the sum of many. Every member is optional: a feature fills what it has. */
export interface ComparisonCounts {
  boxes?: BoxCounts;
  /** Boxes per class label, matched only within the class. */
  classes?: Record<string, BoxCounts>;
  /** Agreement shares by name ("gender", "expression", "top-1 class"…). */
  agreement?: Record<string, ShareCounts>;
  /** Absolute errors by name ("age"). */
  error?: Record<string, ErrorCounts>;
}

/** IoU a candidate box needs with a serving box to count as the same thing. */
export const MATCH_IOU = 0.5;

/** A thing found in an image, as the box comparison sees it. */
export interface Found {
  box: PixelBox;
  score?: number;
  label?: string;
}

/** One matched pair: indexes into the serving and candidate lists, and their IoU. */
export interface BoxMatch {
  serving: number;
  candidate: number;
  iou: number;
}

/**
 * Matches serving and candidate boxes one-to-one, best IoU first (ties: earlier serving box,
 * then earlier candidate box), keeping pairs at IoU ≥ `threshold`; with `sameLabel`, only boxes
 * of the same label pair up. Deterministic, so a report is reproducible.
 */
export function matchBoxes(
  serving: readonly Found[],
  candidate: readonly Found[],
  options: { threshold?: number; sameLabel?: boolean } = {},
): BoxMatch[] {
  const threshold = options.threshold ?? MATCH_IOU;
  const pairs: BoxMatch[] = [];
  serving.forEach((s, i) =>
    candidate.forEach((c, j) => {
      if (options.sameLabel && s.label !== c.label) return;
      const v = iou(s.box, c.box);
      if (v >= threshold) pairs.push({ serving: i, candidate: j, iou: v });
    }),
  );
  pairs.sort((a, b) => b.iou - a.iou || a.serving - b.serving || a.candidate - b.candidate);
  const usedS = new Set<number>();
  const usedC = new Set<number>();
  const out: BoxMatch[] = [];
  for (const p of pairs) {
    if (usedS.has(p.serving) || usedC.has(p.candidate)) continue;
    usedS.add(p.serving);
    usedC.add(p.candidate);
    out.push(p);
  }
  return out.sort((a, b) => a.serving - b.serving);
}

/** Box counts of one image from its matches. */
export function boxCounts(serving: readonly Found[], candidate: readonly Found[], matches: readonly BoxMatch[]) {
  const counts: BoxCounts = {
    serving: serving.length,
    candidate: candidate.length,
    matched: 0,
    iouSum: 0,
    scoreShiftSum: 0,
  };
  for (const m of matches) {
    counts.matched++;
    counts.iouSum += m.iou;
    counts.scoreShiftSum += (candidate[m.candidate]!.score ?? 0) - (serving[m.serving]!.score ?? 0);
  }
  return counts;
}

/** Per-class box counts of one image (class-aware matching). */
export function classCounts(serving: readonly Found[], candidate: readonly Found[]): Record<string, BoxCounts> {
  const labels = new Set([...serving, ...candidate].map((f) => f.label ?? ''));
  const out: Record<string, BoxCounts> = {};
  for (const label of [...labels].sort()) {
    const s = serving.filter((f) => (f.label ?? '') === label);
    const c = candidate.filter((f) => (f.label ?? '') === label);
    out[label] = boxCounts(s, c, matchBoxes(s, c));
  }
  return out;
}

function addBoxes(a: BoxCounts | undefined, b: BoxCounts): BoxCounts {
  if (!a) return { ...b };
  return {
    serving: a.serving + b.serving,
    candidate: a.candidate + b.candidate,
    matched: a.matched + b.matched,
    iouSum: a.iouSum + b.iouSum,
    scoreShiftSum: a.scoreShiftSum + b.scoreShiftSum,
  };
}

function addRecord<T>(a: Record<string, T> | undefined, b: Record<string, T>, add: (x: T | undefined, y: T) => T) {
  const out: Record<string, T> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = add(out[k], v);
  return out;
}

/** The sum of two comparisons. */
export function addCounts(a: ComparisonCounts, b: ComparisonCounts): ComparisonCounts {
  const out: ComparisonCounts = { ...a };
  if (b.boxes) out.boxes = addBoxes(a.boxes, b.boxes);
  if (b.classes) out.classes = addRecord(a.classes, b.classes, addBoxes);
  if (b.agreement)
    out.agreement = addRecord(a.agreement, b.agreement, (x, y) => ({
      agree: (x?.agree ?? 0) + y.agree,
      total: (x?.total ?? 0) + y.total,
    }));
  if (b.error)
    out.error = addRecord(a.error, b.error, (x, y) => ({
      absSum: (x?.absSum ?? 0) + y.absSum,
      count: (x?.count ?? 0) + y.count,
    }));
  return out;
}

/** Adds one agreement observation (`same` or not) under `name`. */
export function agreeOn(counts: ComparisonCounts, name: string, same: boolean): void {
  const share = ((counts.agreement ??= {})[name] ??= { agree: 0, total: 0 });
  share.total++;
  if (same) share.agree++;
}

/** Adds one absolute difference under `name`. */
export function errorOn(counts: ComparisonCounts, name: string, diff: number): void {
  const e = ((counts.error ??= {})[name] ??= { absSum: 0, count: 0 });
  e.absSum += Math.abs(diff);
  e.count++;
}
