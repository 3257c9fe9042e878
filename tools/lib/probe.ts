/**
 * @file Probe expectations for the manifest: run a model on its task's probe image through the
 * feature's probe feeds (the same code the browser's function check uses) and record the
 * outputs. Expectations are the model's actual outputs, never hand-written numbers.
 */
import type { ProbeRecipe } from '../../src/shared/feature.ts';
import type { ModelVersion, Probe } from '../../src/shared/manifest-types.ts';
import type { ModelRunner } from '../../src/shared/pipeline/model-runner.ts';
import { compareProbe } from '../../src/shared/pipeline/probe.ts';
import type { TaskContract } from '../../src/shared/tasks.ts';
import { decodeRgb } from './decode-image.ts';

/**
 * Max absolute difference a client may see per value. Measured: the same file on 1 vs 2 ORT
 * threads differs by ≤1e-6, uint8 vs float32 files of one version by ≤1e-6, WebGPU vs WASM by
 * ≤1e-7. Wrong preprocessing moves the outputs far more: swapping R and B
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

/** What a probe is computed for: the model's task contract and probe recipe, and its manifest entry when known. */
export interface ProbeTarget {
  contract: TaskContract;
  recipe: ProbeRecipe;
  entry?: ModelVersion;
}

/** Runs `model` on the probe image (PNG bytes) and returns the manifest's probe block. */
export async function computeProbe(model: ModelRunner, target: ProbeTarget, png: Uint8Array): Promise<Probe> {
  const image = await decodeRgb(png);
  const outputs = await model.run(target.recipe.feeds(image, { inputs: model.inputs, entry: target.entry }));
  const expect: Record<string, number[]> = {};
  for (const want of target.contract.outputs) {
    const t = want.name === undefined ? undefined : outputs[want.name];
    if (!t || want.name === undefined)
      throw new Error(`the model did not return output "${want.name}" on the probe image`);
    const values = Array.from(t.data as ArrayLike<number>, Number);
    if (values.some((v) => !Number.isFinite(v)))
      throw new Error(`the model returned non-finite "${want.name}" values on the probe image`);
    expect[want.name] = values.map(roundTo);
  }
  const unusable = target.recipe.usable?.(outputs) ?? [];
  if (unusable.length > 0) throw new Error(unusable.join('; '));
  const probe: Probe = { image: target.recipe.image, expect, tolerance: PROBE_TOLERANCE };
  // Self-check: rounding must keep the model within its own tolerance.
  const check = compareProbe(probe, outputs);
  if (!check.ok) throw new Error(`probe self-check failed: ${check.problems.join('; ')}`);
  return probe;
}
