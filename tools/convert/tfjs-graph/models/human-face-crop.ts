/**
 * @file How Human 3.3.6 cuts the face crop its FaceRes and emotion nets see when the mesh is off
 * (tools/parity/HUMAN-FACE-PIPELINE.md §2.6, §3): BlazeFace's box enlarged 1.4× and squared,
 * corners rounded, sampled at BlazeFace's own input side (256) with TF crop_and_resize (black
 * beyond the image), values ÷ 255, then each net resizes to its input side (and FaceRes × 255).
 * The generation-2 attribute and expression versions publish this as their `preprocess.crop`,
 * so the app cuts exactly Human's crop without knowing whose models these are. Rotation stays off
 * (Human's default `detector.rotation: false`).
 */
import type { EnlargedSquareCrop, Preprocess } from '../../../../src/shared/manifest-types.ts';

/** Human's `face.detector.scale` default. */
export const HUMAN_BOX_ENLARGE = 1.4;

/** Human's face crop for a BlazeFace of input side `detectorSide`. */
export function humanFaceCrop(detectorSide = 256): EnlargedSquareCrop {
  return {
    method: 'crop-and-resize',
    enlarge: HUMAN_BOX_ENLARGE,
    square: 'longer-side',
    round: 'nearest',
    side: detectorSide,
    fill: 0,
    unit: 255,
  };
}

/** What a converted model adds to its task's default `preprocess` description. */
export type PreprocessExtension = Pick<Preprocess, 'fit' | 'crop'>;
