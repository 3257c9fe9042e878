/**
 * @file Pure functions over what a swap session recorded: the app's annotated-frame times and the
 * intervals between them, each version's steady cadence, the stages of each swap (from the update
 * log), which stage a long gap fell in, the main thread's long animation frames, and the CPU each
 * browser thread used in a time window. The swap section turns them into results.json figures.
 */
import type { AnnotatedFrameTime } from '../../src/app/hotlens-api.ts';
import type { UpdateLogRecord } from '../../src/shared/update-messages.ts';
import type { LongFrame, SampleRow } from './page-probes.ts';
import type { CpuSample } from './thread-cpu.ts';

/** A time window, epoch ms. */
export interface Window {
  from: number;
  to: number;
}

/** The interval between two consecutive annotated frames. */
export interface FrameInterval extends Window {
  ms: number;
  /** The detector version that annotated the later frame. */
  version: string | null;
}

/** The version of `modelId` in a frame's `models` key ("id@version id@version …"), or null. */
export function versionIn(models: string, modelId: string): string | null {
  const entry = models.split(' ').find((m) => m.startsWith(`${modelId}@`));
  return entry ? entry.slice(modelId.length + 1) : null;
}

/** The app's annotated frames (epoch ms) with the version of `modelId` that annotated each. */
export function frameTimes(
  frames: readonly AnnotatedFrameTime[],
  modelId: string,
): Array<{ at: number; version: string | null }> {
  return frames.map((f) => ({ at: f.at, version: versionIn(f.models, modelId) }));
}

/** Intervals between consecutive annotated frames. */
export function frameIntervals(frames: readonly AnnotatedFrameTime[], modelId: string): FrameInterval[] {
  const times = frameTimes(frames, modelId);
  return times.slice(1).map((t, i) => ({ from: times[i]!.at, to: t.at, ms: t.at - times[i]!.at, version: t.version }));
}

/** True when the interval and the window share time. */
export const overlaps = (a: Window, b: Window): boolean => a.to > b.from && a.from < b.to;

/** Intervals entirely inside `w`. */
export const within = (intervals: readonly FrameInterval[], w: Window): FrameInterval[] =>
  intervals.filter((iv) => iv.from >= w.from && iv.to <= w.to);

/**
 * The control: intervals inside `span` that overlap none of `windows` (live video, no swap
 * running), with how long they add up to, their largest gap and how many exceed `bound` ms.
 */
export function noSwapGaps(
  intervals: readonly FrameInterval[],
  span: Window,
  windows: readonly Window[],
  bound: number,
) {
  const control = within(intervals, span).filter((iv) => !windows.some((w) => overlaps(iv, w)));
  return {
    ms: control.reduce((n, iv) => n + iv.ms, 0),
    maxGapMs: control.length ? Math.max(...control.map((iv) => iv.ms)) : null,
    overBound: control.filter((iv) => iv.ms > bound).length,
  };
}

/** The value of a sampler column at time `t` (the last row at or before t). */
export function valueAt(rows: readonly SampleRow[], t: number, col: 1 | 2 | 3): number {
  let v = rows[0]?.[col] ?? 0;
  for (const r of rows) {
    if (r[0] > t) break;
    v = r[col];
  }
  return v;
}

/** One stage of one swap, as the update log timed it. */
export interface StageSpan extends Window {
  stage: string;
}

/** The stages of `model`'s update records inside `w` (a record's time is its stage's end). */
export function stageSpans(log: readonly UpdateLogRecord[], model: string, w: Window): StageSpan[] {
  return log
    .filter((r) => r.model === model && r.time >= w.from && r.time <= w.to + 50)
    .map((r) => ({ stage: r.stage, from: r.time - (r.durationMs ?? 0), to: r.time }));
}

/** The stage that shares the most time with `iv`, or `between stages` (manifest handling, scheduling). */
export function stageOf(iv: Window, spans: readonly StageSpan[]): string {
  let best = 'between stages';
  let most = 0;
  for (const s of spans) {
    const shared = Math.min(iv.to, s.to) - Math.max(iv.from, s.from);
    if (shared > most) {
      most = shared;
      best = s.stage;
    }
  }
  return best;
}

/** Per-stage durations of each update that ended inside `w`, from the records' own `durationMs`. */
export function stageDurations(log: readonly UpdateLogRecord[], model: string, w: Window): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of log)
    if (r.model === model && r.outcome === 'ok' && r.time >= w.from && r.time <= w.to + 50)
      out[r.stage] = (out[r.stage] ?? 0) + r.durationMs;
  return out;
}

