/**
 * @file Unit and parity tests run in Node: fake-indexeddb for storage, the real onnxruntime-web
 * (its Node build) and the real converted models. Browser behaviour is covered by Playwright.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
