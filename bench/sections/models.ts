/**
 * @file Section 1, per model: every file the registry publishes (tiny detector 224/320/416,
 * SSD 512, age-gender and expression at batch 1 and 8; uint8-packed and float32 encodings;
 * centernet 512 and nsfwjs MobileNetV2Mid 224 on a whole sample photo, as their features feed them),
 * timed in the browser on onnxruntime-web WASM with 1 and 2 threads — and WebGPU when a real
 * adapter exists (skipped with the reason otherwise). Per file: download bytes and ms, session
 * create ms, run ms (median, p95).
 */
import type { Manifest } from '../../src/shared/manifest-types.ts';
import type { BenchModelsApi, ModelCase, ModelsRunResult } from '../pages/api.ts';
import { launch } from '../lib/browser.ts';
import type { BenchContext } from '../lib/context.ts';
import { registryManifest } from '../lib/registry.ts';
import { SAMPLE_NAMES } from '../lib/paths.ts';
import { ratio, round, rounded, summarize, type Summary } from '../lib/stats.ts';

/** One row of the models table. */
export interface ModelRow {
  model: string;
  id: string;
  version: string;
  variant: string;
  encoding: string;
  size: number;
  batch: number;
  runtime: string;
  bytes: number;
  fetch_ms: number | null;
  create_ms: number | null;
  run_ms: Summary;
  error?: string;
}

/** A short architecture name for a registry version, from its provenance. */
export function archName(source: string, id: string): string {
  if (source.includes('tiny_face_detector')) return 'tiny';
  if (source.includes('ssd_mobilenet')) return 'SSD';
  if (source.includes('age_gender')) return 'age-gender';
  if (source.includes('face_expression')) return 'expression';
  if (source.includes('centernet')) return 'centernet';
  if (source.includes('mobilenet_v2_mid')) return 'MobileNetV2Mid';
  if (source.includes('blazeface')) return 'BlazeFace';
  if (source.includes('faceres')) return 'FaceRes';
  if (source.includes('emotion.json')) return 'emotion';
  return id;
}

/** Every file of the registry as a case to time. */
export function modelCases(manifest: Manifest, url: (blob: string) => string): (ModelCase & { arch: string })[] {
  const cases: (ModelCase & { arch: string })[] = [];
  for (const [id, entry] of Object.entries(manifest.models)) {
    for (const [version, v] of Object.entries(entry.versions)) {
      const files = [[`${v.preprocess.size}-${v.encoding}`, v] as const, ...Object.entries(v.variants ?? {})];
      for (const [variant, f] of files) {
        const pre = f.preprocess ?? v.preprocess;
        const size = pre.size;
        cases.push({
          id,
          version,
          variant,
          task: entry.task,
          encoding: f.encoding,
          size,
          preprocess: { fit: pre.fit, resize: pre.resize },
          url: url(`/models/${f.blob}`),
          bytes: f.bytes,
          // Face crops come in batches; whole-image models see one picture at a time.
          batches: entry.task === 'face-attributes' || entry.task === 'face-expression' ? [1, 8] : [1],
          arch: archName(v.source, id),
        });
      }
    }
  }
  return cases;
}

function runtimeName(ep: string, threads: number): string {
  return ep === 'wasm' ? `wasm-${threads}t` : ep;
}

/** Runs the section. */
export async function runModels(ctx: BenchContext) {
  const manifest = await registryManifest();
  const cases = modelCases(manifest, (p) => ctx.server.url(p));
  const detector = manifest.models['face-detector'];
  const serving = detector?.versions[detector.stable];
  if (!serving) throw new Error('the registry has no stable face-detector');
  const browser = await launch();
  let result: ModelsRunResult;
  try {
    const page = await browser.newPage();
    await page.goto(ctx.server.url('/bench/models.html'));
    await page.waitForFunction(() => 'benchModels' in globalThis);
    ctx.log(
      `${cases.length} files × runtimes wasm-1t, wasm-2t (+webgpu if a real adapter), ${ctx.options.modelRuns} runs each`,
    );
    result = await page.evaluate(
      (config) => (globalThis as unknown as { benchModels: BenchModelsApi }).benchModels.run(config),
      {
        cases: cases.map(({ arch: _arch, ...c }) => c),
        runtimes: [
          { ep: 'wasm' as const, threads: 1 },
          { ep: 'wasm' as const, threads: 2 },
          { ep: 'webgpu' as const, threads: 1 },
        ],
        warmupRuns: 3,
        timedRuns: ctx.options.modelRuns,
        photos: SAMPLE_NAMES.map((n) => ctx.server.url(`/samples/${n}`)),
        cropDetector: { url: ctx.server.url(`/models/${serving.blob}`), size: serving.preprocess.size },
      },
    );
  } finally {
    await browser.close();
  }
  const arch = new Map(cases.map((c) => [`${c.id}@${c.version}`, c.arch]));
  const rows: ModelRow[] = result.runtimes.flatMap((rt) =>
    rt.timings.map((t) => ({
      model: `${arch.get(`${t.id}@${t.version}`) ?? t.id} ${t.size}`,
      id: t.id,
      version: t.version,
      variant: t.variant,
      encoding: t.encoding,
      size: t.size,
      batch: t.batch,
      runtime: runtimeName(t.ep, t.threads),
      bytes: t.bytes,
      fetch_ms: round(t.fetchMs),
      create_ms: round(t.createMs),
      run_ms: rounded(summarize(t.runMs), 2),
      ...(t.error ? { error: t.error } : {}),
    })),
  );
  for (const rt of result.runtimes)
    if (rt.error) ctx.log(`runtime ${runtimeName(rt.ep, rt.threads)} failed: ${rt.error}`);
  return {
    ort_version: result.ortVersion,
    cross_origin_isolated: result.crossOriginIsolated,
    hardware_concurrency: result.hardwareConcurrency,
    warmup_runs: 3,
    timed_runs: ctx.options.modelRuns,
    webgpu: result.webgpu.available ? result.webgpu : null,
    ...(result.webgpu.available
      ? {}
      : { webgpu_skipped: result.webgpu.reason, webgpu_adapter: result.webgpu.adapter ?? null }),
    runtime_init_ms: Object.fromEntries(
      result.runtimes.map((rt) => [runtimeName(rt.ep, rt.threads), round(rt.runtimeInitMs)]),
    ),
    runtime_errors: Object.fromEntries(
      result.runtimes.filter((rt) => rt.error).map((rt) => [runtimeName(rt.ep, rt.threads), rt.error!]),
    ),
    crop_faces: result.runtimes[0]?.distinctFaces ?? null,
    rows,
    thread_speedup: threadSpeedup(rows),
  };
}

/** Run-time p50 with 1 thread ÷ with 2 threads, per file and batch. */
function threadSpeedup(rows: ModelRow[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const one of rows.filter((r) => r.runtime === 'wasm-1t')) {
    const two = rows.find(
      (r) =>
        r.runtime === 'wasm-2t' &&
        r.id === one.id &&
        r.variant === one.variant &&
        r.version === one.version &&
        r.batch === one.batch,
    );
    out[`${one.model} ${one.encoding} b${one.batch}`] = round(ratio(one.run_ms.p50, two?.run_ms.p50), 2);
  }
  return out;
}
