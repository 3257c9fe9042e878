/**
 * @file The manifest's `preprocess` block the registry tools and publish-model write for a new
 * classifier: the whole picture stretched to the square input with TF.js
 * `resizeBilinear(…, alignCorners = true)`, raw RGB 0..255 (scaling and normalisation are in the
 * graph) — what nsfwjs's `classify` does. The pipeline reads each version's own block from the
 * manifest, so a later version may say otherwise.
 */
import type { Preprocess } from '../../shared/manifest-types.ts';

/** The default pre-processing of an image-classification model with input side `size`. */
export function classificationPreprocess(_task: string, size: number): Preprocess {
  return {
    size,
    fit: 'stretch',
    // Unused with stretch; kept because schema 1 requires it.
    pad: 'bottom-right',
    channels: 'rgb',
    layout: 'nchw',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    resize: 'bilinear-align-corners',
  };
}
