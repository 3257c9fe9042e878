/**
 * @file The models bench page: probes WebGPU (a real adapter only, never SwiftShader's
 * fallback) and times every model file in one fresh worker per runtime, so thread counts never
 * mix. Exposes `window.benchModels` (see api.ts) for the runner.
 */
import * as Comlink from 'comlink';
import { runtimeVersion } from '../../../src/inference/engine/ort-engine.ts';
import type {
  BenchModelsApi,
  BreakdownJob,
  GpuProbe,
  ModelsRunConfig,
  ModelsWorkerApi,
  RuntimeResult,
} from '../api.ts';
import { browser, exposeOnWindow } from '../lib/browser-globals.ts';

/** A dedicated worker; declared here because the bench compiles without lib.dom. */
interface WorkerLike {
  terminate(): void;
}
declare const Worker: new (url: URL, options: { type: 'module' }) => WorkerLike;

async function probeGpu(): Promise<GpuProbe> {
  const gpu = browser.navigator.gpu;
  if (!gpu) return { available: false, reason: 'navigator.gpu is missing (no WebGPU in this browser/context)' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { available: false, reason: 'navigator.gpu.requestAdapter() returned no adapter' };
  const info = adapter.info;
  const isFallbackAdapter = info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? true;
  const described = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    isFallbackAdapter,
  };
  if (isFallbackAdapter) {
    return {
      available: false,
      reason: `only a software fallback adapter (${described.vendor || 'unknown'} ${described.architecture}) is available, no real GPU`,
      adapter: described,
    };
  }
  return { available: true, reason: 'real adapter', adapter: described };
}

/** Runs `fn` against a fresh models worker, then ends the worker (its WASM memory with it). */
async function withWorker<T>(fn: (remote: Comlink.Remote<ModelsWorkerApi>) => Promise<T>): Promise<T> {
  const worker = new Worker(new URL('./models-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await fn(Comlink.wrap<ModelsWorkerApi>(worker as unknown as Comlink.Endpoint));
  } finally {
    worker.terminate();
  }
}

const api: BenchModelsApi = {
  probeGpu,
  async breakdown(jobs: BreakdownJob[]) {
    const out = [];
    for (const job of jobs) {
      try {
        out.push(await withWorker((remote) => remote.breakdown(job)));
      } catch (err) {
        out.push({ threads: job.threads, error: (err as Error).message });
      }
    }
    return out;
  },
  async run(config: ModelsRunConfig) {
    const webgpu = await probeGpu();
    const runtimes: RuntimeResult[] = [];
    for (const rt of config.runtimes) {
      if (rt.ep === 'webgpu' && !webgpu.available) continue;
      const { cases, warmupRuns, timedRuns, photos, cropDetector } = config;
      try {
        runtimes.push(
          await withWorker((remote) => remote.run({ ...rt, cases, warmupRuns, timedRuns, photos, cropDetector })),
        );
      } catch (err) {
        runtimes.push({ ...rt, runtimeInitMs: NaN, timings: [], distinctFaces: 0, error: (err as Error).message });
      }
    }
    return {
      crossOriginIsolated: browser.crossOriginIsolated,
      ortVersion: await runtimeVersion(),
      hardwareConcurrency: browser.navigator.hardwareConcurrency,
      webgpu,
      runtimes,
    };
  },
};

exposeOnWindow('benchModels', api);
