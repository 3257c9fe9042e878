/**
 * @file The manifest's `preprocess` block for the face models, describing what the faces
 * pipeline does (letterbox for the detector, centred square crops for the attribute nets), so
 * the registry tools and publish-model write the same description.
 */
import type { Preprocess } from '../../shared/manifest-types.ts';

/** The pre-processing the faces pipeline applies for `task` at input side `size`. */
export function facePreprocess(task: string, size: number): Preprocess {
  return {
    size,
    // Detectors see the whole frame padded at the bottom/right (letterbox); attribute nets see
    // face crops padded evenly.
    pad: task === 'face-detection' ? 'bottom-right' : 'centre',
    channels: 'rgb',
    layout: 'nchw',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    resize: 'bilinear-asymmetric',
  };
}
