/**
 * @file Rolling webcam statistics for the HUD: frames per second and inference-time
 * percentiles over the last few seconds. Pure functions over timestamped samples.
 */

/** One annotated frame: when it finished (ms, performance.now) and how long inference took. */
export interface FrameSample {
  at: number;
  inferenceMs: number;
  roundTripMs: number;
  /** Worker-side stage times, when known (decode, detect, attributes, expression). */
  stages?: Record<string, number>;
}

/** The window the HUD summarises. */
export const STATS_WINDOW_MS = 5000;

/** What the HUD shows. */
export interface FrameSummary {
  fps: number;
  p50: number | null;
  p95: number | null;
  count: number;
}

/** Nearest-rank percentile of unsorted values (null for none). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Keeps the samples younger than the window, plus the new one. */
export function addSample(samples: readonly FrameSample[], sample: FrameSample, windowMs = STATS_WINDOW_MS) {
  const from = sample.at - windowMs;
  const kept = samples.filter((s) => s.at > from);
  kept.push(sample);
  return kept;
}

/** FPS and inference percentiles over the window ending at `now`. */
export function summarize(samples: readonly FrameSample[], now: number, windowMs = STATS_WINDOW_MS): FrameSummary {
  const recent = samples.filter((s) => s.at > now - windowMs && s.at <= now);
  if (recent.length === 0) return { fps: 0, p50: null, p95: null, count: 0 };
  const ms = recent.map((s) => s.inferenceMs);
  // Rate over the span actually covered, so the first seconds are not under-reported.
  const span = recent.length > 1 ? recent[recent.length - 1]!.at - recent[0]!.at : 0;
  const fps = span > 0 ? ((recent.length - 1) * 1000) / span : 0;
  return { fps, p50: percentile(ms, 50), p95: percentile(ms, 95), count: recent.length };
}

/** Median of each worker stage over the window (for benchmarks and the first-frame check). */
export function stageMedians(samples: readonly FrameSample[], now: number, windowMs = STATS_WINDOW_MS) {
  const recent = samples.filter((s) => s.at > now - windowMs && s.at <= now && s.stages);
  const out: Record<string, number | null> = {};
  for (const key of Object.keys(recent[0]?.stages ?? {}))
    out[key] = percentile(
      recent.map((s) => s.stages![key]!),
      50,
    );
  return out;
}
