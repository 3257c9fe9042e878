/**
 * @file Rolling webcam statistics for the HUD: annotated and camera frames per second, the
 * annotated share of camera frames, inference-time percentiles and the share of annotated
 * frames on which the face detector ran (vs tracking alone) over the last few seconds. Pure
 * functions over timestamped samples.
 */

/** One annotated frame: when it finished (ms, performance.now) and how long inference took. */
export interface FrameSample {
  at: number;
  inferenceMs: number;
  roundTripMs: number;
  /**
   * Worker-side stage times, when known (`decode`, `faces.detect`, `faces.track`, …). A key ending
   * in `.detect` means a detector ran on this frame and its fresh result was used.
   */
  stages?: Record<string, number>;
}

/**
 * Camera frames delivered to the frame loop by one video-frame callback: when (ms,
 * performance.now) and how many (more than one when the browser presented frames between
 * callbacks; see DeliveredCounter).
 */
export interface DeliverySample {
  at: number;
  frames: number;
}

/** The window the HUD summarises. */
export const STATS_WINDOW_MS = 5000;

/** What the HUD shows. */
export interface FrameSummary {
  /** Annotated frames per second. */
  fps: number;
  p50: number | null;
  p95: number | null;
  /** Annotated frames in the window. */
  count: number;
  /** Camera frames delivered per second (0 without delivery data). */
  cameraFps: number;
  /** Annotated ÷ delivered frames over the window (as rates, at most 1); null while the camera rate is unknown. */
  annotatedRatio: number | null;
  /** Share of annotated frames in the window on which a detector ran; null when no frame has stage times. */
  detectorShare: number | null;
}

/** Nearest-rank percentile of unsorted values (null for none). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Keeps the entries younger than the window, plus the new one (samples or deliveries). */
export function addSample<T extends { at: number }>(samples: readonly T[], sample: T, windowMs = STATS_WINDOW_MS): T[] {
  const from = sample.at - windowMs;
  const kept = samples.filter((s) => s.at > from);
  kept.push(sample);
  return kept;
}

/** Whether an annotated frame ran a detector (a stage key ending in `.detect`); null without stage times. */
export function ranDetector(sample: FrameSample): boolean | null {
  const keys = Object.keys(sample.stages ?? {});
  if (keys.length === 0) return null;
  return keys.some((k) => k.endsWith('.detect'));
}

/**
 * Rates and percentiles over the window ending at `now`: annotated frames from `samples`,
 * camera frames from `deliveries`.
 */
export function summarize(
  samples: readonly FrameSample[],
  now: number,
  deliveries: readonly DeliverySample[] = [],
  windowMs = STATS_WINDOW_MS,
): FrameSummary {
  const inWindow = <T extends { at: number }>(s: T) => s.at > now - windowMs && s.at <= now;
  const recent = samples.filter(inWindow);
  const delivered = deliveries.filter(inWindow);
  // Rate over the span actually covered, so the first seconds are not under-reported. The
  // first entry only opens the span: the frames it stands for arrived before it.
  const rate = (frames: number, first: number, last: number) => (last > first ? (frames * 1000) / (last - first) : 0);
  const cameraFps =
    delivered.length > 1
      ? rate(
          delivered.slice(1).reduce((n, d) => n + d.frames, 0),
          delivered[0]!.at,
          delivered.at(-1)!.at,
        )
      : 0;
  if (recent.length === 0)
    return {
      fps: 0,
      p50: null,
      p95: null,
      count: 0,
      cameraFps,
      annotatedRatio: cameraFps > 0 ? 0 : null,
      detectorShare: null,
    };
  const ms = recent.map((s) => s.inferenceMs);
  const fps = rate(recent.length - 1, recent[0]!.at, recent.at(-1)!.at);
  const ran = recent.map(ranDetector).filter((r) => r !== null);
  return {
    fps,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    count: recent.length,
    cameraFps,
    annotatedRatio: cameraFps > 0 ? Math.min(1, fps / cameraFps) : null,
    detectorShare: ran.length > 0 ? ran.filter(Boolean).length / ran.length : null,
  };
}

/**
 * Median of each worker stage over the window (for benchmarks and the first-frame check), each
 * over the frames that ran that stage (with tracking, `faces.detect` only runs on some frames).
 */
export function stageMedians(samples: readonly FrameSample[], now: number, windowMs = STATS_WINDOW_MS) {
  const recent = samples.filter((s) => s.at > now - windowMs && s.at <= now && s.stages);
  const byStage: Record<string, number[]> = {};
  for (const s of recent) for (const [key, ms] of Object.entries(s.stages!)) (byStage[key] ??= []).push(ms);
  const out: Record<string, number | null> = {};
  for (const [key, values] of Object.entries(byStage)) out[key] = percentile(values, 50);
  return out;
}
