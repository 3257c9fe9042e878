/**
 * @file The shape of results.json and its guarantee: every key the release checks read is
 * present — a number when measured, otherwise null with a sibling `<key>_skipped` reason
 * (section not run, failed, or unsupported by this build). Nothing is ever filled in.
 */
import type { MachineInfo } from '../lib/machine.ts';

/** results.json (sections carry more keys than listed; see REPORT.md). */
export interface Results {
  machine: MachineInfo;
  run: {
    sections: string[];
    options: Record<string, unknown>;
    seconds: number;
    /** Violation reports the browser POSTed, per policy (null: no server log). */
    csp_violations?: { app: number; pages: number } | null;
  };
  models?: Record<string, unknown>;
  pipeline: Record<string, unknown>;
  features?: Record<string, unknown>;
  faces_gen2?: Record<string, unknown>;
  cold_start: Record<string, unknown>;
  bytes: Record<string, unknown>;
  swap: Record<string, unknown>;
  swap_busy: Record<string, unknown>;
  swap_ssd?: Record<string, unknown>;
  memory: Record<string, unknown>;
  webcam: Record<string, unknown>;
  targets?: unknown;
}

/** Keys the release checks read, by section. */
export const REQUIRED: Record<
  'pipeline' | 'cold_start' | 'swap' | 'swap_busy' | 'memory' | 'bytes' | 'webcam',
  string[]
> = {
  pipeline: ['ratio_vs_faceapi_wasm', 'hotlens_ms_p50', 'faceapi_wasm_ms_p50'],
  cold_start: ['repeat_visit_ms', 'repeat_visit_busy_ms', 'first_visit_ms'],
  swap: ['median_frame_interval_ms', 'max_gap_ms', 'frames_lost', 'errors'],
  swap_busy: ['median_frame_interval_ms', 'max_gap_ms', 'frames_lost', 'errors'],
  memory: ['growth_ratio_50_swaps'],
  bytes: ['repeat_visit'],
  webcam: ['annotated_ratio', 'tracking_match_ratio', 'age_mae_vs_full'],
};

type Obj = Record<string, unknown>;

/** Fills every required key that is missing (or NaN) with null plus a `_skipped` reason. */
export function completeResults(raw: Obj): Results {
  const out: Obj = { ...raw };
  for (const [section, keys] of Object.entries(REQUIRED)) {
    const value = (out[section] ?? {}) as Obj;
    const sec: Obj = { ...value };
    const why =
      out[section] === undefined
        ? 'section not run (see --only)'
        : typeof value.error === 'string'
          ? `section failed: ${value.error}`
          : 'not measured';
    for (const key of keys) {
      const v = sec[key];
      if (typeof v === 'number' && Number.isFinite(v)) continue;
      sec[key] = null;
      if (typeof sec[`${key}_skipped`] !== 'string') sec[`${key}_skipped`] = why;
    }
    out[section] = sec;
  }
  return out as unknown as Results;
}

/** Reads a numeric field (null when absent or not a number). */
export function num(section: unknown, key: string): number | null {
  const v = (section as Obj | undefined)?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Reads a string field. */
export function str(section: unknown, key: string): string | null {
  const v = (section as Obj | undefined)?.[key];
  return typeof v === 'string' ? v : null;
}
