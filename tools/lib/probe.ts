/**
 * @file Probe expectations for the manifest: run a model on its task's probe image through
 * the shared preprocessing (the same code the browser's function check uses) and record the
 * outputs. Expectations are the model's actual outputs, never hand-written numbers.
 */
import type { Probe, TaskId } from '../../src/shared/manifest-types.ts';
import type { ModelRunner } from '../../src/shared/pipeline/model-runner.ts';
import { compareProbe, probeFeeds } from '../../src/shared/pipeline/probe.ts';
import { TASKS } from '../../src/shared/tasks.ts';
import { decodeRgb } from './decode-image.ts';

/**
 * Max absolute difference a client may see per value. Measured: the same file on 1 vs 2 ORT
 * threads differs by ≤1e-6, uint8 vs float32 files of one version by ≤1e-6, WebGPU vs WASM by
 * ≤1e-7 (RUNTIME-NOTES). Wrong preprocessing moves the outputs far more: swapping R and B
 * changes the probe outputs by 4e-3 (gender) to 0.42 (age); even +1 grey level on every pixel
 * moves them by 2e-4 to 4e-2. 1e-3 leaves ×1000 headroom for runtime noise and still rejects
 * a channel swap in every published model.
 */
export const PROBE_TOLERANCE = 1e-3;

/** Expectations are stored with 6 decimals: far below the tolerance, and readable JSON. */
const DECIMALS = 6;

function roundTo(v: number): number {
  const f = 10 ** DECIMALS;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** Runs `model` on the probe image (PNG bytes) and returns the manifest's probe block. */
export async function computeProbe(
  model: ModelRunner,
  task: TaskId,
  imagePath: string,
  png: Uint8Array,
): Promise<Probe> {
  const image = await decodeRgb(png);
  const outputs = await model.run(probeFeeds(task, image, model.inputs));
  const expect: Record<string, number[]> = {};
  for (const want of TASKS[task].outputs) {
    const t = want.name === undefined ? undefined : outputs[want.name];
    if (!t || want.name === undefined)
      throw new Error(`the model did not return output "${want.name}" on the probe image`);
    const values = Array.from(t.data as ArrayLike<number>, Number);
    if (values.some((v) => !Number.isFinite(v)))
      throw new Error(`the model returned non-finite "${want.name}" values on the probe image`);
    expect[want.name] = values.map(roundTo);
  }
  if (task === 'face-detection' && (expect.scores?.length ?? 0) === 0) {
    throw new Error('the detector finds no face in the probe image, so the probe could not catch a broken model');
  }
  const probe: Probe = { image: imagePath, expect, tolerance: PROBE_TOLERANCE };
  // Self-check: rounding must keep the model within its own tolerance.
  const check = compareProbe(probe, outputs);
  if (!check.ok) throw new Error(`probe self-check failed: ${check.problems.join('; ')}`);
  return probe;
}
