/// <reference lib="dom" />
/**
 * @file The inference bridge's worker lifecycle with fake workers (Comlink over a real
 * MessageChannel): a flip sends the next call to the new worker, drain waits for the old one's
 * in-flight work, a photo batch stays on the worker it started on until it closes, a crashed
 * serving worker fails its calls and is restarted with the same versions, and every run's
 * outcome is reported for the health check. (The DOM lib reference types the browser module
 * under test — Worker, ImageBitmap — in the Node test project.)
 */
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { InferenceClient } from '../../src/inference/client/inference-client.ts';
import type { RunOutcome } from '../../src/models/engine-pool.ts';
import type { EngineInfo, EngineOptions, ModelSpec, PhotoResult } from '../../src/shared/worker-api.ts';

interface FakeWorker {
  name: string;
  terminated: boolean;
  port: MessagePort;
}

/** A worker engine that answers with its own name and can be held mid-call. */
class FakeEngine {
  calls: string[] = [];
  gate: Promise<void> | null = null;
  constructor(readonly name: string) {}
  async init(options: EngineOptions): Promise<EngineInfo> {
    this.calls.push(
      `init ${Object.values(options.models)
        .map((m) => m.version)
        .join(',')}`,
    );
    return {
      backend: 'wasm',
      threads: 1,
      crossOriginIsolated: false,
      runtimeVersion: this.name,
      models: {},
      loadMs: 1,
      pipelineWarmupMs: null,
    };
  }
  async warmUp(): Promise<EngineInfo> {
    return { ...(await this.init({ registryUrl: '', models: {} })), pipelineWarmupMs: 1 };
  }
  async analyzePhoto(_photo: Blob, fileName: string): Promise<PhotoResult> {
    this.calls.push(`photo ${fileName}`);
    await this.gate;
    if (fileName === 'bad.jpg')
      throw Object.assign(new Error('Model face-detector@2.0.0 failed while serving (NaN)'), {
        name: 'ModelRuntimeError',
      });
    return {
      annotation: { file: fileName, width: 1, height: 1, models: { 'face-detector': this.name }, faces: [] },
      inferenceWidth: 1,
      inferenceHeight: 1,
      timings: { decodeMs: 0, detectMs: 0, attributesMs: 0, expressionMs: 0, totalMs: 0 },
    };
  }
  async dispose(): Promise<void> {
    this.calls.push('dispose');
  }
}

function setup() {
  const engines: FakeEngine[] = [];
  const workers: FakeWorker[] = [];
  const client = new InferenceClient(() => {
    const engine = new FakeEngine(`w${engines.length + 1}`);
    engines.push(engine);
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(engine, port2);
    const fake: FakeWorker = { name: engine.name, terminated: false, port: port1 };
    workers.push(fake);
    return Object.assign(port1, {
      terminate() {
        fake.terminated = true;
        port1.close();
        port2.close();
      },
    }) as unknown as Worker;
  });
  client.configure({ registryUrl: 'https://r.test/' });
  const outcomes: RunOutcome[] = [];
  client.onRun((o) => outcomes.push(o));
  return { client, engines, workers, outcomes };
}

const models = (version: string): Record<string, ModelSpec> => ({
  'face-detector': { id: 'face-detector', version, sha256: version, task: 'face-detection' } as ModelSpec,
});
const photo = new Blob([new Uint8Array(4)]);
const servedBy = async (client: InferenceClient, name = 'a.jpg') =>
  (await client.analyzePhoto(photo, name)).annotation.models['face-detector'];

describe('InferenceClient', () => {
  it('flips serving to a standby worker; drain waits for the old one’s call in flight; release ends it', async () => {
    const { client, engines, workers } = setup();
    const first = await client.spawn(models('1.0.0'));
    expect(client.flip(first)).toBeNull();
    expect(await servedBy(client)).toBe('w1');

    let open: () => void = () => undefined;
    engines[0]!.gate = new Promise<void>((r) => (open = r));
    const inFlight = client.analyzePhoto(photo, 'slow.jpg');
    const standby = await client.spawn(models('2.0.0'));
    expect(engines[1]!.calls).toEqual(['init 2.0.0']);
    expect(client.flip(standby)).toBe(first);
    expect(await servedBy(client)).toBe('w2');
    let drained = false;
    const drain = client.drain(first).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    open();
    expect((await inFlight).annotation.models['face-detector']).toBe('w1');
    await drain;
    await client.release(first);
    expect(workers[0]!.terminated).toBe(true);
    expect(engines[0]!.calls.at(-1)).toBe('dispose');
    expect(workers[1]!.terminated).toBe(false);
  });

  it('keeps a photo batch on the worker it started on until the batch closes', async () => {
    const { client, workers } = setup();
    const first = await client.spawn(models('1.0.0'));
    client.flip(first);
    const batch = client.openBatch();
    expect((await batch.analyzePhoto(photo, 'a.jpg')).annotation.models['face-detector']).toBe('w1');
    client.flip(await client.spawn(models('2.0.0')));
    expect((await batch.analyzePhoto(photo, 'b.jpg')).annotation.models['face-detector']).toBe('w1');
    expect(await servedBy(client)).toBe('w2');
    let drained = false;
    const drain = client.drain(first).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    batch.close();
    await drain;
    expect(workers[0]!.terminated).toBe(false);
  });

  it('fails the calls of a crashed worker and restarts it with the same versions on the next call', async () => {
    const { client, engines, workers } = setup();
    client.flip(await client.spawn(models('1.0.0')));
    engines[0]!.gate = new Promise(() => undefined); // never answers
    const pending = client.analyzePhoto(photo, 'stuck.jpg');
    await new Promise((r) => setTimeout(r, 20)); // the call is in flight
    workers[0]!.port.dispatchEvent(Object.assign(new Event('error'), { message: 'out of memory' }));
    await expect(pending).rejects.toMatchObject({
      name: 'WorkerCrashedError',
      message: expect.stringContaining('out of memory'),
    });
    expect(await servedBy(client)).toBe('w2');
    expect(engines[1]!.calls[0]).toBe('init 1.0.0');
  });

  it('reports every run’s outcome for the runtime health check', async () => {
    const { client, outcomes } = setup();
    client.flip(await client.spawn(models('2.0.0')));
    await client.analyzePhoto(photo, 'a.jpg');
    await expect(client.analyzePhoto(photo, 'bad.jpg')).rejects.toMatchObject({ name: 'ModelRuntimeError' });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'ModelRuntimeError' } });
  });

  it('lets a call made while the first worker loads wait for it, or fail with the load error', async () => {
    const { client } = setup();
    const early = client.analyzePhoto(photo, 'early.jpg');
    client.flip(await client.spawn(models('1.0.0')));
    expect((await early).annotation.models['face-detector']).toBe('w1');

    const failing = setup().client;
    const waiting = failing.analyzePhoto(photo, 'early.jpg');
    failing.failWaiting(Object.assign(new Error('offline'), { name: 'ModelLoadError' }));
    await expect(waiting).rejects.toMatchObject({ name: 'ModelLoadError' });
    await expect(new InferenceClient().analyzePhoto(photo, 'a.jpg')).rejects.toMatchObject({
      name: 'EngineNotReadyError',
    });
  });
});
