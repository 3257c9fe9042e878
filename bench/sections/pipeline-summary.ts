/**
 * @file Turns the pipeline section's raw samples into results.json figures: per-photo medians,
 * overall p50/p95 per side, and the ratios (median over photos of face-api ms ÷ hotlens ms).
 */
import { SAMPLE_NAMES } from '../lib/paths.ts';
import { median, ratio, round, rounded, summarize } from '../lib/stats.ts';
import type { Side, SideInfo } from './pipeline.ts';

/** Samples of one side for one photo. */
export interface SideSamples {
  /** End-to-end ms: hotlens drop → annotation; face-api Blob → results. */
  ms: number[];
  /** hotlens: worker time (result card); face-api: detectAllFaces chain without decode. */
  innerMs: number[];
  decodeMs: number[];
  faces: number[];
}

/** Sides timed on whole batches of the photos. */
export type BatchSide = 'hotlens' | 'faceapi_wasm_1t' | 'faceapi_wasm_2t';

/** Set-up facts recorded with the figures. */
export interface PipelineSetup {
  info: Partial<Record<Side, SideInfo>>;
  skipped: Partial<Record<Side, string>>;
  loadBefore: number;
  loadAfter: number;
  rounds: number;
  webglRounds: number;
}

/** Median over photos of (numerator side's per-photo p50 ÷ denominator side's). */
function photoRatio(samples: Record<Side, SideSamples[]>, num: Side, den: Side): number | null {
  const rs = SAMPLE_NAMES.map((_, i) => ratio(median(samples[num][i]!.ms), median(samples[den][i]!.ms)));
  return round(median(rs.filter((r): r is number => r !== null)), 2);
}

/** Per-photo ms of whole batches: hotlens against face-api's faster wasm configuration. */
function summarizeBatches(batches: Record<BatchSide, number[]>) {
  const faceapi = (['faceapi_wasm_1t', 'faceapi_wasm_2t'] as const)
    .filter((s) => batches[s].length > 0)
    .sort((a, b) => (median(batches[a]) ?? Infinity) - (median(batches[b]) ?? Infinity))[0];
  const hotlens = median(batches.hotlens);
  return {
    photos: SAMPLE_NAMES.length,
    rounds: batches.hotlens.length,
    hotlens_ms_per_photo_p50: round(hotlens),
    faceapi_wasm_ms_per_photo_p50: faceapi ? round(median(batches[faceapi])) : null,
    faceapi_wasm_config: faceapi ?? null,
    ratio_vs_faceapi_wasm: faceapi ? round(ratio(median(batches[faceapi]), hotlens), 2) : null,
    how: 'all six photos in one drop event on hotlens (two photos in flight: one decodes while the other runs the models), one after another on face-api (its API analyses one image per call); ms from the drop / first call until the last annotation, ÷ 6; median over rounds that alternate the sides',
  };
}

