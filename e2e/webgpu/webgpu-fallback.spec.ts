/**
 * @file Backend choice: with WebGPU enabled but only a software (fallback) adapter, as on a
 * GPU-less machine, the app must not pick WebGPU (SwiftShader is ~100× slower than WASM).
 */
import { expect, test } from '../support/fixtures.ts';
import { wasmThreads } from '../../src/inference/host/threads.ts';

test('a fallback WebGPU adapter is not used: inference runs on WASM', async ({ app, page }) => {
  await app.open();
  const adapter = await page.evaluate(async () => {
    const gpu = (
      globalThis as unknown as {
        navigator: { gpu?: { requestAdapter(): Promise<{ info: { isFallbackAdapter: boolean } } | null> } };
      }
    ).navigator.gpu;
    const a = await gpu?.requestAdapter();
    return a ? { fallback: a.info.isFallbackAdapter } : null;
  });
  // Guard: this project really exposes a (fallback) adapter, else the test proves nothing.
  expect(adapter).toEqual({ fallback: true });
  const status = await app.ready();
  expect(status.backend).toBe('wasm');
  // The default thread count for this machine's cores (threads.ts: 1 below 4 cores).
  const threads = wasmThreads(
    undefined,
    true,
    await page.evaluate(
      () => (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency,
    ),
  );
  expect(status.threads).toBe(threads);
  await expect(page.getByTestId('status-pill')).toContainText(`WASM · ${threads} thread${threads > 1 ? 's' : ''}`);
});
