/**
 * @file The one runtime file the app shell does not precache: onnxruntime-web's WebGPU-capable
 * build (`ort-wasm-simd-threaded.jsep-<hash>.wasm`, 28 MB), which only a machine with a real
 * GPU adapter ever loads. There it is cached on first use (content-hashed name, so cache-first
 * is always right), keeping the app usable offline; older builds' copies expire.
 */
import { ExpirationPlugin } from 'workbox-expiration';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { isOnDemandRuntime } from './precache-filter.ts';

/** The Cache Storage name of on-demand runtime files. */
export const RUNTIME_CACHE = 'hotlens-runtime-v1';

/** Serves the WebGPU runtime cache-first once it was fetched. */
export function cacheRuntimeOnDemand(): void {
  registerRoute(
    ({ url }) => isOnDemandRuntime(url),
    new CacheFirst({ cacheName: RUNTIME_CACHE, plugins: [new ExpirationPlugin({ maxEntries: 2 })] }),
  );
}
