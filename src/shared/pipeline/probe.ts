/**
 * @file The function-level check a model version must pass before it serves: its outputs on
 * the registry's probe image (fed by the feature's probe recipe) compared with the manifest's
 * expected outputs. The registry tools compute the expectations with the same feeds, so a
 * probe failure means the model (or the runtime) changed, not the harness. Every output must be
 * finite too, expected or not: a model file tried from the Models panel has no expectations, and
 * its probe is exactly that check.
 */
import type { Probe } from '../manifest-types.ts';
import type { TensorData } from '../tensor.ts';

/** Outcome of comparing a probe run with its expectations. */
export interface ProbeResult {
  ok: boolean;
  /** Largest absolute difference over all expected values (Infinity on a shape mismatch). */
  maxDiff: number;
  problems: string[];
}

/** Compares model outputs with a probe's expectations (same length, within tolerance) and checks every float output is finite. */
export function compareProbe(
  probe: Pick<Probe, 'expect' | 'tolerance'>,
  outputs: Record<string, TensorData>,
): ProbeResult {
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
  for (const [name, t] of Object.entries(outputs)) {
    if (Object.hasOwn(probe.expect, name) || !(t.data instanceof Float32Array)) continue;
    const at = t.data.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) problems.push(`output "${name}"[${at}] is ${t.data[at]} on the probe image`);
  }
  return { ok: problems.length === 0, maxDiff, problems };
}
