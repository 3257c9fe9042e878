/**
 * @file What costs a frame during a swap, from one phase of a swap session: each long gap (over
 * 1.5× the steady cadence) overlapping a swap is put in the swap stage it shared most time with;
 * the largest gaps are shown with the main thread's long animation frames and the CPU each
 * browser thread used during them; and each swap window's CPU per thread is set against the
 * steady baseline's rate, so the extra work a swap brings — a new model host starting, its
 * session compiling, probe and warm-up runs, the pipeline worker's warm-up pass, main-thread
 * work — shows where it lands.
 */
import { median, round } from './stats.ts';
import {
  cpuIn,
  frameTimes,
  longFramesIn,
  overlaps,
  stageDurations,
  stageOf,
  stageSpans,
  threadRoles,
  type CpuCategory,
  type FrameInterval,
} from './swap-analysis.ts';
import { SWAP_MODEL, type PhaseRecord, type SwapRecord, type SwapSession } from './swap-session.ts';

type Session = Exclude<SwapSession, { skipped: string }>;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => (xs.length ? sum(xs) / xs.length : null);

function perCategory(list: Array<Partial<Record<CpuCategory, number>> | null>, fn: (xs: number[]) => number | null) {
  const keys = [...new Set(list.flatMap((x) => Object.keys(x ?? {})))] as CpuCategory[];
  return Object.fromEntries(keys.map((k) => [k, round(fn(list.map((x) => x?.[k] ?? 0)), 0)]));
}

/**
 * Per stage, over all swaps: how long it ran, the annotated frame rate while it ran against the
 * baseline's (1.0 = no frame lost to it), and the CPU each thread category used during it.
 */
function stageTable(
  session: Session,
  roles: ReturnType<typeof threadRoles>,
  phase: PhaseRecord,
  windows: readonly { from: number; to: number }[],
  spans: ReturnType<typeof stageSpans>[],
) {
  const frames = frameTimes(session.frames, SWAP_MODEL).map((f) => f.at);
  const count = (w: { from: number; to: number }) => frames.filter((t) => t > w.from && t <= w.to).length;
  const base = phase.baseline;
  const baseRate = count(base) / ((base.to - base.from) / 1000);
  const acc: Record<string, { ms: number; frames: number; cpu: Array<Partial<Record<CpuCategory, number>> | null> }> =
    {};
  spans.forEach((list, i) => {
    for (const span of list) {
      if (span.to - span.from < 1) continue;
      const a = (acc[span.stage] ??= { ms: 0, frames: 0, cpu: [] });
      a.ms += span.to - span.from;
      a.frames += count(span);
      a.cpu.push(span.to - span.from >= 150 ? cpuIn(session.cpu, roles, span, windows[i]!.from) : null);
    }
  });
  return Object.fromEntries(
    Object.entries(acc).map(([stage, a]) => [
      stage,
      {
        ms_total: Math.round(a.ms),
        frame_rate_vs_baseline: round(baseRate > 0 ? a.frames / (a.ms / 1000) / baseRate : null, 2),
        cpu_ms_total: perCategory(a.cpu, (xs) => sum(xs)),
      },
    ]),
  );
}

