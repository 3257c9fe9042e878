/**
 * @file What analysing one image produces: the shape shared by the app, the worker,
 * `npm run annotate --json`, `window.hotlens.lastResults()` and the downloadable JSON.
 * Each feature adds its own key (`faces`, `objects`, …) by augmenting {@link FeatureResults}
 * from its folder, so this module never names a feature.
 */

/**
 * Result type per feature key. Empty here; each feature declares its entry with
 * `declare module '…/shared/results.ts' { interface FeatureResults { faces: FaceAnnotation[] } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface FeatureResults {}

/** The result for one image file: geometry, the versions that produced it, one key per feature run. */
export type ImageAnnotation = {
  file: string;
  width: number;
  height: number;
  /** model id → version that produced this result. */
  models: Record<string, string>;
} & Partial<FeatureResults>;

/** A file that could not be annotated. */
export interface ImageError {
  file: string;
  error: string;
}

/** One entry of `npm run annotate --json`. */
export type AnnotateOutput = ImageAnnotation | ImageError;
