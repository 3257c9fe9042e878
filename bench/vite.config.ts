/**
 * @file Builds the bench pages (bench/pages/*.html) into bench/.tmp/pages, served by the bench
 * server under /bench/. Same worker and onnxruntime-web settings as the app's vite.config.ts,
 * so the models page runs the engine exactly as the app bundles it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: join(here, 'pages'),
  base: '/bench/',
  logLevel: 'warn',
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    outDir: join(here, '.tmp', 'pages'),
    emptyOutDir: true,
    target: 'es2022',
    // face-api's bundle (TF.js included) is 1.3 MB by design.
    chunkSizeWarningLimit: 4096,
    minify: false,
    rollupOptions: {
      input: {
        models: join(here, 'pages', 'models.html'),
        faceapi: join(here, 'pages', 'faceapi.html'),
        'tfjs-peers': join(here, 'pages', 'tfjs-peers.html'),
        human: join(here, 'pages', 'human.html'),
      },
    },
  },
});
