/**
 * @file The manifest's `preprocess` block for each task, describing what the shared pipeline
 * (image-ops.ts) actually does, so the registry tools and publish-model write the same
 * description and a client can refuse a model that expects different preprocessing.
 */
import type { Preprocess, TaskId } from '../manifest-types.ts';

/** The preprocessing the shared pipeline applies for `task` at input side `size`. */
export function preprocessFor(task: TaskId, size: number): Preprocess {
  return {
    size,
    // Detectors see the whole frame padded at the bottom/right (letterbox); attribute nets see
    // face crops padded evenly (cropFaces).
    pad: task === 'face-detection' ? 'bottom-right' : 'centre',
    channels: 'rgb',
    layout: 'nchw',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    resize: 'bilinear-asymmetric',
  };
}

/** True when `p` describes exactly what the shared pipeline does for `task` at `p.size`. */
export function isPipelinePreprocess(task: TaskId, p: Preprocess): boolean {
  const want = preprocessFor(task, p.size);
  return (
    p.pad === want.pad &&
    p.channels === want.channels &&
    p.layout === want.layout &&
    p.scale === want.scale &&
    p.resize === want.resize &&
    p.mean.every((v, i) => v === want.mean[i]) &&
    p.std.every((v, i) => v === want.std[i])
  );
}
