/**
 * @file How a candidate model's faces compare with the serving version's on the same image: the
 * boxes as any detection (matched at IoU ≥ 0.5), and on every matched face that both versions
 * estimated, the age (mean absolute error, and the share within {@link AGE_AGREES_WITHIN} years),
 * the gender and the expression (agreement). Whichever face model is the candidate, its effect
 * shows here: a detector moves the boxes (and the crops the other nets see), an attribute or
 * expression net the estimates.
 */
import { agreeOn, errorOn, matchBoxes, type ComparisonCounts } from '../../shared/compare/counts.ts';
import { compareFound } from '../../shared/compare/generic.ts';
import type { FaceAnnotation } from './results.ts';

/** Ages closer than this (years) count as agreeing in the agreement share. */
export const AGE_AGREES_WITHIN = 5;

/** Compares two faces results of one image. */
export function compareFaces(
  serving: readonly FaceAnnotation[],
  candidate: readonly FaceAnnotation[],
): ComparisonCounts {
  const counts = compareFound(serving, candidate);
  for (const m of matchBoxes(serving, candidate)) {
    const s = serving[m.serving]!;
    const c = candidate[m.candidate]!;
    if (s.age !== null && c.age !== null) {
      errorOn(counts, 'age', c.age - s.age);
      agreeOn(counts, `age within ${AGE_AGREES_WITHIN} years`, Math.abs(c.age - s.age) <= AGE_AGREES_WITHIN);
    }
    if (s.gender !== null && c.gender !== null) agreeOn(counts, 'gender', s.gender === c.gender);
    if (s.expression && c.expression) agreeOn(counts, 'expression', s.expression.label === c.expression.label);
  }
  return counts;
}
