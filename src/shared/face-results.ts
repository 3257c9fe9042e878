/**
 * @file What the pipeline produces for one image: the shape shared by the app, the worker,
 * `npm run annotate --json` and the downloadable JSON.
 */

/** The seven expression classes, in the model's output order. */
export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number];

/** Gender classes in the attribute model's output order. */
export const GENDER_LABELS = ['male', 'female'] as const;
export type Gender = (typeof GENDER_LABELS)[number];

/** A box in pixels of the original image. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

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

/** The result for one image file (the JSON of `npm run annotate --json`). */
export interface ImageAnnotation {
  file: string;
  width: number;
  height: number;
  /** model id → version that produced this result. */
  models: Record<string, string>;
  faces: FaceAnnotation[];
}

/** A file that could not be annotated. */
export interface ImageError {
  file: string;
  error: string;
}

export type AnnotateOutput = ImageAnnotation | ImageError;
