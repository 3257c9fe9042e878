/**
 * @file Unit and parity tests run in Node: fake-indexeddb for storage, the real onnxruntime-web
 * (its Node build) and the real converted models. Browser behaviour is covered by Playwright.
 */
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // One test file per core, not vitest's default of one fewer: many files wait on child
    // processes (the CLIs) or the disk, and on 2 cores this takes the suite from 484 s to 375 s.
    maxWorkers: availableParallelism(),
  },
});
