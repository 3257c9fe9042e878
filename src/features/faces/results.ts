/**
 * @file What the faces feature reports per face: the `faces` key of an image's result (the
 * JSON of `npm run annotate --json`, `hotlens.lastResults()` and the downloaded JSON).
 */
import type { PixelBox } from '../../shared/geometry.ts';

/** The seven expression classes, in the expression model's default output order. */
export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number];

/** Gender classes in the attribute model's default output order. */
export const GENDER_LABELS = ['male', 'female'] as const;
export type Gender = (typeof GENDER_LABELS)[number];

/** Why a face was not estimated. */
export type QualityIssue = 'too-small' | 'blurred';

/** One annotated face. Estimates are null when `quality` names an issue. */
export interface FaceAnnotation {
  box: PixelBox;
  score: number;
  age: number | null;
  gender: Gender | null;
  genderProbability: number | null;
  expression: { label: ExpressionLabel; probability: number } | null;
  /** Present when the face was too small or too blurred to estimate. */
  quality?: QualityIssue;
}

declare module '../../shared/results.ts' {
  interface FeatureResults {
    /** Faces, best detection score first. */
    faces: FaceAnnotation[];
  }
}
