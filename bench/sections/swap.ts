/**
 * @file Section 4, hot swaps under a live webcam, from one swap session (lib/swap-session.ts):
 * `swap` (quiet machine), `swap_busy` (one core kept busy by a background process) and
 * `swap_ssd` (the heavier SSD detector 2.0.0 ⇄ 1.0.0). For each: the median interval between
 * annotated frames, the largest gap between annotated frames that overlaps a swap (publish → old
 * session released) and its ratio to the median, frames lost, errors, publish → serving, the
 * stage times, live workers, and what the long gaps coincided with (stage, main-thread long
 * animation frames, CPU per browser thread).
 */
import type { BenchContext } from '../lib/context.ts';
import { FAKE_VIDEO_FPS } from '../lib/prepare.ts';
import {
  alternating,
  runSwapSession,
  SWAP_MODEL,
  VERSION_A,
  VERSION_B,
  VERSION_SSD,
  type PhaseName,
  type PhasePlan,
  type SwapSession,
} from '../lib/swap-session.ts';
import { median, round, rounded, summarize } from '../lib/stats.ts';
import { swapBreakdown } from '../lib/swap-breakdown.ts';
import {
  frameIntervals,
  noSwapGaps,
  overlaps,
  stageDurations,
  valueAt,
  within,
  type FrameInterval,
  type Window,
} from '../lib/swap-analysis.ts';

type Session = Exclude<SwapSession, { skipped: string }>;

/** The result keys the swap section writes, by phase. */
export const SWAP_KEYS: Record<PhaseName, 'swap' | 'swap_busy' | 'swap_ssd'> = {
  quiet: 'swap',
  busy: 'swap_busy',
  ssd: 'swap_ssd',
};

/** The target of issue 9: largest gap ≤ 1.5× the median, no frame lost, no error. */
export const MAX_GAP_RATIO = 1.5;

/** The phases of a session: quiet swaps (extended to `memorySwaps` for the memory figure), busy-core swaps, SSD swaps. */
export function swapPlans(swaps: number, memorySwaps: number, quick: boolean): PhasePlan[] {
  const quiet = Math.max(swaps, memorySwaps);
  const memoryAfter = memorySwaps > 0 ? memoryCheckpointsFor(memorySwaps) : [];
  // The busy phase starts from whichever of A/B the quiet phase ended on.
  const busyStart = quiet % 2 === 0 ? VERSION_B : VERSION_A;
  const busyTargets = alternating(swaps, busyStart);
  const ssdTargets = quick ? [VERSION_SSD, VERSION_A] : [VERSION_SSD, VERSION_A, VERSION_SSD, VERSION_A];
  return [
    {
      name: 'quiet',
      targets: alternating(quiet),
      baselineMs: 8000,
      dwellMs: 0,
      memoryAfter,
      uaMemoryAfter: memorySwaps > 0 ? [1, memorySwaps] : [],
      // As long as the memory swaps take (about 1.5 s each): the video's own growth, for comparison.
      controlMs: memorySwaps > 0 ? memorySwaps * (quick ? 300 : 1500) : 0,
    },
    { name: 'busy', targets: busyTargets, baselineMs: 8000, dwellMs: 0 },
    // A steady stretch after each swap gives each version's own cadence.
    { name: 'ssd', targets: ssdTargets, baselineMs: 3000, dwellMs: 5000 },
  ];
}

/** Memory checkpoints for a run of `swaps` swaps: 1, every 10th, and the last. */
export function memoryCheckpointsFor(swaps: number): number[] {
  const points = new Set([1, swaps]);
  for (let i = 10; i < swaps; i += 10) points.add(i);
  return [...points].sort((a, b) => a - b);
}

/** Steady cadence of each version: median interval between frames outside every swap window. */
function cadenceByVersion(intervals: readonly FrameInterval[], windows: readonly Window[], phase: Window) {
  const steady = within(intervals, phase).filter((iv) => !windows.some((w) => overlaps(iv, w)));
  const byVersion: Record<string, number[]> = {};
  for (const iv of steady) if (iv.version) (byVersion[iv.version] ??= []).push(iv.ms);
  return Object.fromEntries(Object.entries(byVersion).map(([v, ms]) => [v, median(ms)!]));
}