/** Main-thread long animation frames overlapping `w`: count, total and blocking ms, and the scripts that ran longest. */
export function longFramesIn(frames: readonly LongFrame[], w: Window) {
  const hit = frames.filter(([at, ms]) => overlaps({ from: at, to: at + ms }, w));
  const scripts = new Map<string, number>();
  for (const [, , , list] of hit)
    for (const s of list) {
      const key = `${s.invoker}${s.source ? ` (${s.source})` : ''}`;
      scripts.set(key, (scripts.get(key) ?? 0) + s.ms);
    }
  return {
    count: hit.length,
    ms: hit.reduce((n, f) => n + f[1], 0),
    blockingMs: hit.reduce((n, f) => n + f[2], 0),
    scripts: [...scripts.entries()].sort((a, b) => b[1] - a[1]).map(([script, ms]) => ({ script, ms })),
  };
}

/** CPU categories of the browser, for "where did the time go". */
export type CpuCategory =
  | 'main_thread'
  | 'pipeline_worker'
  | 'serving_host'
  | 'new_host'
  | 'service_worker'
  | 'compositor'
  | 'renderer_thread_pool'
  | 'renderer_other'
  | 'browser_processes';

/** Thread identities that stay fixed over a session. */
export interface ThreadRoles {
  /** The pipeline worker's thread: the one dedicated worker alive from the first sample to the last. */
  pipelineTid: number | null;
  /** First epoch ms each thread was seen. */
  firstSeen: Map<number, number>;
}

/** Works out the pipeline worker's thread and when each thread appeared (threads of the first sample: -Infinity). */
export function threadRoles(samples: readonly CpuSample[]): ThreadRoles {
  const firstSeen = new Map<number, number>();
  for (const [i, s] of samples.entries())
    for (const t of s.threads) if (!firstSeen.has(t.tid)) firstSeen.set(t.tid, i === 0 ? -Infinity : s.at);
  const first = samples[0];
  const last = samples[samples.length - 1];
  const workers = (s: CpuSample | undefined) =>
    new Set(s?.threads.filter((t) => t.comm.startsWith('DedicatedWorker')).map((t) => t.tid) ?? []);
  const lastIds = workers(last);
  const both = [...workers(first)].filter((tid) => lastIds.has(tid)).sort((a, b) => a - b);
  return { pipelineTid: both[0] ?? null, firstSeen };
}

function categoryOf(
  t: { tid: number; comm: string; main: boolean },
  roles: ThreadRoles,
  windowStart: number,
): CpuCategory {
  if (t.main) return 'main_thread';
  if (t.comm.startsWith('DedicatedWorker')) {
    if (t.tid === roles.pipelineTid) return 'pipeline_worker';
    // Born with the swap (a small allowance for the sampling interval): the candidate's host.
    return (roles.firstSeen.get(t.tid) ?? -Infinity) >= windowStart - 150 ? 'new_host' : 'serving_host';
  }
  if (t.comm.startsWith('ServiceWorker')) return 'service_worker';
  if (t.comm.startsWith('Compositor')) return 'compositor';
  // V8's platform workers: WebAssembly compilation and tier-up, concurrent GC, script streaming.
  if (t.comm.startsWith('ThreadPool')) return 'renderer_thread_pool';
  return 'renderer_other';
}

/** The sample closest to `t` at or before it (else the first after it). */
function sampleAt(samples: readonly CpuSample[], t: number): CpuSample | undefined {
  let best: CpuSample | undefined;
  for (const s of samples) {
    if (s.at > t) return best ?? s;
    best = s;
  }
  return best;
}

/**
 * CPU ms each category used in `w`. A thread born inside the window counts from zero; one that
 * ended inside it counts up to its last sample. `windowStart` decides which hosts are "new".
 */
export function cpuIn(
  samples: readonly CpuSample[],
  roles: ThreadRoles,
  w: Window,
  windowStart = w.from,
): Partial<Record<CpuCategory, number>> | null {
  const a = sampleAt(samples, w.from);
  const inside = samples.filter((s) => s.at > w.from && s.at <= w.to);
  const b = inside[inside.length - 1];
  if (!a || !b || b.at <= a.at) return null;
  const start = new Map(a.threads.map((t) => [t.tid, t.cpu]));
  const lastCpu = new Map<number, { comm: string; main: boolean; cpu: number }>();
  for (const s of inside) for (const t of s.threads) lastCpu.set(t.tid, t);
  const out: Partial<Record<CpuCategory, number>> = {};
  const add = (k: CpuCategory, sec: number) => (out[k] = (out[k] ?? 0) + sec * 1000);
  for (const [tid, t] of lastCpu) {
    const delta = t.cpu - (start.get(tid) ?? 0);
    if (delta > 0) add(categoryOf({ tid, ...t }, roles, windowStart), delta);
  }
  const others = b.others - a.others;
  if (others > 0) add('browser_processes', others);
  for (const k of Object.keys(out) as CpuCategory[]) out[k] = Math.round(out[k]!);
  return out;
}
