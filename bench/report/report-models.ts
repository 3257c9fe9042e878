/**
 * @file The per-model part of REPORT.md: every file on WASM with 1 and 2 threads, the
 * float32-vs-uint8 comparison, runtime start-up, and the WebGPU verdict.
 */
import { ms, size, table } from './markdown.ts';

interface Row {
  model: string;
  id: string;
  version: string;
  variant: string;
  encoding: string;
  batch: number;
  runtime: string;
  bytes: number;
  fetch_ms: number | null;
  create_ms: number | null;
  run_ms: { n: number; p50: number | null; p95: number | null };
  error?: string;
}

type Obj = Record<string, unknown>;

/** The section as Markdown. */
export function modelsMarkdown(section: unknown): string {
  const s = (section ?? {}) as Obj;
  const rows = (s.rows ?? []) as Row[];
  if (!rows.length) return `Not measured${typeof s.error === 'string' ? `: ${s.error}` : ' (section not run)'}.`;
  const key = (r: Row) => `${r.id}@${r.version} ${r.variant} b${r.batch}`;
  const keys = [...new Set(rows.map(key))];
  const pick = (k: string, runtime: string) => rows.find((r) => key(r) === k && r.runtime === runtime);
  const main = table(
    [
      'model',
      'file',
      'batch',
      'size',
      'download ms',
      'create ms 1t / 2t',
      'run p50 1t',
      'p95 1t',
      'run p50 2t',
      'p95 2t',
      '1t ÷ 2t',
    ],
    keys.map((k) => {
      const a = pick(k, 'wasm-1t');
      const b = pick(k, 'wasm-2t');
      const r = (a ?? b)!;
      const speed = a?.run_ms.p50 && b?.run_ms.p50 ? (a.run_ms.p50 / b.run_ms.p50).toFixed(2) : null;
      return [
        `${r.model} (${r.id}@${r.version})`,
        r.encoding,
        r.batch,
        size(r.bytes),
        ms(a?.fetch_ms),
        `${ms(a?.create_ms) ?? '—'} / ${ms(b?.create_ms) ?? '—'}`,
        ms(a?.run_ms.p50),
        ms(a?.run_ms.p95),
        ms(b?.run_ms.p50),
        ms(b?.run_ms.p95),
        speed ?? a?.error ?? b?.error ?? null,
      ];
    }),
  );
  const pairs = [...new Set(rows.map((r) => `${r.id}@${r.version} ${r.model} b${r.batch}`))];
  const enc = table(
    ['model', 'batch', 'uint8 size', 'float32 size', 'create ms uint8 / fp32 (2t)', 'run p50 uint8 / fp32 (2t)'],
    pairs.flatMap((p) => {
      const of = (e: string) =>
        rows.find(
          (r) => `${r.id}@${r.version} ${r.model} b${r.batch}` === p && r.encoding === e && r.runtime === 'wasm-2t',
        );
      const u = of('uint8');
      const f = of('float32');
      if (!u || !f) return [];
      return [
        [
          u.model,
          u.batch,
          size(u.bytes),
          size(f.bytes),
          `${ms(u.create_ms)} / ${ms(f.create_ms)}`,
          `${ms(u.run_ms.p50)} / ${ms(f.run_ms.p50)}`,
        ],
      ];
    }),
  );
  const init = Object.entries((s.runtime_init_ms ?? {}) as Obj)
    .map(([k, v]) => `${k} ${v} ms`)
    .join(', ');
  const gpu = s.webgpu
    ? `WebGPU: measured on a real adapter (${JSON.stringify(s.webgpu)}).`
    : `WebGPU: skipped — ${String(s.webgpu_skipped ?? 'no real adapter')}.`;
  const errors = Object.entries((s.runtime_errors ?? {}) as Obj).map(([k, v]) => `${k}: ${String(v)}`);
  return [
    `onnxruntime-web ${String(s.ort_version)}, cross-origin isolated: ${String(s.cross_origin_isolated)}, ${String(s.warmup_runs)} warm-up + ${String(s.timed_runs)} timed runs per case; inputs: sample1 letterboxed (face detectors), stretched as the manifest says (object detector, classifier), real face crops (${String(s.crop_faces)} faces found in the samples, batches cycle through them). Session create excludes runtime start-up (first session in a fresh worker: ${init || '—'}).`,
    gpu,
    ...(errors.length ? [`Runtime errors: ${errors.join('; ')}`] : []),
    '',
    main,
    '',
    '### float32 vs uint8-packed files',
    enc,
  ].join('\n');
}
