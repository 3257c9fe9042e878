/**
 * @file What the objects feature reports per object: the `objects` key of an image's result
 * (the JSON of `npm run annotate --json`, `hotlens.lastResults()` and the downloaded JSON).
 */
import type { PixelBox } from '../../shared/geometry.ts';

/** One detected object: its box in original-image pixels, the detector's score and class name. */
export interface ObjectAnnotation {
  box: PixelBox;
  score: number;
  label: string;
}

declare module '../../shared/results.ts' {
  interface FeatureResults {
    /** Objects, best score first. */
    objects: ObjectAnnotation[];
  }
}
