/**
 * @file bench/REPORT.md from results.json: targets vs measured values first, then every
 * section's tables, what was skipped and why, and how the figures were taken.
 */
import { ms, size, skippedReasons, table } from './markdown.ts';
import { num, str, type Results } from './results.ts';
import { checkTargets } from './targets.ts';
import { modelsMarkdown } from './report-models.ts';
import { featuresMarkdown } from './report-features.ts';
import { facesGen2Markdown } from './report-faces-gen2.ts';
import { memoryMarkdown, swapMarkdown } from './report-swap.ts';
import { webcamMarkdown } from './report-webcam.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

function machine(r: Results): string {
  const m = r.machine;
  return table(
    ['', ''],
    [
      ['CPU', `${m.cpu_model} (${m.cores} cores)`],
      ['Memory', `${m.memory_gib} GiB (${m.free_memory_gib_before} GiB free at start)`],
      ['OS', m.os],
      ['Browser', `${m.chromium}, headless (Playwright, Debian build)`],
      ['Node', m.node],
      [
        'Load average (1/5/15 min)',
        `before ${m.load_average_before.join(' / ')}; after ${m.load_average_after?.join(' / ') ?? '—'}`,
      ],
      [
        'Load average (1 min) per section',
        (['models', 'pipeline', 'features', 'faces_gen2', 'cold_start', 'swap', 'swap_busy', 'memory'] as const)
          .map((k) => {
            const l = obj(obj(r[k]).load_average_1min);
            return l.before === undefined ? null : `${k} ${String(l.before)} → ${String(l.after)}`;
          })
          .filter((x) => x !== null)
          .join('; ') || '—',
      ],
      ['Run', `${m.started_at} → ${m.finished_at ?? '—'} (${r.run.seconds} s; sections: ${r.run.sections.join(', ')})`],
      [
        'Content Security Policy violations reported',
        r.run.csp_violations
          ? `app (production policy) ${r.run.csp_violations.app}, bench pages ${r.run.csp_violations.pages}`
          : '—',
      ],
    ],
  );
}

/** The batch figures: whole sets of photos, per photo. */
function batchLine(b: Obj): string {
  if (num(b, 'hotlens_ms_per_photo_p50') === null) return 'Batches: not measured.';
  return (
    `**Batches: ${num(b, 'ratio_vs_faceapi_wasm') ?? '—'}×** — ${num(b, 'photos')} photos at once, ${num(b, 'rounds')} rounds: hotlens ${num(b, 'hotlens_ms_per_photo_p50')} ms per photo, ` +
    `face-api wasm (\`${str(b, 'faceapi_wasm_config') ?? '—'}\`) ${num(b, 'faceapi_wasm_ms_per_photo_p50') ?? '—'} ms per photo (${str(b, 'how') ?? ''}).`
  );
}

