/**
 * @file Backend choice: with WebGPU enabled but only a software (fallback) adapter, as on a
 * GPU-less machine, the app must not pick WebGPU (SwiftShader is ~100× slower than WASM), and
 * must not even download onnxruntime-web's WebGPU-capable build (only the WASM-only one).
 */
import type { Request } from '@playwright/test';
import { expect, test } from '../support/fixtures.ts';
import { wasmThreads } from '../../src/inference/host/threads.ts';

/** Runtime .wasm files requested (by the page, its workers or the service worker). */
function runtimeRequests(requests: Request[]): string[] {
  return requests.map((r) => r.url()).filter((u) => /ort-wasm-simd-threaded[^/]*\.wasm/.test(u));
}

test('a fallback WebGPU adapter is not used: inference runs on WASM, the WebGPU runtime is never fetched', async ({
  app,
  page,
  context,
}) => {
  const requests: Request[] = [];
  context.on('request', (r) => requests.push(r));
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
  const wasm = runtimeRequests(requests);
  expect(wasm.length).toBeGreaterThan(0);
  expect(wasm.filter((u) => u.includes('.jsep'))).toEqual([]);
});
