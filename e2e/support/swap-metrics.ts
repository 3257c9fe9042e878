/**
 * @file Figures the update specs measure (frame gaps during a swap, publish → serving, memory
 * across swaps): computed from in-page samples and the update log, merged into
 * e2e/.artifacts/swap-metrics.json section by section (each spec owns its section) and attached
 * to the HTML report.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { TestInfo } from '@playwright/test';
import type { UpdateLogRecord } from '../../src/shared/update-messages.ts';
import type { FrameSamples } from './fixtures.ts';
import { SWAP_METRICS_JSON } from './paths.ts';

/**
 * A frame gap this many times the cadence counts as the video stalling: what the update specs
 * assert. The product target is 1.5× (issue 9), not met on two shared cores: V8 recompiles
 * onnxruntime's newly hot WebAssembly during a swap, on the cores the video needs (ARCHITECTURE.md,
 * "Where sessions live"). On 2026-12-05 the swap-gap spec read 1.57× in a clean-clone CI run
 * (1.49–2.16× in six other runs that day), 1.27–1.37× with V8's tier-up turned off. The specs record
 * their ratio in e2e/.artifacts/swap-metrics.json; `npm run bench` tracks the target.
 */
export const STALL_RATIO = 4;

/** The page's frame timestamps are whole milliseconds (`Date.now()`), so a gap may read 1 ms long. */
export const TIMESTAMP_SLACK_MS = 1;

/**
 * The shortest gap counted as a stall, whatever the cadence: half a second, a freeze anyone sees.
 * With tracked webcam frames the cadence is the camera's (67 ms), so STALL_RATIO alone would call
 * 280 ms a stall — less than one full-pipeline frame on freshly compiled sessions on two loaded
 * cores. The designs this replaced stalled 0.7–3.5 s.
 */
export const STALL_FLOOR_MS = 500;

/** The largest frame gap the update specs accept around a swap, given the cadence (median interval). */
export function stallBoundMs(medianIntervalMs: number): number {
  return Math.max(STALL_RATIO * medianIntervalMs, STALL_FLOOR_MS) + TIMESTAMP_SLACK_MS;
}

/** Median of numbers (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Intervals between consecutive counter increases whose end falls in [from, to]. */
function intervals(samples: FrameSamples, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [t, n] = samples[i]!;
    const [t0, n0] = samples[i - 1]!;
    if (n > n0 && t >= from && t <= to) out.push(t - t0);
  }
  return out;
}

/** Frame cadence before a swap and the largest gap while it ran. */
export interface GapStats {
  /** Median interval between processed frames before the swap started (ms). */
  medianIntervalMs: number;
  /** Largest interval between processed frames from swap start to end (+1 s) (ms). */
  maxGapDuringSwapMs: number;
  /** Median interval after the swap (+1 s), on the new version (a heavier model is slower per frame) (ms). */
  medianIntervalAfterMs: number;
  /** Frames processed during the swap window. */
  framesDuringSwap: number;
  swapWindowMs: number;
}

/** Gap statistics for a swap that ran from `start` to `end` (wall times, ms). */
export function gapStats(samples: FrameSamples, start: number, end: number): GapStats {
  const before = intervals(samples, -Infinity, start);
  const during = intervals(samples, start, end + 1000);
  const first = samples.find(([t]) => t >= start)?.[1] ?? 0;
  const last = [...samples].reverse().find(([t]) => t <= end)?.[1] ?? first;
  return {
    medianIntervalMs: median(before),
    maxGapDuringSwapMs: Math.max(0, ...during),
    medianIntervalAfterMs: median(intervals(samples, end + 1000, Infinity)),
    framesDuringSwap: last - first,
    swapWindowMs: end - start,
  };
}

/**
 * Frame gaps of a swap to a model set with another cost per frame (e.g. another generation):
 * each gap is held to the cadence of the set that produced the frame ending it. Gaps ending
 * from `start` to the flip (`flip`, the first `serving` record) are frames of the old set,
 * compared with the median interval before `start`; gaps ending from the flip to `end` + 1 s are
 * the new set's, compared with the median interval after that (the new set's steady cadence).
 */
export interface CrossGapStats {
  medianBeforeMs: number;
  medianAfterMs: number;
  /** Largest gap while the old set served during the swap (staging, compiling, warming). */
  maxGapBeforeFlipMs: number;
  /** Largest gap from the flip to the end of the swap (+1 s): the first frames of the new set. */
  maxGapAfterFlipMs: number;
  framesBeforeFlip: number;
  framesAfterFlip: number;
  /** When the largest gap before the flip ended, ms after `start` (where in the staging it fell). */
  maxGapBeforeFlipEndedAtMs: number;
}

/** {@link CrossGapStats} for a swap from `start` through `flip` to `end` (wall times, ms). */
export function crossGapStats(samples: FrameSamples, start: number, flip: number, end: number): CrossGapStats {
  const beforeFlip = intervals(samples, start, flip - 1e-6);
  const afterFlip = intervals(samples, flip, end + 1000);
  const largest = largestGap(samples, start, flip - 1e-6);
  return {
    medianBeforeMs: median(intervals(samples, -Infinity, start)),
    medianAfterMs: median(intervals(samples, end + 1000, Infinity)),
    maxGapBeforeFlipMs: Math.max(0, ...beforeFlip),
    maxGapAfterFlipMs: Math.max(0, ...afterFlip),
    framesBeforeFlip: beforeFlip.length,
    framesAfterFlip: afterFlip.length,
    maxGapBeforeFlipEndedAtMs: largest ? largest.endedAt - start : NaN,
  };
}

/** The largest interval whose end falls in [from, to], and when it ended. */
function largestGap(samples: FrameSamples, from: number, to: number): { ms: number; endedAt: number } | null {
  let best: { ms: number; endedAt: number } | null = null;
  for (let i = 1; i < samples.length; i++) {
    const [t, n] = samples[i]!;
    const [t0, n0] = samples[i - 1]!;
    if (n > n0 && t >= from && t <= to && (!best || t - t0 > best.ms)) best = { ms: t - t0, endedAt: t };
  }
  return best;
}

/** The first and last log times of one version's update (service-worker `found` to `released`). */
export function swapWindow(log: readonly UpdateLogRecord[], sha256: string): { start: number; end: number } {
  const mine = log.filter((r) => r.sha256 === sha256);
  const start = Math.min(...mine.map((r) => r.time - (r.durationMs ?? 0)));
  const end = Math.max(...mine.filter((r) => r.stage === 'released').map((r) => r.time));
  return { start, end };
}

/** Per-stage durations of a swap from its log records (ms). */
export function stageDurations(log: readonly UpdateLogRecord[], sha256: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of log) if (r.sha256 === sha256 && r.outcome === 'ok') out[`${r.source}:${r.stage}`] = r.durationMs;
  return out;
}

/** Merges `data` into section `name` of swap-metrics.json and attaches it to the report. */
export async function recordMetrics(testInfo: TestInfo, name: string, data: unknown): Promise<void> {
  const all: Record<string, unknown> = existsSync(SWAP_METRICS_JSON)
    ? (JSON.parse(readFileSync(SWAP_METRICS_JSON, 'utf8')) as Record<string, unknown>)
    : {};
  all[name] = { measuredAt: new Date().toISOString(), ...(data as object) };
  writeFileSync(SWAP_METRICS_JSON, `${JSON.stringify(all, null, 2)}\n`);
  await testInfo.attach(`${name}.json`, { body: JSON.stringify(data, null, 2), contentType: 'application/json' });
}
