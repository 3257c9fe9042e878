/**
 * @file REPORT.md sections 4 and 5: hot swaps under a live webcam (quiet, one core busy, the SSD
 * detector), what a swap costs a frame (the breakdown), and memory over 50 swaps.
 */
import { ms, table } from './markdown.ts';
import { num, str, type Results } from './results.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const kv = (o: unknown, unit = '') =>
  Object.entries(obj(o))
    .map(([k, v]) => `${k} ${String(v)}${unit}`)
    .join(', ') || '—';

const PHASES = [
  ['swap', 'Quiet machine'],
  ['swap_busy', 'One core kept busy'],
  ['swap_ssd', 'SSD 2.0.0 ⇄ 1.0.0 (heavier model)'],
] as const;

function phaseRow(key: string, s: Obj): (string | number | null)[] {
  if (num(s, 'max_gap_ms') === null)
    return [
      key,
      null,
      null,
      null,
      null,
      null,
      null,
      `not measured: ${str(s, 'max_gap_ms_skipped') ?? str(s, 'error')}`,
    ];
  const pts = obj(s.publish_to_serving_ms);
  return [
    key,
    ms(num(s, 'median_frame_interval_ms')),
    ms(num(s, 'max_gap_ms')),
    num(s, 'max_gap_vs_median'),
    num(s, 'frames_lost'),
    num(s, 'errors'),
    ms(pts.p50 as number),
    s.target_met === true ? 'met' : s.target_met === false ? 'missed' : '—',
  ];
}

function controlLine(c: Obj): string {
  if (num(c, 'video_ms') === null) return '—';
  return `largest gap ${String(c.max_gap_ms)} ms (${String(c.max_gap_vs_median)}× median) in ${Math.round(Number(c.video_ms) / 1000)} s; gaps over the bound per minute: ${String(c.gaps_over_bound_per_min)} with no swap, ${String(c.swap_gaps_over_bound_per_min)} in swap windows`;
}

function phaseDetails(title: string, s: Obj): string {
  if (num(s, 'max_gap_ms') === null) return `### ${title}\n\nNot measured.`;
  const d = obj(s.details);
  const w = obj(s.workers);
  const busy = obj(s.busy_core);
  const rows: [string, string][] = [
    ['versions', str(s, 'versions') ?? '—'],
    [
      'median frame interval (phase / steady baseline)',
      `${s.median_frame_interval_ms} / ${s.median_frame_interval_baseline_ms} ms; by version: ${kv(s.median_frame_interval_by_version_ms, ' ms')}`,
    ],
    ['largest gap overlapping a swap', `${s.max_gap_ms} ms (${s.max_gap_vs_median}× median)`],
    ['control: the same video with no swap running', controlLine(obj(s.no_swap_control))],
    [
      'frames',
      `${String(s.frames_lost)} lost (missing from the cadence); camera frames skipped beyond the steady rate: ${String(s.frames_dropped_beyond_baseline)} (in swap windows ${String(d.dropped_in_swap_windows)}, steady ${String(d.dropped_per_s_baseline)}/s)`,
    ],
    ['errors', String(s.errors)],
    [
      'publish → serving (first frame annotated by the new version)',
      `p50 ${obj(s.publish_to_serving_ms).p50} ms, p95 ${obj(s.publish_to_serving_ms).p95} ms (${s.swaps_served} of ${s.swaps} swaps served; first ${s.publish_to_serving_first_ms} ms)`,
    ],
    ['stage p50 (ms)', kv(s.stage_ms_p50)],
    [
      'live workers (DedicatedWorker threads)',
      `before ${String(obj(w.before).threads)}, after ${String(obj(w.after).threads)}, at most ${String(w.max_after_a_swap)} once a swap settled (Playwright: ${String(obj(w.before).playwright)} → ${String(obj(w.after).playwright)})`,
    ],
  ];
  if (s.busy_core)
    rows.push([
      'busy core',
      `${str(busy, 'how')}; ran ${Math.round(Number(busy.ran_ms) / 1000)} s and got ${String(busy.cpu_share)} of a core${busy.ended_early ? ' — ENDED BEFORE THE PHASE DID' : ''}`,
    ]);
  if (s.slower_version)
    rows.push([
      'against the slower version',
      `${String(s.slower_version)} is slower (${String(s.slower_version_median_ms)} ms median); largest gap ${s.max_gap_ms} ms = ${String(s.max_gap_vs_slower_median)}× its median; largest gap swapping to 2.0.0 ${String(s.max_gap_to_ssd_ms)} ms, back to 1.0.0 ${String(s.max_gap_to_tiny_ms)} ms`,
    ]);
  const perSwap = list(d.per_swap).map((p, i) => [
    i + 1,
    `${String(p.from)} → ${String(p.to)}`,
    ms(p.publish_to_serving_ms as number),
    ms(p.max_gap_ms as number),
    ms(obj(p.stage_ms).compiling as number),
    ms(p.session_create_ms as number),
    ms(obj(p.stage_ms).probed as number),
    ms(obj(p.stage_ms).warmed as number),
    p.workers_after as number,
  ]);
  return [
    `### ${title}`,
    '',
    table(['figure', 'value'], rows),
    '',
    table(
      [
        'swap',
        'versions',
        'publish → serving ms',
        'largest gap ms',
        'compiling ms',
        'of which session create',
        'probed ms',
        'warmed ms',
        'workers after',
      ],
      perSwap,
    ),
  ].join('\n');
}

