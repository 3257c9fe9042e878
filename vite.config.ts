/**
 * @file Vite build and servers for the app. Dev and preview both send COOP/COEP so the page is
 * `crossOriginIsolated` (SharedArrayBuffer → multi-threaded WASM); deployments must send the
 * same two headers. onnxruntime-web is excluded from dep pre-bundling: it locates its .wasm with
 * `new URL(…, import.meta.url)`, which pre-bundling breaks (and the first dev load would reload
 * the page mid-test).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Headers that make the page cross-origin isolated (needed for WASM threads). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const port = Number(process.env.PORT ?? 4173);

export default defineConfig({
  base: './',
  plugins: [react()],
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port, headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', sourcemap: true },
});
