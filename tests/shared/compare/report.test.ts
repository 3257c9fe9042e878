/**
 * @file The shadow comparison: boxes matched one-to-one at IoU ≥ 0.5, the report's shares (found,
 * extra, mean IoU, score shift), the faces comparison (age MAE, gender and expression agreement),
 * the gate's agreement (the lowest share; failures count as disagreement) and p50 run times.
 */
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../../src/features/index.ts';
import { matchBoxes } from '../../../src/shared/compare/counts.ts';
import { iou } from '../../../src/shared/geometry.ts';
import { compareGeneric } from '../../../src/shared/compare/generic.ts';
import { describeReport, percentile, ShadowTally } from '../../../src/shared/compare/report.ts';

const box = (x: number, y: number, w = 10, h = 10) => ({ x, y, width: w, height: h });
const face = (b: ReturnType<typeof box>, score: number, age: number, gender: 'male' | 'female', expr: string) => ({
  box: b,
  score,
  age,
  gender,
  genderProbability: 0.9,
  expression: { label: expr, probability: 0.8 },
});

describe('box matching', () => {
  it('computes IoU and matches best pairs one-to-one above the threshold', () => {
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(5, 0))).toBeCloseTo(50 / 150);
    expect(iou(box(0, 0), box(20, 20))).toBe(0);
    const m = matchBoxes([{ box: box(0, 0) }, { box: box(100, 100) }], [{ box: box(1, 0) }, { box: box(0, 1) }]);
    expect(m.map((p) => [p.serving, p.candidate])).toEqual([[0, 0]]);
  });

  it('compares class lists by their top-1 class', () => {
    const a = [
      { label: 'cat', probability: 0.7 },
      { label: 'dog', probability: 0.2 },
    ];
    expect(compareGeneric(a, [{ label: 'cat', probability: 0.5 }])).toEqual({
      agreement: { 'top-1 class': { agree: 1, total: 1 } },
    });
  });
});

describe('ShadowTally', () => {
  const faces = FEATURES.find((f) => f.id === 'faces')!;
  const tally = () =>
    new ShadowTally({
      model: 'face-detector',
      task: 'face-detection',
      candidate: { version: 'c', sha256: 's' },
      features: [faces],
    });

  it('sums faces over frames into the report figures', () => {
    const t = tally();
    const serving = [face(box(0, 0), 0.9, 30, 'male', 'happy'), face(box(50, 50), 0.8, 40, 'female', 'sad')];
    const candidate = [face(box(1, 0), 0.95, 34, 'male', 'neutral'), face(box(200, 200), 0.6, 20, 'male', 'sad')];
    t.add({
      kind: 'frame',
      serving: { faces: serving },
      candidate: { faces: candidate },
      modelMs: { serving: 10, candidate: 20 },
      at: 1,
    });
    t.add({
      kind: 'photo',
      serving: { faces: serving },
      candidate: { faces: serving },
      modelMs: { serving: 30, candidate: 40 },
      at: 2,
    });
    const r = t.report();
    expect(r).toMatchObject({ frames: 1, photos: 1, compared: 2, failures: 0 });
    const b = r.results.faces!.boxes!;
    expect(b).toMatchObject({ serving: 4, candidate: 4, matched: 3, found: 0.75, extra: 0.25 });
    expect(b.meanIoU).toBeCloseTo((90 / 110 + 1 + 1) / 3);
    expect(b.scoreShift).toBeCloseTo(0.05 / 3);
    expect(r.results.faces!.meanAbsError!.age).toEqual({ value: 4 / 3, n: 3 });
    expect(r.results.faces!.agreement!.gender).toEqual({ value: 1, n: 3 });
    expect(r.results.faces!.agreement!.expression!.value).toBeCloseTo(2 / 3);
    expect(r.runTimes).toEqual({ serving: { p50Ms: 10, n: 2 }, candidate: { p50Ms: 20, n: 2 } });
    // The gate's agreement is the lowest share: boxes 3 / (4 + 4 − 3).
    expect(r.agreement).toBeCloseTo(0.6);
    expect(describeReport(r)).toContain('faces: found 75% of 4 serving boxes, 25% extra');
  });

  it('counts a candidate failure as full disagreement, and a detector that finds nothing as 0', () => {
    const t = tally();
    const serving = [face(box(0, 0), 0.9, 30, 'male', 'happy')];
    t.add({ kind: 'frame', serving: { faces: serving }, candidate: { faces: [] }, at: 1 });
    expect(t.report().agreement).toBe(0);
    const u = tally();
    u.add({ kind: 'frame', serving: { faces: serving }, candidate: { faces: serving }, at: 1 });
    u.add({ kind: 'frame', serving: { faces: serving }, candidate: {}, error: 'boom', at: 2 });
    expect(u.report()).toMatchObject({ agreement: 0.5, failures: 1, lastFailure: 'boom' });
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([3, 1, 2, 4], 50)).toBe(2);
  });
});
