/**
 * @file A seeded PRNG (mulberry32) so every random test input is the same on every run.
 */
import { mulberry32 } from '../../../../../tools/lib/prng.ts';

/** `n` seeded uniform values in [lo, hi), as float32. */
export function uniform(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