function pipeline(r: Results): string {
  const p = obj(r.pipeline);
  if (num(p, 'hotlens_ms_p50') === null)
    return `Not measured: ${str(p, 'hotlens_ms_p50_skipped') ?? str(p, 'error') ?? 'see results.json'}.`;
  const perPhoto = (p.per_photo ?? []) as {
    photo: string;
    ms_p50: Obj;
    faces: Obj;
    ratio_vs_faceapi_wasm: number | null;
  }[];
  const sides = obj(p.sides);
  const sideNames = Object.keys(sides);
  const setup = obj(p.setup);
  const same = obj(p.same_threads);
  const lines = [
    `**ratio_vs_faceapi_wasm = ${num(p, 'ratio_vs_faceapi_wasm') ?? '—'}×** (median over the six photos of face-api ms ÷ hotlens ms; hotlens as shipped, ${num(p, 'hotlens_threads') ?? '?'} thread(s) on this machine; face-api side: \`${str(p, 'faceapi_wasm_config') ?? '—'}\`, its faster wasm configuration here). ` +
      `hotlens p50 ${num(p, 'hotlens_ms_p50')} ms (p95 ${num(p, 'hotlens_ms_p95')}), face-api wasm p50 ${num(p, 'faceapi_wasm_ms_p50')} ms (p95 ${num(p, 'faceapi_wasm_ms_p95')}). ` +
      `Each side at its faster configuration: ${num(p, 'ratio_best_vs_best') ?? '—'}×. ` +
      `Same thread count: 1 thread ${same.ratio_1_thread ?? '—'}×, 2 threads ${same.ratio_2_threads ?? '—'}× (${str(same, 'note') ?? ''}). ` +
      `vs face-api on WebGL: ${num(p, 'ratio_vs_faceapi_webgl') ?? '—'}×${str(p, 'faceapi_webgl_skipped') ? ` (${str(p, 'faceapi_webgl_skipped')})` : ''}.`,
    '',
    batchLine(obj(p.batch)),
    '',
    table(
      ['photo', ...sideNames.map((s) => `${s} ms`), 'faces (hotlens / face-api)', 'ratio'],
      perPhoto.map((row) => [
        row.photo,
        ...sideNames.map((s) => ms(row.ms_p50[s] as number | null)),
        `${row.faces.hotlens ?? '—'} / ${row.faces.faceapi_wasm_1t ?? row.faces.faceapi_wasm_2t ?? '—'}`,
        row.ratio_vs_faceapi_wasm,
      ]),
    ),
    '',
    table(
      ['side', 'n', 'p50 ms', 'p95 ms', 'min', 'max', 'inner p50 ms', 'decode p50 ms'],
      sideNames.map((s) => {
        const v = obj(sides[s]);
        const m = obj(v.ms);
        if (!v.ms) return [s, null, null, null, null, null, null, `skipped: ${str(v, 'skipped')}`];
        return [
          s,
          m.n as number,
          ms(m.p50 as number),
          ms(m.p95 as number),
          ms(m.min as number),
          ms(m.max as number),
          ms(obj(v.inner_ms).p50 as number),
          ms(v.decode_ms_p50 as number),
        ];
      }),
    ),
    '',
    `Set-up: ${setup.rounds} interleaved rounds after a warm-up pass (WebGL: ${setup.webgl_rounds}). ${str(setup, 'detector') ?? ''}. Timing — ${str(setup, 'timing') ?? ''}. Load average ${setup.load_average_before} → ${setup.load_average_after}.`,
  ];
  const info = obj(setup.sides);
  const described = Object.entries(info).map(([k, v]) => {
    const o = obj(v);
    if (o.kind === 'app') {
      const st = obj(o.status);
      return `- \`${k}\`: hotlens app, ${st.backend} with ${st.threads} thread(s)`;
    }
    return `- \`${k}\`: face-api ${o.faceApi} on TF.js ${o.tfjs} \`${o.backend}\`${o.threads ? ` with ${o.threads} thread(s)` : ''}${o.renderer ? ` (renderer: ${o.renderer})` : ''}`;
  });
  const bd = obj(p.breakdown);
  const stages = obj(bd.stage_ms_p50);
  const runtimes = Object.keys(stages);
  const stageNames = [...new Set(runtimes.flatMap((k) => Object.keys(obj(stages[k]))))];
  const breakdown = runtimes.length
    ? [
        '',
        '### Where hotlens spends a photo',
        table(
          ['stage', ...runtimes.map((k) => `${k} ms p50`)],
          stageNames.map((st) => [st, ...runtimes.map((k) => ms(obj(stages[k])[st] as number))]),
        ),
        '',
        str(bd, 'how') ?? '',
      ]
    : [`Stage breakdown: ${str(bd, 'error') ?? 'not measured'}.`];
  return [...lines, '', ...described, ...breakdown].join('\n');
}

function coldStart(r: Results): string {
  const c = obj(r.cold_start);
  const visits = obj(c.visits);
  const rows = Object.entries(visits).map(([k, v]) => {
    const o = obj(v);
    return [
      k,
      ms(o.dom_content_loaded_ms as number),
      ms(o.first_annotated_frame_ms as number),
      ms(o.models_ready_ms as number),
      ms(o.worker_load_ms as number),
      ms(o.first_frame_inference_ms as number),
      ms(o.steady_inference_ms_p50 as number),
      str(o, 'service_worker'),
      str(o, 'error'),
    ];
  });
  const fvs = obj(c.first_vs_steady_inference);
  return [
    `first_visit_ms = ${num(c, 'first_visit_ms') ?? '—'}, repeat_visit_ms = ${num(c, 'repeat_visit_ms') ?? `— (${str(c, 'repeat_visit_ms_skipped') ?? str(c, 'error')})`}, offline repeat = ${num(c, 'offline_repeat_visit_ms') ?? '—'}, repeat with one core busy = ${num(c, 'repeat_visit_busy_ms') ?? '—'} (repeat visits: ${((c.repeat_visits_ms ?? []) as number[]).join(', ') || '—'} ms).`,
    `First vs steady inference (first visit): first frame ${fvs.first_frame_ms ?? '—'} ms, steady p50 ${fvs.steady_p50_ms ?? '—'} ms.`,
    '',
    rows.length
      ? table(
          [
            'visit',
            'nav → DOMContentLoaded ms',
            'nav → first annotated frame ms',
            'nav → models ready ms',
            'worker load ms',
            'first frame inference ms',
            'steady inference p50 ms',
            'service worker',
            'error',
          ],
          rows,
        )
      : '',
    '',
    str(c, 'how') ?? '',
  ].join('\n');
}

