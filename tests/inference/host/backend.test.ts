/**
 * @file Which runtime a model host chooses: WebGPU only on a real adapter, the verdict its
 * pipeline worker passes in used as given (so the host does not wait to ask again).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseRuntime, hasRealGpu } from '../../../src/inference/host/backend.ts';

/** A worker-like global: `navigator` with an optional WebGPU adapter, cross-origin isolation, cores. */
function fakeWorkerGlobals(adapter: { info: { isFallbackAdapter: boolean } } | null | undefined): () => number {
  let asked = 0;
  const gpu =
    adapter === undefined
      ? undefined
      : {
          requestAdapter: () => {
            asked += 1;
            return Promise.resolve(adapter);
          },
        };
  vi.stubGlobal('navigator', { gpu, hardwareConcurrency: 2 });
  vi.stubGlobal('self', { navigator: { hardwareConcurrency: 2 }, crossOriginIsolated: true });
  return () => asked;
}

afterEach(() => vi.unstubAllGlobals());

describe('hasRealGpu', () => {
  it('is true only for an adapter that is not a software fallback', async () => {
    fakeWorkerGlobals({ info: { isFallbackAdapter: false } });
    expect(await hasRealGpu()).toBe(true);
    fakeWorkerGlobals({ info: { isFallbackAdapter: true } });
    expect(await hasRealGpu()).toBe(false);
    fakeWorkerGlobals(null);
    expect(await hasRealGpu()).toBe(false);
    fakeWorkerGlobals(undefined);
    expect(await hasRealGpu()).toBe(false);
  });
});

describe('chooseRuntime', () => {
  const registryUrl = 'https://x.test/models/';

  it('uses the verdict it is given without asking for an adapter', async () => {
    const asked = fakeWorkerGlobals({ info: { isFallbackAdapter: false } });
    expect(await chooseRuntime({ registryUrl, realGpu: false })).toEqual({ backend: 'wasm', threads: 1 });
    expect(await chooseRuntime({ registryUrl, realGpu: true })).toMatchObject({ backend: 'webgpu' });
    expect(asked()).toBe(0);
  });

  it('asks for an adapter itself when no verdict comes with the options', async () => {
    const asked = fakeWorkerGlobals({ info: { isFallbackAdapter: false } });
    expect(await chooseRuntime({ registryUrl })).toMatchObject({ backend: 'webgpu' });
    expect(asked()).toBe(1);
  });

  it('follows a forced backend whatever the verdict', async () => {
    fakeWorkerGlobals({ info: { isFallbackAdapter: false } });
    expect(await chooseRuntime({ registryUrl, backend: 'wasm', realGpu: true })).toMatchObject({ backend: 'wasm' });
    expect(await chooseRuntime({ registryUrl, backend: 'webgpu', realGpu: false })).toMatchObject({
      backend: 'webgpu',
    });
  });
});
