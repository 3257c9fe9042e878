/**
 * @file Declares a vitest suite over op cases: every case runs in both input layouts against
 * TF.js's cpu backend, asserts its tolerance and joins a max-error table printed at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOAT_TOLERANCE, runOpCase, type Feed, type OpCase } from './op-harness.ts';
import { uniform } from './prng.ts';
import { loadTfjs, type Tfjs } from './tfjs.ts';

/** A float32 feed of seeded uniform values in [lo, hi). */
export function randomFeed(seed: number, shape: number[], lo = -1, hi = 1): Feed {
  return {
    shape,
    data: uniform(
      seed,
      shape.reduce((a, b) => a * b, 1),
      lo,
      hi,
    ),
  };
}

/** Seeded uniform values for a constant. */
export function randomValues(seed: number, shape: number[], lo = -1, hi = 1): Float32Array {
  return uniform(
    seed,
    shape.reduce((a, b) => a * b, 1),
    lo,
    hi,
  );
}

/** Registers `cases` under `title`; prints "case, layout, max error, tolerance" afterwards. */
export function opSuite(title: string, cases: OpCase[]): void {
  describe(title, () => {
    let tf: Tfjs;
    const rows: string[] = [];
    beforeAll(async () => {
      tf = await loadTfjs('cpu');
    });
    afterAll(() => {
      console.log(`${title}: max |ONNX − TF.js| / max(1, |TF.js|)\n${rows.join('\n')}`);
    });
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      const tolerance = c.tolerance ?? FLOAT_TOLERANCE;
      for (const layout of ['nhwc', 'nchw'] as const) {
        const { maxError, shapes } = await runOpCase(tf, c, layout);
        rows.push(
          `  ${c.name.padEnd(58)} ${layout}  ${maxError.toExponential(2)}  (≤ ${tolerance}) → [${shapes.map((s) => `[${s}]`).join(', ')}]`,
        );
        expect(maxError, `${c.name} [${layout}]`).toBeLessThanOrEqual(tolerance);
      }
    });
  });
}
