/**
 * @file The pipeline worker's host pool asks whether a real GPU adapter exists once, while its
 * first host starts, and hands the answer to every host it prepares.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Comlink from 'comlink';
import { HostPool, type HostConnection } from '../../../src/inference/worker/host-pool.ts';
import type { HostOptions, ModelHostApi } from '../../../src/shared/model-host-api.ts';

/** A host that records the options it was prepared with. */
function recordingHost(prepared: HostOptions[]): HostConnection {
  const api = {
    prepare: (options: HostOptions) => {
      prepared.push(options);
      return Promise.resolve({ backend: 'wasm', threads: 1, runtimeVersion: 'test', crossOriginIsolated: true });
    },
  } as unknown as Comlink.Remote<ModelHostApi>;
  return {
    name: 'host',
    alive: true,
    call: (fn) => fn(api),
    whenCrashed: () => undefined,
    terminate: () => Promise.resolve(),
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('HostPool', () => {
  it('asks for an adapter once and passes the verdict to every host', async () => {
    let asked = 0;
    vi.stubGlobal('navigator', {
      gpu: {
        requestAdapter: () => {
          asked += 1;
          return Promise.resolve({ info: { isFallbackAdapter: true } });
        },
      },
    });
    const prepared: HostOptions[] = [];
    const pool = new HostPool(() => recordingHost(prepared));
    await pool.prepare({ registryUrl: 'https://x.test/models/' });
    await pool.take();
    await pool.take();
    expect(prepared.map((o) => o.realGpu)).toEqual([false, false]);
    expect(asked).toBe(1);
  });

  it('does not ask when the options force a backend', async () => {
    const requestAdapter = vi.fn();
    vi.stubGlobal('navigator', { gpu: { requestAdapter } });
    const prepared: HostOptions[] = [];
    const pool = new HostPool(() => recordingHost(prepared));
    await pool.prepare({ registryUrl: 'https://x.test/models/', backend: 'wasm' });
    expect(prepared).toEqual([{ registryUrl: 'https://x.test/models/', backend: 'wasm' }]);
    expect(requestAdapter).not.toHaveBeenCalled();
  });
});
