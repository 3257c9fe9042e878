/**
 * @file The finiteness check the runtime health tracker applies to every served result: a
 * version that starts producing NaN/±Infinity on this device is broken here even if it passed
 * its probe. (The probe comparison itself is shared with the registry tools:
 * src/shared/pipeline/probe.ts `compareProbe`.)
 */
import type { TensorData } from '../../shared/tensor.ts';

/** The first NaN/±Infinity in float outputs as a message, or null when all values are finite. */
export function findNonFinite(outputs: Record<string, TensorData>): string | null {
  for (const [name, t] of Object.entries(outputs)) {
    if (!(t.data instanceof Float32Array)) continue;
    const data = t.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) return `output "${name}" has ${v} at index ${i}`;
    }
  }
  return null;
}
