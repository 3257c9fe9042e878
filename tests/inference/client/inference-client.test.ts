/// <reference lib="dom" />
/**
 * @file The page's inference bridge with a fake pipeline worker (Comlink over a real
 * MessageChannel): calls made before anything serves wait for the first flip (or fail with the
 * load error), photo batches carry their batch id, a crashed pipeline worker fails its calls and
 * is restarted with the versions that served, and every run's outcome is reported for the health
 * check. (The DOM lib reference types the browser module under test in the Node test project.)
 */
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { InferenceClient } from '../../../src/inference/client/inference-client.ts';
import type { RunOutcome } from '../../../src/models/page/engine-pool.ts';
import type { AnalyzeOptions, ModelSpec, PhotoResult, StagedSet } from '../../../src/shared/worker-api.ts';

interface FakeWorker {
  name: string;
  terminated: boolean;
  port: MessagePort;
}

/** A pipeline worker that records its calls and answers with its own name as the detector version. */
class FakePipeline {
  calls: string[] = [];
  gate: Promise<void> | null = null;
  private staged = new Map<string, ModelSpec[]>();
  private serving = '';
  constructor(readonly name: string) {}
  async prepare(): Promise<void> {
    this.calls.push('prepare');
  }
  async stage(models: ModelSpec[]): Promise<StagedSet> {
    const key = `set-${this.staged.size + 1}`;
    this.staged.set(key, models);
    this.calls.push(`stage ${models.map((m) => `${m.id}@${m.version}`).join(',')}`);
    return { key, models: {}, loadMs: 1 };
  }
  async warmUp(key: string): Promise<StagedSet> {
    this.calls.push(`warm ${key}`);
    return { key, models: {}, loadMs: 0 };
  }
  async flip(key: string): Promise<string | null> {
    this.calls.push(`flip ${key}`);
    this.serving = this.staged
      .get(key)!
      .map((m) => m.version)
      .join(',');
    return null;
  }
  async openBatch(): Promise<string> {
    this.calls.push('openBatch');
    return 'batch-1';
  }
  async closeBatch(batch: string): Promise<void> {
    this.calls.push(`closeBatch ${batch}`);
  }
  async analyzePhoto(_photo: Blob, fileName: string, options: AnalyzeOptions): Promise<PhotoResult> {
    this.calls.push(`photo ${fileName} ${options.features.join(',')}${options.batch ? ` ${options.batch}` : ''}`);
    await this.gate;
    if (fileName === 'bad.jpg')
      throw Object.assign(new Error('Model face-detector@2.0.0 failed while serving (NaN)'), {
        name: 'ModelRuntimeError',
      });
    return {
      annotation: { file: fileName, width: 1, height: 1, models: { 'face-detector': `${this.name}:${this.serving}` } },
      inferenceWidth: 1,
      inferenceHeight: 1,
      timings: { total: 0 },
    };
  }
  async dispose(): Promise<void> {
    this.calls.push('dispose');
  }
}

function setup() {
  const engines: FakePipeline[] = [];
  const workers: FakeWorker[] = [];
  const client = new InferenceClient(() => {
    const engine = new FakePipeline(`w${engines.length + 1}`);
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

const detector = (version: string) =>
  ({ id: 'face-detector', version, sha256: version, task: 'face-detection' }) as ModelSpec;
const photo = new Blob([new Uint8Array(4)]);
const faces = ['faces'];
const servedBy = async (client: InferenceClient, name = 'a.jpg') =>
  (await client.analyzePhoto(photo, name, faces)).annotation.models['face-detector'];

async function serve(client: InferenceClient, version: string): Promise<void> {
  const set = await client.stage([detector(version)]);
  await client.warmUp(set.key);
  await client.flip(set.key);
}

describe('InferenceClient', () => {
  it('starts the worker and its runtime at configure, then forwards the staged swap', async () => {
    const { client, engines } = setup();
    await serve(client, '1.0.0');
    expect(await servedBy(client)).toBe('w1:1.0.0');
    await serve(client, '2.0.0');
    expect(await servedBy(client)).toBe('w1:2.0.0');
    expect(engines[0]!.calls).toEqual([
      'prepare',
      'stage face-detector@1.0.0',
      'warm set-1',
      'flip set-1',
      'photo a.jpg faces',
      'stage face-detector@2.0.0',
      'warm set-2',
      'flip set-2',
      'photo a.jpg faces',
    ]);
  });

  it('runs a photo batch under one batch id and closes it', async () => {
    const { client, engines } = setup();
    await serve(client, '1.0.0');
    const batch = client.openBatch();
    await batch.analyzePhoto(photo, 'a.jpg', faces);
    await batch.analyzePhoto(photo, 'b.jpg', faces);
    batch.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(engines[0]!.calls.slice(-4)).toEqual([
      'openBatch',
      'photo a.jpg faces batch-1',
      'photo b.jpg faces batch-1',
      'closeBatch batch-1',
    ]);
  });

  it('fails the calls of a crashed worker and restarts it with the serving versions on the next call', async () => {
    const { client, engines, workers } = setup();
    await serve(client, '1.0.0');
    engines[0]!.gate = new Promise(() => undefined); // never answers
    const pending = client.analyzePhoto(photo, 'stuck.jpg', faces);
    await new Promise((r) => setTimeout(r, 20)); // the call is in flight
    workers[0]!.port.dispatchEvent(Object.assign(new Event('error'), { message: 'out of memory' }));
    await expect(pending).rejects.toMatchObject({
      name: 'WorkerCrashedError',
      message: expect.stringContaining('out of memory'),
    });
    expect(await servedBy(client)).toBe('w2:1.0.0');
    expect(engines[1]!.calls.slice(0, 4)).toEqual(['prepare', 'stage face-detector@1.0.0', 'warm set-1', 'flip set-1']);
  });

  it('reports every run’s outcome for the runtime health check', async () => {
    const { client, outcomes } = setup();
    await serve(client, '2.0.0');
    await client.analyzePhoto(photo, 'a.jpg', faces);
    await expect(client.analyzePhoto(photo, 'bad.jpg', faces)).rejects.toMatchObject({ name: 'ModelRuntimeError' });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'ModelRuntimeError' } });
  });

  it('lets a call made while the first models load wait for them, or fail with the load error', async () => {
    const { client } = setup();
    const early = client.analyzePhoto(photo, 'early.jpg', faces);
    await serve(client, '1.0.0');
    expect((await early).annotation.models['face-detector']).toBe('w1:1.0.0');

    const failing = setup().client;
    const waiting = failing.analyzePhoto(photo, 'early.jpg', faces);
    failing.failWaiting(Object.assign(new Error('offline'), { name: 'ModelLoadError' }));
    await expect(waiting).rejects.toMatchObject({ name: 'ModelLoadError' });
    await expect(new InferenceClient().analyzePhoto(photo, 'a.jpg', faces)).rejects.toMatchObject({
      name: 'EngineNotReadyError',
    });
  });

  it('terminate() ends the worker; the next call starts a fresh one (the Retry button)', async () => {
    const { client, engines, workers } = setup();
    await serve(client, '1.0.0');
    await client.terminate();
    expect(workers[0]!.terminated).toBe(true);
    expect(engines[0]!.calls.at(-1)).toBe('dispose');
    await serve(client, '1.0.0');
    expect(await servedBy(client)).toBe('w2:1.0.0');
  });
});
