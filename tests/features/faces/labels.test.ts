/**
 * @file The words shown for a face: the short overlay label and the full description.
 */
import { describe, expect, it } from 'vitest';
import { faceDescription, faceLabel, LOW_QUALITY_LABEL } from '../../../src/features/faces/labels.ts';
import type { FaceAnnotation } from '../../../src/features/faces/results.ts';

describe('face labels', () => {
  const good: FaceAnnotation = {
    box: { x: 1, y: 2, width: 30, height: 40 },
    score: 0.934,
    age: 31.26,
    gender: 'female',
    genderProbability: 0.9712,
    expression: { label: 'happy', probability: 0.88 },
  };
  const small: FaceAnnotation = {
    ...good,
    age: null,
    gender: null,
    genderProbability: null,
    expression: null,
    quality: 'too-small',
  };

  it('labels estimated faces briefly and describes them fully', () => {
    expect(faceLabel(good, 0)).toBe('1 · female 31 · happy');
    expect(faceDescription(good, 0)).toBe('Face 1: age 31.3, female (97%), happy (88%), detection score 0.93.');
  });

  it('says a low-quality face was not estimated', () => {
    expect(faceLabel(small, 1)).toBe(`2 · ${LOW_QUALITY_LABEL}`);
    expect(LOW_QUALITY_LABEL).toBe('face — too small/blurred to estimate');
    expect(faceDescription(small, 1)).toMatch(/too small to estimate/);
  });
});
