/**
 * @file Section 4, hot swaps under a live webcam: from a swap session (lib/swap-session.ts),
 * the median interval between annotated frames, the largest gap between annotated frames that
 * overlaps a swap (publish → old session released), frames the camera delivered that were
 * never annotated because of the swaps, errors, and publish → serving time.
 */
import type { BenchContext } from '../lib/context.ts';
import { FAKE_VIDEO_FPS } from '../lib/prepare.ts';
import type { SampleRow } from '../lib/page-probes.ts';
import { runSwapSession, SWAP_MODEL, VERSION_A, VERSION_B, type SwapSession } from '../lib/swap-session.ts';
import { median, round, rounded, summarize } from '../lib/stats.ts';

/** Epoch-ms timestamps of annotated frames (one per increment of `processed`). */
export function frameTimes(rows: SampleRow[]): number[] {
  const times: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const added = rows[i]![1] - rows[i - 1]![1];
    for (let k = 0; k < added; k++) times.push(rows[i]![0]);
  }
  return times;
}

/** The value of column `col` at time `t` (the last row at or before t). */
function valueAt(rows: SampleRow[], t: number, col: 2 | 3): number {
  let v = rows[0]?.[col] ?? 0;
  for (const r of rows) {
    if (r[0] > t) break;
    v = r[col];
  }
  return v;
}

/** The swap figures from a finished session (only the first `count` swaps). */
export function summarizeSwaps(session: Exclude<SwapSession, { skipped: string }>, count: number) {
  const swaps = session.swaps.slice(0, count);
  const { rows, baseline } = session;
  const last = swaps[swaps.length - 1];
  const end = last ? last.settledAt : baseline.to;
  const times = frameTimes(rows);
  const intervals = times.slice(1).map((t, i) => ({ from: times[i]!, to: t, ms: t - times[i]! }));
  const within = (a: number, b: number) => intervals.filter((iv) => iv.from >= a && iv.to <= b).map((iv) => iv.ms);
  const baselineMedian = median(within(baseline.from, baseline.to));
  const phaseMedian = median(within(baseline.from, end));
  const windows = swaps.map((s) => ({ from: s.publishedAt, to: s.settledAt }));
  const overlapping = intervals.filter((iv) => windows.some((w) => iv.to > w.from && iv.from < w.to));
  const maxGap = overlapping.length ? Math.max(...overlapping.map((iv) => iv.ms)) : null;
  // Annotated frames missing from the steady cadence: a gap of g ms stands for round(g / median) − 1 frames.
  const cadence = baselineMedian ?? phaseMedian;
  const lostToGaps = cadence
    ? overlapping.reduce((n, iv) => n + (iv.ms > 1.5 * cadence ? Math.round(iv.ms / cadence) - 1 : 0), 0)
    : null;
  const windowMs = windows.reduce((n, w) => n + (w.to - w.from), 0);
  const droppedInWindows = windows.reduce((n, w) => n + valueAt(rows, w.to, 2) - valueAt(rows, w.from, 2), 0);
  const baselineSeconds = (baseline.to - baseline.from) / 1000;
  const baselineDropRate = (valueAt(rows, baseline.to, 2) - valueAt(rows, baseline.from, 2)) / baselineSeconds;
  const frameErrors = rows.length ? valueAt(rows, end, 3) - rows[0]![3] : 0;
  const failedSwaps = swaps.filter((s) => s.error).length;
  const badLog = session.log.filter(
    (r) =>
      r.model === SWAP_MODEL && (r.outcome === 'rejected' || r.outcome === 'failed' || r.outcome === 'rolled-back'),
  );
  const toServing = swaps.filter((s) => s.servingAt !== null).map((s) => s.servingAt! - s.publishedAt);
  const durations: Record<string, number[]> = {};
  for (const r of session.log) {
    if (r.model !== SWAP_MODEL || !r.durations || r.time < (swaps[0]?.publishedAt ?? Infinity)) continue;
    for (const [stage, ms] of Object.entries(r.durations)) (durations[stage] ??= []).push(ms);
  }
  return {
    median_frame_interval_ms: round(phaseMedian),
    median_frame_interval_baseline_ms: round(baselineMedian),
    max_gap_ms: round(maxGap),
    max_gap_vs_median: round(maxGap !== null && phaseMedian ? maxGap / phaseMedian : null, 2),
    frames_lost: lostToGaps,
    frames_dropped_beyond_baseline: Math.max(0, Math.round(droppedInWindows - baselineDropRate * (windowMs / 1000))),
    errors: frameErrors + failedSwaps + badLog.length + session.checkErrors.length,
    swaps: swaps.length,
    swaps_served: toServing.length,
    publish_to_serving_ms: rounded(summarize(toServing)),
    publish_to_serving_first_ms: round(toServing[0] ?? null),
    stage_ms_p50: Object.fromEntries(Object.entries(durations).map(([k, v]) => [k, round(median(v))])),
    details: {
      camera_fps: FAKE_VIDEO_FPS,
      dropped_in_swap_windows: droppedInWindows,
      dropped_per_s_baseline: round(baselineDropRate, 2),
      swap_window_ms_total: Math.round(windowMs),
      frame_errors: frameErrors,
      failed_swaps: failedSwaps,
      check_errors: session.checkErrors,
      bad_log_records: badLog.map((r) => `${r.version} ${r.stage} ${r.outcome}: ${r.reason ?? ''}`),
      webcam_inference_ms_p50: round(session.webcam.p50),
      per_swap: swaps.map((s) => ({
        to: s.to,
        publish_to_serving_ms: s.servingAt === null ? null : Math.round(s.servingAt - s.publishedAt),
        settled_ms: Math.round(s.settledAt - s.publishedAt),
        ...(s.error ? { error: s.error } : {}),
      })),
      versions: `${SWAP_MODEL} ${VERSION_A} (uint8 weights) ⇄ ${VERSION_B} (same network, float32 weights)`,
      how:
        'each swap: signed manifest with a new stable + serial written to the registry, then hotlens.checkForUpdates(); ' +
        'window = publish → stage idle again (old session drained and released); frames sampled every 4 ms from status(); ' +
        'frames_lost = Σ round(gap / steady median) − 1 over gaps > 1.5× median that overlap a swap (annotated frames missing from the steady cadence); ' +
        'frames_dropped_beyond_baseline = camera frames skipped during swaps minus the steady skip rate × swap time',
    },
  };
}

/** Runs the section on its own session. */
export async function runSwap(ctx: BenchContext) {
  const session = await runSwapSession(ctx, {
    swaps: ctx.options.swaps,
    memoryAfter: [],
    uaMemoryAfter: [],
    baselineMs: 8000,
  });
  if ('skipped' in session) return skippedSwap(session.skipped);
  return summarizeSwaps(session, ctx.options.swaps);
}

/** The section's JSON when the build cannot hot-swap. */
export function skippedSwap(reason: string) {
  const keys = ['median_frame_interval_ms', 'max_gap_ms', 'frames_lost', 'errors'] as const;
  return Object.fromEntries(
    keys.flatMap((k) => [
      [k, null],
      [`${k}_skipped`, reason],
    ]),
  );
}