/** The section's JSON. */
export function summarizePipeline(
  samples: Record<Side, SideSamples[]>,
  batches: Record<BatchSide, number[]>,
  setup: PipelineSetup,
) {
  const all = (side: Side, key: keyof SideSamples = 'ms') => samples[side].flatMap((s) => s[key]);
  const p50 = (side: Side, key: keyof SideSamples = 'ms') => round(median(all(side, key)));
  const ran = (side: Side) => all(side).length > 0;
  // The key figure compares with face-api's FASTER wasm configuration (conservative).
  const wasmSides = (['faceapi_wasm_1t', 'faceapi_wasm_2t'] as const).filter(ran);
  const best = [...wasmSides].sort((a, b) => (median(all(a)) ?? Infinity) - (median(all(b)) ?? Infinity))[0];
  const skippedNote = (side: Side) => setup.skipped[side] ?? (ran(side) ? undefined : 'no samples');
  const threadsOf = (side: Side) => {
    const i = setup.info[side];
    return i?.kind === 'app' ? i.status.threads : null;
  };
  // The hotlens side that ran with n threads (as shipped or the other count).
  const hotlensWith = (n: number) =>
    (['hotlens', 'hotlens_other_threads'] as const).find((s) => threadsOf(s) === n && ran(s)) ?? null;
  const same = (faceapi: Side, n: number) => {
    const h = hotlensWith(n);
    return h && ran(faceapi) ? photoRatio(samples, faceapi, h) : null;
  };
  return {
    ratio_vs_faceapi_wasm: best ? photoRatio(samples, best, 'hotlens') : null,
    ...(best ? {} : { ratio_vs_faceapi_wasm_skipped: 'face-api could not run on TF.js wasm here' }),
    hotlens_ms_p50: p50('hotlens'),
    hotlens_ms_p95: round(summarize(all('hotlens')).p95),
    faceapi_wasm_ms_p50: best ? p50(best) : null,
    faceapi_wasm_ms_p95: best ? round(summarize(all(best)).p95) : null,
    faceapi_wasm_config: best ?? null,
    ratio_vs_faceapi_webgl: ran('faceapi_webgl') ? photoRatio(samples, 'faceapi_webgl', 'hotlens') : null,
    faceapi_webgl_ms_p50: ran('faceapi_webgl') ? p50('faceapi_webgl') : null,
    ...(ran('faceapi_webgl') ? {} : { faceapi_webgl_skipped: skippedNote('faceapi_webgl') }),
    hotlens_threads: threadsOf('hotlens'),
    hotlens_other_threads: threadsOf('hotlens_other_threads'),
    // hotlens with its faster thread count vs face-api with its faster wasm configuration.
    ratio_best_vs_best: (() => {
      const fastest = (['hotlens', 'hotlens_other_threads'] as const)
        .filter(ran)
        .sort((a, b) => (median(all(a)) ?? Infinity) - (median(all(b)) ?? Infinity))[0];
      return best && fastest ? photoRatio(samples, best, fastest) : null;
    })(),
    same_threads: {
      ratio_1_thread: same('faceapi_wasm_1t', 1),
      ratio_2_threads: same('faceapi_wasm_2t', 2),
      note: 'face-api with 2 threads is told hardwareConcurrency = 4 (TF.js caps its pool at half the cores): on 2 real cores its pool competes with the page, so the 2-thread ratio flatters hotlens; the headline uses face-api’s faster configuration',
    },
    batch: summarizeBatches(batches),
    hotlens_worker_ms_p50: p50('hotlens', 'innerMs'),
    faceapi_wasm_without_decode_ms_p50: best ? p50(best, 'innerMs') : null,
    sides: Object.fromEntries(
      (Object.keys(samples) as Side[]).map((side) => [
        side,
        ran(side)
          ? {
              ms: rounded(summarize(all(side))),
              inner_ms: rounded(summarize(all(side, 'innerMs'))),
              decode_ms_p50: p50(side, 'decodeMs'),
            }
          : { skipped: skippedNote(side) },
      ]),
    ),
    per_photo: SAMPLE_NAMES.map((photo, i) => ({
      photo,
      ms_p50: Object.fromEntries((Object.keys(samples) as Side[]).map((s) => [s, round(median(samples[s][i]!.ms))])),
      faces: Object.fromEntries((Object.keys(samples) as Side[]).map((s) => [s, median(samples[s][i]!.faces)])),
      ratio_vs_faceapi_wasm: best
        ? round(ratio(median(samples[best][i]!.ms), median(samples.hotlens[i]!.ms)), 2)
        : null,
    })),
    setup: {
      rounds: setup.rounds,
      webgl_rounds: setup.webglRounds,
      sides: setup.info,
      detector: 'tiny face detector at 416 px, score threshold 0.5, on every side (hotlens serves face-detector 1.0.0)',
      timing:
        'hotlens: drop event → annotation in the app store (page clock; inner = worker time from the result card); ' +
        'face-api: Blob → createImageBitmap → canvas → detectAllFaces().withAgeAndGender().withFaceExpressions() (inner = without decode)',
      load_average_before: setup.loadBefore,
      load_average_after: setup.loadAfter,
    },
  };
}