function breakdown(title: string, s: Obj): string {
  const b = obj(s.breakdown);
  if (!b.how) return '';
  const byStage = Object.entries(obj(b.long_gaps_by_stage)).map(([stage, v]) => {
    const o = obj(v);
    return [stage, o.long_gaps as number, o.max_gap_ms as number, o.excess_ms as number];
  });
  const gaps = list(b.largest_gaps).map((g) => [
    g.swap as number,
    ms(g.gap_ms as number),
    ms(g.starts_ms_after_publish as number),
    str(g, 'stage'),
    kv(g.cpu_ms, ' ms'),
    `${String(g.main_thread_long_frames_ms)} ms${
      list(g.main_thread_scripts).length
        ? `: ${list(g.main_thread_scripts)
            .map((x) => `${String(x.script)} ${String(x.ms)} ms`)
            .join('; ')}`
        : ''
    }`,
  ]);
  const mt = obj(b.main_thread);
  const split = obj(b.compiling_split_ms_p50);
  const stages = Object.entries(obj(b.by_stage)).map(([stage, v]) => {
    const o = obj(v);
    const cpu = Object.entries(obj(o.cpu_ms_total))
      .filter(([, x]) => Number(x) > 0)
      .sort((x, y) => Number(y[1]) - Number(x[1]))
      .map(([k, x]) => `${k} ${String(x)}`)
      .join(', ');
    return [stage, o.ms_total as number, o.frame_rate_vs_baseline as number, cpu || '—'];
  });
  return [
    `#### ${title}: what a swap costs`,
    '',
    `${String(b.long_gaps)} long gaps. Compiling split (p50): session create ${String(split.session_create)} ms, host start + reading the bytes ${String(split.host_start_and_bytes)} ms.`,
    `CPU per swap window (ms): ${kv(b.cpu_ms_per_swap)}; beyond the baseline rate: ${kv(b.cpu_ms_per_swap_beyond_baseline)}. Baseline CPU per second: ${kv(b.cpu_ms_per_s_baseline)}.`,
    `Main thread: ${String(mt.long_frames_per_swap)} long animation frames per swap (${String(mt.long_frame_ms_per_swap)} ms, blocking ${String(mt.blocking_ms_per_swap)} ms); baseline ${String(mt.baseline_long_frame_ms_per_s)} ms/s. Longest scripts in swaps: ${
      list(mt.top_scripts_in_swaps_ms)
        .map((x) => `${String(x.script)} ${String(x.ms_per_swap)} ms/swap`)
        .join('; ') || '—'
    }.`,
    '',
    stages.length
      ? table(['stage', 'ms (all swaps)', 'frame rate ÷ baseline', 'CPU ms during the stage (all swaps)'], stages)
      : '',
    '',
    byStage.length
      ? table(['stage', 'long gaps', 'largest ms', 'excess ms (Σ gap − cadence)'], byStage)
      : 'No long gap.',
    '',
    gaps.length
      ? table(
          ['swap', 'gap ms', 'starts after publish ms', 'stage', 'CPU during the gap', 'main-thread long frames'],
          gaps,
        )
      : '',
  ].join('\n');
}

/** Section 4. */
export function swapMarkdown(r: Results): string {
  const sections = PHASES.map(([k]) => obj((r as unknown as Obj)[k]));
  const how = str(obj(sections[0]!.details), 'how');
  return [
    table(
      [
        'phase',
        'median ms',
        'largest gap ms',
        'gap ÷ median',
        'frames lost',
        'errors',
        'publish → serving p50 ms',
        'target (≤ 1.5×, 0 lost, 0 errors)',
      ],
      PHASES.map(([k], i) => phaseRow(k, sections[i]!)),
    ),
    '',
    ...PHASES.flatMap(([, title], i) => [phaseDetails(title, sections[i]!), '', breakdown(title, sections[i]!), '']),
    how ? `How: ${how}.` : '',
    str(obj(sections[0]!.breakdown), 'how') ? `Breakdown: ${str(obj(sections[0]!.breakdown), 'how')}.` : '',
  ].join('\n');
}

/** Section 5. */
export function memoryMarkdown(r: Results): string {
  const m = obj(r.memory);
  const trend = list(m.trend);
  if (!trend.length) return `Not measured: ${str(m, 'growth_ratio_50_swaps_skipped') ?? str(m, 'error') ?? ''}.`;
  const scopes = obj(m.by_scope_mib);
  return [
    `growth_ratio_50_swaps = ${num(m, 'growth_ratio_50_swaps') ?? `— (${str(m, 'growth_ratio_50_swaps_skipped')})`} ` +
      `(renderer PSS ${num(m, 'renderer_pss_after_1_swap_mib') ?? '—'} MiB after 1 swap → ${num(m, 'renderer_pss_after_50_swaps_mib') ?? '—'} MiB after 50). ` +
      `measureUserAgentSpecificMemory: ${num(m, 'ua_specific_after_1_swap_mib') ?? '—'} → ${num(m, 'ua_specific_after_50_swaps_mib') ?? '—'} MiB ` +
      `(${num(m, 'ua_specific_growth_ratio_50_swaps') ?? '—'}×; after 1: ${kv(scopes.after_1)}; after 50: ${kv(scopes.after_50)})` +
      `${str(m, 'ua_specific_error') ? ` — ${str(m, 'ua_specific_error')}` : ''}.`,
    '',
    table(
      [
        'after swaps',
        'renderer PSS MiB',
        'renderer RSS MiB',
        'processes',
        'worker threads',
        'Playwright workers',
        'measureUserAgentSpecificMemory MiB',
      ],
      trend.map((t) => [
        t.after_swaps as number,
        t.renderer_pss_mib as number,
        t.renderer_rss_mib as number,
        t.processes as number,
        t.worker_threads as number,
        t.playwright_workers as number,
        t.ua_specific_mib as number,
      ]),
    ),
    '',
    str(m, 'how') ?? '',
  ].join('\n');
}
