/**
 * @file Summary statistics the report uses: median (p50), p95 by nearest rank, and rounding
 * for JSON. Pure functions over plain numbers; NaN and non-finite samples are ignored.
 */

/** A sample summarised. */
export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

function finite(xs: readonly number[]): number[] {
  return xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
}

/** Median (average of the two middle values for even counts); null for no data. */
export function median(xs: readonly number[]): number | null {
  const s = finite(xs);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile; null for no data. */
export function percentile(xs: readonly number[], p: number): number | null {
  const s = finite(xs);
  if (s.length === 0) return null;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

/** n, p50, p95, min, max, mean of a sample. */
export function summarize(xs: readonly number[]): Summary {
  const s = finite(xs);
  return {
    n: s.length,
    p50: median(s),
    p95: percentile(s, 95),
    min: s[0] ?? null,
    max: s[s.length - 1] ?? null,
    mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : null,
  };
}

/** Rounds to `digits` decimals, keeping null (JSON-friendly). */
export function round(x: number | null | undefined, digits = 1): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A summary with every figure rounded. */
export function rounded(s: Summary, digits = 1): Summary {
  return {
    n: s.n,
    p50: round(s.p50, digits),
    p95: round(s.p95, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    mean: round(s.mean, digits),
  };
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !(b > 0)) return null;
  return a / b;
}
