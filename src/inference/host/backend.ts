/**
 * @file Picks where inference runs. WebGPU only on a real adapter: headless and GPU-less
 * machines expose a SwiftShader "fallback" adapter that is ~100× slower than WASM. WASM threads
 * need SharedArrayBuffer, i.e. a cross-origin-isolated page (COOP/COEP headers).
 */
import type { HostOptions } from '../../shared/model-host-api.ts';
import type { Backend } from '../../shared/worker-api.ts';
import { wasmThreads } from './threads.ts';

/** The chosen provider and thread count. */
export interface RuntimeChoice {
  backend: Backend;
  threads: number;
}

/** True when `navigator.gpu` yields an adapter that is not a software fallback. */
export async function hasRealGpu(): Promise<boolean> {
  const gpu = (globalThis.navigator as Partial<WorkerNavigator> | undefined)?.gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return false;
    // Older Chromium exposed the flag on the adapter itself.
    const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return !(adapter.info?.isFallbackAdapter ?? legacy ?? true);
  } catch {
    return false;
  }
}

/** Resolves the options into a provider and thread count for this worker. */
export async function chooseRuntime(options: HostOptions): Promise<RuntimeChoice> {
  const wanted = options.backend ?? 'auto';
  const gpu = wanted === 'wasm' ? false : (options.realGpu ?? (await hasRealGpu()));
  const backend: Backend = wanted === 'webgpu' || gpu ? 'webgpu' : 'wasm';
  const threads = wasmThreads(options.threads, self.crossOriginIsolated, self.navigator.hardwareConcurrency ?? 1);
  return { backend, threads };
}