/** The figures of one phase (the first `count` swaps), or null when the session did not run it. */
export function summarizePhase(session: Session, name: PhaseName, count?: number) {
  const phase = session.phases.find((p) => p.name === name);
  if (!phase || phase.swaps.length === 0) return null;
  const swaps = phase.swaps.slice(0, count ?? phase.swaps.length);
  const { rows, baseline } = { rows: session.rows, baseline: phase.baseline };
  const end = swaps.length ? swaps[swaps.length - 1]!.settledAt : baseline.to;
  const span = { from: baseline.from, to: end };
  const intervals = frameIntervals(session.frames, SWAP_MODEL);
  const windows = swaps.map((s) => ({ from: s.publishedAt, to: s.settledAt }));
  const baselineMedian = median(within(intervals, baseline).map((iv) => iv.ms));
  const phaseMedian = median(within(intervals, span).map((iv) => iv.ms));
  const cadence = cadenceByVersion(intervals, windows, { from: baseline.from, to: phase.to });
  const overlapping = intervals.filter((iv) => windows.some((w) => overlaps(iv, w)));
  const maxGap = overlapping.length ? Math.max(...overlapping.map((iv) => iv.ms)) : null;
  // A gap stands for round(gap / cadence) − 1 missing frames, cadence = the slower of the two versions.
  const swapCadence = (i: number) => {
    const s = swaps[i]!;
    const known = [s.from, s.to].map((v) => (v ? cadence[v] : undefined)).filter((x): x is number => !!x);
    return known.length ? Math.max(...known) : (baselineMedian ?? phaseMedian);
  };
  let lost: number | null = 0;
  for (const iv of overlapping) {
    const i = windows.findIndex((w) => overlaps(iv, w));
    const c = swapCadence(i);
    if (!c) lost = null;
    else if (lost !== null && iv.ms > MAX_GAP_RATIO * c) lost += Math.round(iv.ms / c) - 1;
  }
  const windowMs = windows.reduce((n, w) => n + (w.to - w.from), 0);
  const droppedInWindows = windows.reduce((n, w) => n + valueAt(rows, w.to, 2) - valueAt(rows, w.from, 2), 0);
  const baselineDropRate =
    (valueAt(rows, baseline.to, 2) - valueAt(rows, baseline.from, 2)) / ((baseline.to - baseline.from) / 1000);
  const frameErrors = rows.length ? valueAt(rows, end, 3) - valueAt(rows, baseline.from, 3) : 0;
  const failedSwaps = swaps.filter((s) => s.error).length;
  const inPhase = (t: number) => t >= baseline.from && t <= end + 1000;
  const badLog = session.log.filter(
    (r) =>
      r.model === SWAP_MODEL &&
      inPhase(r.time) &&
      (r.outcome === 'rejected' || r.outcome === 'failed' || r.outcome === 'rolled-back'),
  );
  const toServing = swaps.filter((s) => s.servingAt !== null).map((s) => s.servingAt! - s.publishedAt);
  const perSwapStages = swaps.map((s) =>
    stageDurations(session.log, SWAP_MODEL, { from: s.publishedAt, to: s.settledAt }),
  );
  const stages = [...new Set(perSwapStages.flatMap((d) => Object.keys(d)))];
  const errors = frameErrors + failedSwaps + badLog.length + (name === 'quiet' ? session.checkErrors.length : 0);
  const ratio = maxGap !== null && phaseMedian ? maxGap / phaseMedian : null;
  // The same video with no swap running (the baseline and the dwells between swaps): the gaps the
  // machine makes by itself, against the same bound.
  const bound = MAX_GAP_RATIO * (phaseMedian ?? 0);
  const control = noSwapGaps(intervals, span, windows, bound);
  const overlappingMs = overlapping.reduce((n, iv) => n + iv.ms, 0);
  const perMinute = (n: number, ms: number) => (ms > 0 ? round((n * 60_000) / ms, 1) : null);
  const threads = swaps.map((s) => s.workersAfter.threads).filter((n): n is number => n !== null);
  return {
    median_frame_interval_ms: round(phaseMedian),
    median_frame_interval_baseline_ms: round(baselineMedian),
    max_gap_ms: round(maxGap),
    max_gap_vs_median: round(ratio, 2),
    frames_lost: lost,
    errors,
    target_met: ratio === null || lost === null ? null : ratio <= MAX_GAP_RATIO && lost === 0 && errors === 0,
    no_swap_control: {
      video_ms: Math.round(control.ms),
      max_gap_ms: round(control.maxGapMs),
      max_gap_vs_median: control.maxGapMs !== null && phaseMedian ? round(control.maxGapMs / phaseMedian, 2) : null,
      gaps_over_bound_per_min: perMinute(control.overBound, control.ms),
      swap_gaps_over_bound_per_min: perMinute(overlapping.filter((iv) => iv.ms > bound).length, overlappingMs),
      how: `intervals of the same phase that overlap no swap window (steady baseline, dwells); bound = ${MAX_GAP_RATIO}× the phase median`,
    },
    frames_dropped_beyond_baseline: Math.max(0, Math.round(droppedInWindows - baselineDropRate * (windowMs / 1000))),
    swaps: swaps.length,
    swaps_served: toServing.length,
    publish_to_serving_p50_ms: round(median(toServing)),
    publish_to_serving_ms: rounded(summarize(toServing)),
    publish_to_serving_first_ms: round(toServing[0] ?? null),
    stage_ms_p50: Object.fromEntries(
      stages.map((k) => [k, round(median(perSwapStages.map((d) => d[k]).filter((x): x is number => x !== undefined)))]),
    ),
    median_frame_interval_by_version_ms: Object.fromEntries(Object.entries(cadence).map(([v, ms]) => [v, round(ms)])),
    workers: {
      before: phase.workersBefore,
      after: phase.workersAfter,
      max_after_a_swap: threads.length ? Math.max(...threads) : null,
      how: 'renderer threads named DedicatedWorker (/proc) and Playwright’s page.workers(), once each swap settled',
    },
    ...(phase.busy ? { busy_core: phase.busy } : {}),
    breakdown: swapBreakdown(session, phase, swaps, { cadence: baselineMedian ?? phaseMedian, intervals }),
    details: {
      camera_fps: FAKE_VIDEO_FPS,
      dropped_in_swap_windows: droppedInWindows,
      dropped_per_s_baseline: round(baselineDropRate, 2),
      swap_window_ms_total: Math.round(windowMs),
      frame_errors: frameErrors,
      failed_swaps: failedSwaps,
      check_errors: name === 'quiet' ? session.checkErrors : [],
      bad_log_records: badLog.map((r) => `${r.version} ${r.stage} ${r.outcome}: ${r.reason ?? ''}`),
      webcam_inference_ms_p50: round(session.webcam.p50),
      per_swap: swaps.map((s, i) => ({
        from: s.from,
        to: s.to,
        publish_to_serving_ms: s.servingAt === null ? null : Math.round(s.servingAt - s.publishedAt),
        settled_ms: Math.round(s.settledAt - s.publishedAt),
        max_gap_ms: round(Math.max(0, ...intervals.filter((iv) => overlaps(iv, windows[i]!)).map((iv) => iv.ms))),
        stage_ms: Object.fromEntries(Object.entries(perSwapStages[i]!).map(([k, v]) => [k, Math.round(v)])),
        session_create_ms: round(s.compileMs),
        workers_after: s.workersAfter.threads,
        requests: s.requests,
        ...(s.error ? { error: s.error } : {}),
      })),
      how:
        'each swap: signed manifest with a new stable + serial written to the registry, then hotlens.checkForUpdates(); ' +
        'window = publish → stage idle again (old session drained and released); frames sampled every 4 ms from status(); ' +
        'median = all intervals from the phase’s steady baseline to its last swap; ' +
        `frames_lost = Σ round(gap / cadence) − 1 over gaps > ${MAX_GAP_RATIO}× cadence that overlap a swap (cadence: the slower version’s steady median); ` +
        'frames_dropped_beyond_baseline = camera frames skipped during swaps minus the steady skip rate × swap time',
    },
  };
}