/** The breakdown of one phase's swaps; `cadence` is the steady median frame interval. */
export function swapBreakdown(
  session: Session,
  phase: PhaseRecord,
  swaps: readonly SwapRecord[],
  { cadence, intervals }: { cadence: number | null; intervals: readonly FrameInterval[] },
) {
  if (!cadence || swaps.length === 0) return { skipped: 'no steady cadence or no swap' };
  const roles = threadRoles(session.cpu);
  const windows = swaps.map((s) => ({ from: s.publishedAt, to: s.settledAt }));
  const spans = windows.map((w) => stageSpans(session.log, SWAP_MODEL, w));
  const long = intervals
    .map((iv) => ({ iv, swap: windows.findIndex((w) => overlaps(iv, w)) }))
    .filter(({ iv, swap }) => swap >= 0 && iv.ms > 1.5 * cadence)
    .map(({ iv, swap }) => ({ iv, swap, stage: stageOf(iv, spans[swap]!) }));
  const byStage: Record<string, { long_gaps: number; max_gap_ms: number; excess_ms: number }> = {};
  for (const g of long) {
    const s = (byStage[g.stage] ??= { long_gaps: 0, max_gap_ms: 0, excess_ms: 0 });
    s.long_gaps += 1;
    s.max_gap_ms = Math.max(s.max_gap_ms, Math.round(g.iv.ms));
    s.excess_ms += Math.round(g.iv.ms - cadence);
  }
  const largest = [...long]
    .sort((a, b) => b.iv.ms - a.iv.ms)
    .slice(0, 5)
    .map((g) => {
      const frames = longFramesIn(session.longFrames, g.iv);
      return {
        swap: g.swap + 1,
        to: swaps[g.swap]!.to,
        gap_ms: Math.round(g.iv.ms),
        starts_ms_after_publish: Math.round(g.iv.from - windows[g.swap]!.from),
        stage: g.stage,
        main_thread_long_frames_ms: Math.round(frames.ms),
        main_thread_scripts: frames.scripts.slice(0, 3),
        cpu_ms: cpuIn(session.cpu, roles, g.iv, windows[g.swap]!.from),
      };
    });
  const base = phase.baseline;
  const baseSeconds = (base.to - base.from) / 1000;
  const baseCpu = cpuIn(session.cpu, roles, base);
  const swapCpu = windows.map((w) => cpuIn(session.cpu, roles, w));
  const beyond = swapCpu.map((c, i) => {
    if (!c || !baseCpu) return null;
    const seconds = (windows[i]!.to - windows[i]!.from) / 1000;
    const keys = new Set([...Object.keys(c), ...Object.keys(baseCpu)]) as Set<CpuCategory>;
    return Object.fromEntries(
      [...keys].map((k) => [k, (c[k] ?? 0) - ((baseCpu[k] ?? 0) / baseSeconds) * seconds]),
    ) as Partial<Record<CpuCategory, number>>;
  });
  const baseFrames = longFramesIn(session.longFrames, base);
  const swapFrames = windows.map((w) => longFramesIn(session.longFrames, w));
  const scripts = new Map<string, number>();
  for (const f of swapFrames) for (const s of f.scripts) scripts.set(s.script, (scripts.get(s.script) ?? 0) + s.ms);
  const stagesPerSwap = windows.map((w) => stageDurations(session.log, SWAP_MODEL, w));
  const byStageCpu = stageTable(session, roles, phase, windows, spans);
  const hostStart = swaps
    .map((s, i) =>
      s.compileMs !== null && stagesPerSwap[i]!.compiling ? stagesPerSwap[i]!.compiling - s.compileMs : null,
    )
    .filter((x): x is number => x !== null);
  return {
    long_gaps: long.length,
    long_gaps_by_stage: byStage,
    largest_gaps: largest,
    cpu_ms_per_s_baseline: baseCpu ? perCategory([baseCpu], (xs) => xs[0]! / baseSeconds) : null,
    cpu_ms_per_swap: perCategory(swapCpu, mean),
    cpu_ms_per_swap_beyond_baseline: perCategory(beyond, mean),
    main_thread: {
      long_frames_per_swap: round(mean(swapFrames.map((f) => f.count)), 1),
      long_frame_ms_per_swap: round(mean(swapFrames.map((f) => f.ms)), 0),
      blocking_ms_per_swap: round(mean(swapFrames.map((f) => f.blockingMs)), 0),
      baseline_long_frame_ms_per_s: round(baseFrames.ms / baseSeconds, 0),
      top_scripts_in_swaps_ms: [...scripts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([script, ms]) => ({ script, ms_per_swap: round(ms / swaps.length, 0) })),
    },
    by_stage: byStageCpu,
    compiling_split_ms_p50: {
      session_create: round(median(swaps.map((s) => s.compileMs).filter((x): x is number => x !== null)), 0),
      host_start_and_bytes: round(median(hostStart), 0),
    },
    how:
      `long gap = interval between annotated frames > 1.5× the steady median (${round(cadence)} ms) overlapping a swap, ` +
      'put in the update-log stage it shares most time with ("between stages": before compat-checked or between records); ' +
      'CPU: /proc thread times sampled every 100 ms (main_thread = the renderer’s main thread, pipeline_worker = the dedicated worker alive all session, ' +
      'new_host = worker threads born during the swap, serving_host = the other model host(s), browser_processes = GPU, camera capture, network); ' +
      'beyond_baseline = the swap window’s CPU minus the baseline rate × its duration; main thread: Long Animation Frames API entries; ' +
      'compiling split: hotlens.metrics().compileMs (session create in the host) vs the rest of `compiling` (spawning the host, its runtime, reading the bytes)',
  };
}
