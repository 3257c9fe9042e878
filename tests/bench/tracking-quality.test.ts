/**
 * @file How the bench decides that a tracked frame matches the full pipeline's: every face of
 * both results paired one-to-one at IoU ≥ 0.5 (best pairs first), no face left over on either
 * side, and the age difference of the pairs where both sides estimated an age.
 */
import { describe, expect, it } from 'vitest';
import { MATCH_IOU, matchFrame } from '../../bench/lib/tracking-quality.ts';
import type { FaceAnnotation } from '../../src/features/faces/results.ts';

const face = (x: number, y: number, side: number, age: number | null = 30): FaceAnnotation => ({
  box: { x, y, width: side, height: side },
  score: 0.9,
  age,
  gender: age === null ? null : 'female',
  genderProbability: age === null ? null : 0.9,
  expression: age === null ? null : { label: 'happy', probability: 0.8 },
});

describe('matchFrame', () => {
  it('matches identical and slightly moved faces, and reports their age differences', () => {
    const full = [face(0, 0, 100, 30), face(200, 0, 100, 40)];
    const tracked = [face(210, 5, 100, 42.5), face(5, 5, 100, 31)];
    const m = matchFrame(full, tracked);
    expect(m.matched).toBe(true);
    expect(m.ageDiffs.sort()).toEqual([1, 2.5]);
  });

  it('fails a frame with a face missing or an extra one, and a box too far off', () => {
    const full = [face(0, 0, 100), face(200, 0, 100)];
    expect(matchFrame(full, [face(0, 0, 100)]).matched).toBe(false);
    expect(matchFrame([face(0, 0, 100)], full).matched).toBe(false);
    // IoU of a 100-px box shifted by 40 px is 60/140 < 0.5.
    expect(MATCH_IOU).toBe(0.5);
    expect(matchFrame([face(0, 0, 100)], [face(40, 0, 100)]).matched).toBe(false);
    expect(matchFrame([face(0, 0, 100)], [face(30, 0, 100)]).matched).toBe(true);
  });

  it('pairs one-to-one, best overlap first, so one tracked face cannot stand for two', () => {
    const full = [face(0, 0, 100), face(10, 0, 100)];
    expect(matchFrame(full, [face(5, 0, 100)]).matched).toBe(false);
    const m = matchFrame(full, [face(12, 0, 100, 50), face(0, 0, 100, 30)]);
    expect(m.matched).toBe(true);
    expect(m.ageDiffs.sort((a, b) => a - b)).toEqual([0, 20]);
  });

  it('counts empty frames as matching and leaves unestimated faces out of the age difference', () => {
    expect(matchFrame([], [])).toEqual({ matched: true, ageDiffs: [] });
    expect(matchFrame([face(0, 0, 40, null)], [face(0, 0, 40, 25)])).toEqual({ matched: true, ageDiffs: [] });
  });
});
