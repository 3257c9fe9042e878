/**
 * @file Vite build and servers for the app. Dev and preview both send COOP/COEP so the page is
 * `crossOriginIsolated` (SharedArrayBuffer → multi-threaded WASM); deployments must send the
 * same two headers. onnxruntime-web is excluded from dep pre-bundling: it locates its .wasm with
 * `new URL(…, import.meta.url)`, which pre-bundling breaks (and the first dev load would reload
 * the page mid-test).
 *
 * The service worker (src/update/sw/sw.ts) is built by vite-plugin-pwa's `injectManifest`
 * strategy: workbox injects the app-shell precache list (HTML, JS, CSS, the 28 MB ORT wasm,
 * icons) and the worker adds the model-update logic. Models are never precached: they live in
 * IndexedDB, one version at a time, managed by the update service.
 *
 * Preview also sends the Content-Security-Policy (tools/lib/csp.ts; `connect-src` allows the
 * registry origins in HOTLENS_REGISTRY_ORIGINS). The dev server does not: Vite's HMR client and
 * React Refresh inject inline scripts that a strict policy would block.
 *
 * The public keys that may sign the model manifest (tools/lib/trusted-keys.ts: `keys/*.public.jwk.json`
 * plus HOTLENS_TRUSTED_KEYS; with production keys configured, no implicit keys/ and no `dev-*`
 * ids) are embedded as `__HOTLENS_TRUSTED_KEYS__` in the app, its workers and its service
 * worker, and their ids are printed; a build without any refuses to start rather than ship an
 * app that would accept no manifest (or, worse, every manifest).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { cspFromEnv } from './tools/lib/csp.ts';
import { trustedKeysForBuild } from './tools/lib/trusted-keys.ts';

/** Headers that make the page cross-origin isolated (needed for WASM threads). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const port = Number(process.env.PORT ?? 4173);

/** The trusted manifest keys as a `define` value (their ids are printed); throws when there are none. */
function trustedKeysDefine(): string {
  return JSON.stringify(trustedKeysForBuild(fileURLToPath(new URL('.', import.meta.url))));
}

export default defineConfig(({ isPreview }) => ({
  base: './',
  // `vite preview` only serves dist/, which already embeds its keys.
  define: isPreview ? {} : { __HOTLENS_TRUSTED_KEYS__: trustedKeysDefine() },
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/update/sw',
      filename: 'sw.ts',
      // The app registers the worker itself (src/update/client) so it controls update prompts.
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      // The glob below already precaches the icons; listing them again would duplicate entries.
      includeManifestIcons: false,
      injectManifest: {
        // A classic script: every browser that runs the app can register it.
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest}'],
        // Models live in IndexedDB (versioned, rollback-able); source maps are for developers.
        // The WebGPU-capable runtime (…jsep.wasm, 28 MB) is fetched only on a machine with a real
        // GPU adapter, and cached then by the service worker (runtime-cache.ts): precaching it
        // would download it on every first visit even where WebGPU is never used.
        globIgnores: ['models/**', '**/*.map', '**/ort-wasm-simd-threaded.jsep*.wasm'],
        // onnxruntime-web's WASM-only runtime is 14 MB and must be available offline.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
      manifest: {
        name: 'hotlens — private face annotation',
        short_name: 'hotlens',
        description:
          'Find faces in photos and webcam frames, labelled with age, gender and expression. Everything runs on your device.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#0b1120',
        theme_color: '#0b1120',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: {
    host: '127.0.0.1',
    port,
    headers: { ...ISOLATION_HEADERS, 'Content-Security-Policy': cspFromEnv(process.env) },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', sourcemap: true },
}));
