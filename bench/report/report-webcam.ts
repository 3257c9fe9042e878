/**
 * @file The webcam part of REPORT.md: annotated share of camera frames live (quiet and one core
 * busy), and how close tracking stays to the full pipeline on every frame, per scene.
 */
import { ms, table } from './markdown.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—');
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** The section as Markdown. */
export function webcamMarkdown(section: unknown): string {
  const s = obj(section);
  if (!s.live) return `Not measured${typeof s.error === 'string' ? `: ${s.error}` : ' (section not run)'}.`;
  const live = obj(s.live);
  const q = obj(s.quality);
  const run = (name: string, r: Obj) => [
    name,
    num(r.delivered),
    num(r.annotated),
    pct(r.annotated_ratio),
    num(r.camera_fps),
    num(r.annotated_fps),
    ms(num(r.inference_ms_p50)),
    ms(num(r.inference_ms_p95)),
    pct(r.detector_share),
    num(r.errors),
  ];
  const scenes = Object.entries(obj(q.by_scene)).map(([name, v]) => {
    const f = obj(v);
    return [
      name,
      num(f.frames),
      pct(f.tracking_match_ratio),
      pct(f.full_vs_previous_frame_match_ratio),
      num(f.age_mae_vs_full),
    ];
  });
  return [
    `Video: ${String(s.video ?? '')}.`,
    '',
    `**Annotated ÷ camera frames: ${pct(s.annotated_ratio)} quiet, ${pct(s.annotated_ratio_busy)} with one core busy.**`,
    '',
    table(
      [
        'run',
        'camera frames',
        'annotated',
        'annotated share',
        'camera fps',
        'annotated fps',
        'inference p50 ms',
        'p95 ms',
        'detector share',
        'errors',
      ],
      [run('quiet', obj(live.quiet)), run('one core busy', obj(live.busy))],
    ),
    '',
    `**Tracking vs the full pipeline on every frame: ${pct(s.tracking_match_ratio)} of frames match** (every face paired at IoU ≥ 0.5); ` +
      `age difference ${String(s.age_mae_vs_full ?? '—')} years (mean over matched faces). ` +
      `Reference: the full pipeline's result one frame earlier matches ${pct(s.full_vs_previous_frame_match_ratio)} — the detector's own ` +
      'frame-to-frame flicker, the ceiling for any answer that is a frame late. ' +
      `Tracked frame p50 ${String(q.tracked_ms_p50 ?? '—')} ms (p95 ${String(q.tracked_ms_p95 ?? '—')}), full pipeline p50 ${String(q.full_ms_p50 ?? '—')} ms; ` +
      `detector on ${pct(q.detector_share)} of frames.`,
    '',
    table(['scene', 'frames', 'tracking matches full', 'full matches its previous frame', 'age MAE (years)'], scenes),
    '',
    String(s.how ?? ''),
  ].join('\n');
}
