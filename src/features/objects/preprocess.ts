/**
 * @file The manifest's `preprocess` block the registry tools and publish-model write for a new
 * object detector: the whole picture stretched to the square input with TF.js `resizeBilinear`'s
 * default (asymmetric) sampling, raw RGB 0..255 — what Human feeds its centernet. The pipeline
 * reads each version's own block from the manifest, so a later version may say otherwise.
 */
import type { Preprocess } from '../../shared/manifest-types.ts';

/** The default pre-processing of an object-detection model with input side `size`. */
export function objectsPreprocess(_task: string, size: number): Preprocess {
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
    resize: 'bilinear-asymmetric',
  };
}
