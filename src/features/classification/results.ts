/**
 * @file What the classification feature reports: the `classification` key of an image's result
 * (the JSON of `npm run annotate --json`, `hotlens.lastResults()` and the downloaded JSON) — the
 * top classes of the whole image, most probable first.
 */

/** How many classes a result keeps. */
export const TOP_CLASSES = 5;

/** One class of the whole image and its probability. */
export interface ClassAnnotation {
  label: string;
  probability: number;
}

declare module '../../shared/results.ts' {
  interface FeatureResults {
    /** The top {@link TOP_CLASSES} classes, most probable first. */
    classification: ClassAnnotation[];
  }
}
