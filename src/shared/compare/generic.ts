/**
 * @file Comparing two results of a feature without knowing the feature: a result that is a list
 * of things with boxes (faces, objects) is compared box by box (IoU ≥ 0.5, share found, extras,
 * mean IoU, score shift; per class when the things carry a `label`); a list of classes with
 * probabilities (image classification) by its top-1 class. A feature whose results say more (a
 * face's age and gender) adds its own `compare` (src/shared/feature.ts) and this is not used.
 */
import type { Feature } from '../feature.ts';
import { agreeOn, boxCounts, classCounts, matchBoxes, type ComparisonCounts, type Found } from './counts.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isBox(v: unknown): boolean {
  return isObj(v) && isNum(v.x) && isNum(v.y) && isNum(v.width) && isNum(v.height);
}

/** The items of a result that have a box, as {@link Found}s; null when the result is not such a list. */
export function foundItems(result: unknown): Found[] | null {
  if (!Array.isArray(result) || !result.every((item) => isObj(item) && isBox(item.box))) return null;
  return (result as Obj[]).map((item) => {
    const found: Found = { box: item.box as Found['box'] };
    if (isNum(item.score)) found.score = item.score;
    if (typeof item.label === 'string') found.label = item.label;
    return found;
  });
}

/** The label with the highest probability of a class list; undefined when the result is not one (or is empty). */
export function topClass(result: unknown): string | undefined {
  if (!Array.isArray(result)) return undefined;
  let best: { label: string; probability: number } | undefined;
  for (const item of result) {
    if (!isObj(item) || typeof item.label !== 'string' || !isNum(item.probability) || isBox(item.box)) return undefined;
    if (!best || item.probability > best.probability) best = { label: item.label, probability: item.probability };
  }
  return best?.label;
}

/** Box counts of two lists of found things (per class too when any has a label). */
export function compareFound(serving: readonly Found[], candidate: readonly Found[]): ComparisonCounts {
  const counts: ComparisonCounts = { boxes: boxCounts(serving, candidate, matchBoxes(serving, candidate)) };
  if ([...serving, ...candidate].some((f) => f.label !== undefined)) counts.classes = classCounts(serving, candidate);
  return counts;
}

/** Compares two results of one feature by their shape (see the file comment); empty when the shape is unknown. */
export function compareGeneric(serving: unknown, candidate: unknown): ComparisonCounts {
  const s = foundItems(serving);
  const c = foundItems(candidate);
  if (s && c) return compareFound(s, c);
  const a = topClass(serving);
  const b = topClass(candidate);
  const counts: ComparisonCounts = {};
  if (a !== undefined && b !== undefined) agreeOn(counts, 'top-1 class', a === b);
  return counts;
}

/** Compares two results of `feature`: its own `compare` when it has one, else {@link compareGeneric}. */
export function compareResults(feature: Feature, serving: unknown, candidate: unknown): ComparisonCounts {
  return feature.compare ? feature.compare(serving, candidate) : compareGeneric(serving, candidate);
}
