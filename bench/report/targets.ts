/**
 * @file The issue's targets, checked against results.json. Reported as pass / miss / not
 * measured; the bench never fails on them (a shared 2-core machine is noisy).
 */
import { num, str, type Results } from './results.ts';

/** One target and how the run fared. */
export interface TargetCheck {
  target: string;
  measured: string;
  status: 'pass' | 'miss' | 'not measured';
  note?: string;
}

const fmt = (x: number, digits = 0) => x.toFixed(digits);

/** Evaluates every target. */
export function checkTargets(r: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const skip = (target: string, why: string | null): TargetCheck => ({
    target,
    measured: '—',
    status: 'not measured',
    note: why ?? 'not measured',
  });

  const ratio = num(r.pipeline, 'ratio_vs_faceapi_wasm');
  const t1 = 'Full pipeline ≥ 3× faster than face-api on TF.js wasm (same weights, photos)';
  checks.push(
    ratio === null
      ? skip(t1, str(r.pipeline, 'ratio_vs_faceapi_wasm_skipped'))
      : {
          target: t1,
          measured: `${fmt(ratio, 2)}× (hotlens ${num(r.pipeline, 'hotlens_ms_p50')} ms vs face-api ${num(r.pipeline, 'faceapi_wasm_ms_p50')} ms, p50)`,
          status: ratio >= 3 ? 'pass' : 'miss',
        },
  );

  const repeat = num(r.cold_start, 'repeat_visit_ms');
  const t2 = 'Repeat-visit cold start to first annotated frame ≤ 1.5 s';
  checks.push(
    repeat === null
      ? skip(t2, str(r.cold_start, 'repeat_visit_ms_skipped'))
      : { target: t2, measured: `${fmt(repeat)} ms`, status: repeat <= 1500 ? 'pass' : 'miss' },
  );
  const repeatBusy = num(r.cold_start, 'repeat_visit_busy_ms');
  const t2b = 'Repeat-visit cold start with one core busy ≤ 3 s';
  checks.push(
    repeatBusy === null
      ? skip(t2b, str(r.cold_start, 'repeat_visit_busy_ms_skipped'))
      : { target: t2b, measured: `${fmt(repeatBusy)} ms`, status: repeatBusy <= 3000 ? 'pass' : 'miss' },
  );

  const swapPhases = [
    ['swap', r.swap, 'quiet machine'],
    ['swap_busy', r.swap_busy, 'one core kept busy'],
  ] as const;
  for (const [, section, when] of swapPhases) {
    const gap = num(section, 'max_gap_ms');
    const median = num(section, 'median_frame_interval_ms');
    const lost = num(section, 'frames_lost');
    const errors = num(section, 'errors');
    const t3 = `Face-detector swap, ${when}: largest frame gap ≤ 1.5× median frame interval, 0 frames lost, 0 errors`;
    checks.push(
      gap === null || median === null || lost === null || errors === null
        ? skip(t3, str(section, 'max_gap_ms_skipped') ?? str(section, 'median_frame_interval_ms_skipped'))
        : {
            target: t3,
            measured: `gap ${fmt(gap)} ms = ${fmt(gap / median, 2)}× median ${fmt(median)} ms; ${lost} lost; ${errors} errors`,
            status: gap <= 1.5 * median && lost === 0 && errors === 0 ? 'pass' : 'miss',
          },
    );
  }

  const ssd = r.swap_ssd;
  const ssdGap = num(ssd, 'max_gap_ms');
  const slower = num(ssd, 'slower_version_median_ms');
  const t3b = 'SSD 2.0.0 ⇄ 1.0.0 swap: largest gap ≤ 1.5× the slower version’s median, 0 frames lost, 0 errors';
  checks.push(
    ssdGap === null || slower === null
      ? skip(t3b, str(ssd, 'max_gap_ms_skipped') ?? 'not measured')
      : {
          target: t3b,
          measured: `gap ${fmt(ssdGap)} ms = ${fmt(ssdGap / slower, 2)}× the median of ${str(ssd, 'slower_version')} (${fmt(slower)} ms), ${num(ssd, 'max_gap_vs_median')}× the phase median; ${num(ssd, 'frames_lost')} lost; ${num(ssd, 'errors')} errors`,
          status: ssdGap <= 1.5 * slower && num(ssd, 'frames_lost') === 0 && num(ssd, 'errors') === 0 ? 'pass' : 'miss',
          note: 'reported beside the issue’s targets: a heavier model is slower per frame',
        },
  );

  const growth = num(r.memory, 'growth_ratio_50_swaps');
  const t4 = 'Memory after 50 swaps within 10% of after 1 swap (renderer processes)';
  checks.push(
    growth === null
      ? skip(t4, str(r.memory, 'growth_ratio_50_swaps_skipped'))
      : {
          target: t4,
          measured: `${fmt(growth, 3)}× (renderer PSS ${num(r.memory, 'renderer_pss_after_1_swap_mib')} → ${num(r.memory, 'renderer_pss_after_50_swaps_mib')} MiB)`,
          status: Math.abs(growth - 1) <= 0.1 ? 'pass' : 'miss',
        },
  );

  const annotated = num(r.webcam, 'annotated_ratio');
  const busyAnnotated = num(r.webcam, 'annotated_ratio_busy');
  const t6 = 'Webcam: faces annotated on ≥ 95% of the frames the 15 fps camera delivers';
  checks.push(
    annotated === null
      ? skip(t6, str(r.webcam, 'annotated_ratio_skipped'))
      : {
          target: t6,
          measured: `${fmt(annotated * 100, 1)}% quiet; ${busyAnnotated === null ? '—' : `${fmt(busyAnnotated * 100, 1)}%`} with one core busy`,
          status: annotated >= 0.95 && (busyAnnotated === null || busyAnnotated >= 0.95) ? 'pass' : 'miss',
        },
  );
  const match = num(r.webcam, 'tracking_match_ratio');
  const ceiling = num(r.webcam, 'full_vs_previous_frame_match_ratio');
  const t7 = 'Webcam tracking: ≥ 95% of frames match the full pipeline on every frame (IoU ≥ 0.5)';
  checks.push(
    match === null
      ? skip(t7, str(r.webcam, 'tracking_match_ratio_skipped'))
      : {
          target: t7,
          measured: `${fmt(match * 100, 1)}%; age difference ${num(r.webcam, 'age_mae_vs_full') ?? '—'} years`,
          status: match >= 0.95 ? 'pass' : 'miss',
          ...(ceiling === null
            ? {}
            : {
                note: `the full pipeline matches its own previous frame on ${fmt(ceiling * 100, 1)}% (detector flicker)`,
              }),
        },
  );

  const repeatBytes = num(r.bytes, 'repeat_visit');
  const only = (r.bytes as Record<string, unknown>).repeat_visit_only_manifest;
  const t5 = 'Repeat visit transfers only the manifest';
  checks.push(
    repeatBytes === null || typeof only !== 'boolean'
      ? skip(t5, str(r.bytes, 'repeat_visit_skipped'))
      : {
          target: t5,
          measured:
            `${repeatBytes} bytes in all; app-initiated ${num(r.bytes, 'repeat_visit_app_initiated') ?? '?'} bytes` +
            `${only ? ' (manifest only)' : ' (more than the manifest)'}, browser-initiated ${num(r.bytes, 'repeat_visit_browser_initiated') ?? '?'} bytes` +
            ' (service-worker update checks, Chromium’s navigation preload)',
          status: only ? 'pass' : 'miss',
        },
  );
  return checks;
}