/** The SSD phase's extra figures: which version is slower and the gap against its own median. */
export function summarizeSsd(session: Session) {
  const base = summarizePhase(session, 'ssd');
  if (!base) return skippedSwap('the session ran no SSD swap');
  const byVersion = base.median_frame_interval_by_version_ms;
  const entries = Object.entries(byVersion).filter((e): e is [string, number] => e[1] !== null);
  const slower = entries.sort((a, b) => b[1] - a[1])[0];
  const toSsd = base.details.per_swap.filter((s) => s.to === VERSION_SSD).map((s) => s.max_gap_ms ?? 0);
  const toTiny = base.details.per_swap.filter((s) => s.to !== VERSION_SSD).map((s) => s.max_gap_ms ?? 0);
  return {
    ...base,
    slower_version: slower?.[0] ?? null,
    slower_version_median_ms: slower?.[1] ?? null,
    max_gap_vs_slower_median: round(base.max_gap_ms !== null && slower ? base.max_gap_ms / slower[1] : null, 2),
    max_gap_to_ssd_ms: toSsd.length ? Math.max(...toSsd) : null,
    max_gap_to_tiny_ms: toTiny.length ? Math.max(...toTiny) : null,
    versions: `${SWAP_MODEL} ${VERSION_A} (tiny detector, 416 px, 0.2 MB) ⇄ ${VERSION_SSD} (SSD MobileNet v1, 512 px, 5.8 MB)`,
  };
}

/** All three swap results from one session. */
export function summarizeSwaps(session: Session, swaps: number) {
  const quiet = summarizePhase(session, 'quiet', swaps);
  const busy = summarizePhase(session, 'busy');
  return {
    swap: quiet
      ? {
          ...quiet,
          versions: `${SWAP_MODEL} ${VERSION_A} (uint8 weights) ⇄ ${VERSION_B} (same network, float32 weights)`,
        }
      : skippedSwap('the session ran no quiet swap'),
    swap_busy: busy
      ? { ...busy, versions: `${SWAP_MODEL} ${VERSION_A} ⇄ ${VERSION_B}, with one core kept busy` }
      : skippedSwap('the session ran no busy-core swap'),
    swap_ssd: summarizeSsd(session),
  };
}

/** Runs the section on its own session (no memory swaps). */
export async function runSwap(ctx: BenchContext) {
  const session = await runSwapSession(ctx, { phases: swapPlans(ctx.options.swaps, 0, ctx.options.quick) });
  if ('skipped' in session) return skippedSwaps(session.skipped);
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

/** All three swap results, skipped. */
export function skippedSwaps(reason: string) {
  return { swap: skippedSwap(reason), swap_busy: skippedSwap(reason), swap_ssd: skippedSwap(reason) };
}
