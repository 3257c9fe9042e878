/**
 * @file The function-level check a model version must pass before it serves: run the
 * registry's probe image through the shared preprocessing and compare with the manifest's
 * expected outputs. The registry tools compute the expectations with the same code, so a
 * probe failure means the model (or the runtime) changed, not the harness.
 */
import type { Probe, TaskId } from '../manifest-types.ts';
import type { RgbImage } from '../image.ts';
import type { TensorData, TensorSpec } from '../tensor.ts';
import { cropFaces, letterbox } from './image-ops.ts';
import { detectorInputSize } from '../tasks.ts';
import { ModelSignatureError } from './errors.ts';

/** Registry-relative probe image per task: a small PNG around one face, or a 112×112 face crop. */
export const PROBE_IMAGES: Readonly<Record<TaskId, string>> = {
  'face-detection': 'probe/face-detection.png',
  'face-attributes': 'probe/face-112.png',
  'face-expression': 'probe/face-112.png',
};

/** Feeds for running `task`'s probe image through a model with these inputs. */
export function probeFeeds(task: TaskId, image: RgbImage, inputs: readonly TensorSpec[]): Record<string, TensorData> {
  const input = inputs[0];
  if (!input) throw new ModelSignatureError('the model declares no inputs');
  if (task === 'face-detection') {
    const size = detectorInputSize(inputs);
    if (size === null) throw new ModelSignatureError(`detector input "${input.name}" has no fixed square size`);
    return { [input.name]: letterbox(image, size) };
  }
  const size = input.dims[2];
  if (typeof size !== 'number') throw new ModelSignatureError(`input "${input.name}" has no fixed size`);
  // The whole probe image is the face crop: a 112×112 probe passes through unresampled.
  return { [input.name]: cropFaces(image, [{ x: 0, y: 0, width: image.width, height: image.height }], size) };
}

/** Outcome of comparing a probe run with its expectations. */
export interface ProbeResult {
  ok: boolean;
  /** Largest absolute difference over all expected values (Infinity on a shape mismatch). */
  maxDiff: number;
  problems: string[];
}

/** Compares model outputs with a probe's expectations (same length, all finite, within tolerance). */
export function compareProbe(probe: Probe, outputs: Record<string, TensorData>): ProbeResult {
  const problems: string[] = [];
  let maxDiff = 0;
  for (const [name, expected] of Object.entries(probe.expect)) {
    const actual = outputs[name]?.data;
    if (!actual) {
      problems.push(`output "${name}" is missing`);
      maxDiff = Infinity;
      continue;
    }
    if (actual.length !== expected.length) {
      problems.push(`output "${name}" has ${actual.length} values, expected ${expected.length}`);
      maxDiff = Infinity;
      continue;
    }
    let worst = 0;
    let worstAt = -1;
    for (let i = 0; i < expected.length; i++) {
      const diff = Math.abs(Number(actual[i]) - expected[i]!);
      if (!(diff <= worst)) {
        worst = Number.isNaN(diff) ? Infinity : diff;
        worstAt = i;
      }
    }
    maxDiff = Math.max(maxDiff, worst);
    if (worst > probe.tolerance) {
      problems.push(
        `output "${name}"[${worstAt}] is ${Number(actual[worstAt])}, expected ${expected[worstAt]} ± ${probe.tolerance}`,
      );
    }
  }
  return { ok: problems.length === 0, maxDiff, problems };
}