function bytes(r: Results): string {
  const b = obj(r.bytes);
  if (num(b, 'repeat_visit') === null)
    return `Not measured: ${str(b, 'repeat_visit_skipped') ?? str(b, 'error') ?? ''}.`;
  const cats = new Set([
    ...Object.keys(obj(b.first_visit_by_category)),
    ...Object.keys(obj(b.repeat_visit_by_category)),
  ]);
  const cat = (which: string, c: string) => obj(obj(b[which])[c]);
  return [
    table(
      ['category', 'first visit', 'requests', 'repeat visit', 'requests'],
      [...cats].map((c) => [
        c,
        size(cat('first_visit_by_category', c).bytes as number),
        cat('first_visit_by_category', c).requests as number,
        size(cat('repeat_visit_by_category', c).bytes as number),
        cat('repeat_visit_by_category', c).requests as number,
      ]),
    ),
    '',
    `Total: first visit ${size(num(b, 'first_visit'))}, repeat visit ${size(num(b, 'repeat_visit'))}, offline visit ${size(num(b, 'offline_visit'))}.`,
    `Repeat-visit responses: ${((b.repeat_visit_requests ?? []) as string[]).map((x) => `\`${x}\``).join(', ') || 'none'}. ` +
      `App-initiated ${size(num(b, 'repeat_visit_app_initiated'))}, browser-initiated ${size(num(b, 'repeat_visit_browser_initiated'))}.`,
    ...(b.navigation_control
      ? [
          `Control visit (${str(obj(b.navigation_control), 'how') ?? ''}): ${obj(b.navigation_control).sw_serves_navigation ? 'no request for the page — the service worker serves it' : `requests for the page: ${JSON.stringify(obj(b.navigation_control).navigationRequests ?? obj(b.navigation_control).error)}`}.`,
        ]
      : []),
    '',
    str(b, 'how') ?? '',
  ].join('\n');
}

/** The whole report. */
export function renderReport(r: Results): string {
  const targets = checkTargets(r);
  const skipped = skippedReasons({
    pipeline: r.pipeline,
    cold_start: r.cold_start,
    bytes: r.bytes,
    swap: r.swap,
    swap_busy: r.swap_busy,
    swap_ssd: r.swap_ssd,
    memory: r.memory,
    models: r.models,
    features: r.features,
    faces_gen2: r.faces_gen2,
    webcam: r.webcam,
  });
  return [
    '# hotlens benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.ts) from bench/results.json; chart: [chart.svg](chart.svg). Figures from one run on a shared machine — noisy; the load average is recorded. Reproduce with \`npm run bench\` (sections: \`-- --only models,pipeline,features,faces_gen2,cold_start,bytes,swap,memory,webcam\`).`,
    '',
    '## Machine',
    machine(r),
    '',
    '## Targets',
    table(
      ['target', 'measured', 'status', 'note'],
      targets.map((t) => [t.target, t.measured, t.status, t.note ?? '']),
    ),
    '',
    '![benchmark chart](chart.svg)',
    '',
    '## 1. Per model (onnxruntime-web in the browser)',
    modelsMarkdown(r.models),
    '',
    '## 2. Full pipeline per photo: hotlens vs face-api',
    pipeline(r),
    '',
    '## 3. Cold start',
    coldStart(r),
    '',
    '## 4. Hot swap under a live webcam',
    swapMarkdown(r),
    '',
    '## 5. Memory over swaps',
    memoryMarkdown(r),
    '',
    '## 6. Bytes on the wire',
    bytes(r),
    '',
    '## 7. Objects and classification per photo: hotlens vs TF.js peers',
    featuresMarkdown(r.features),
    '',
    '## 8. Faces, second model generation per photo: hotlens vs Human',
    facesGen2Markdown(r.faces_gen2),
    '',
    "## 9. Webcam at the camera's rate: tracking",
    webcamMarkdown(r.webcam),
    '',
    '## Skipped or not measured',
    skipped.length ? skipped.map(([k, v]) => `- \`${k}\`: ${v}`).join('\n') : 'Nothing.',
    '',
  ].join('\n');
}
