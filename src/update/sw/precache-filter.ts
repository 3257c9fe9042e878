/**
 * @file Keeps model files out of the app-shell precache even if the build's glob patterns
 * let them in: precached weights would be downloaded again on every app deploy and could
 * never be rolled back per model. Models live in IndexedDB, managed by the update service.
 * Also names the runtime file cached on first use instead of precached (runtime-cache.ts).
 */

/** A workbox precache entry (as injected into `self.__WB_MANIFEST`). */
export type PrecacheItem = string | { url: string; revision?: string | null; integrity?: string };

/** True for URLs of the model registry (manifest, blobs, probe images) or any ONNX file. */
export function isModelUrl(url: string): boolean {
  const path =
    url
      .replace(/^[a-z]+:\/\/[^/]+/i, '')
      .replace(/^\.?\//, '')
      .split(/[?#]/)[0] ?? '';
  return path.startsWith('models/') || path.endsWith('.onnx');
}

/** The precache list without model files. */
export function withoutModels<T extends PrecacheItem>(entries: readonly T[]): T[] {
  return entries.filter((e) => !isModelUrl(typeof e === 'string' ? e : e.url));
}

/** True for onnxruntime-web's WebGPU-capable .wasm (any build hash), loaded only where a real GPU exists. */
export function isOnDemandRuntime(url: URL): boolean {
  return /\/ort-wasm-simd-threaded\.jsep-[^/]+\.wasm$/.test(url.pathname);
}
