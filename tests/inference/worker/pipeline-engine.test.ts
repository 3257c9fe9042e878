/**
 * @file The pipeline worker's engine with in-process model hosts running the real models on the
 * real onnxruntime-web (Node build): the first set loads into the prepared host; a swap stages
 * only the candidate, in a new host, and flipping it leaves every other session untouched; a
 * drain waits for the analysis in flight and for open photo batches; releasing a replaced
 * session ends its host once the host is empty; a crashed host's sessions are loaded again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as Comlink from 'comlink';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import type { LiveFrame } from '../../../src/inference/common/frames.ts';
import { ModelHost } from '../../../src/inference/host/model-host.ts';
import type { ImageDecoder } from '../../../src/inference/worker/decode.ts';
import { HostPool, type HostConnection } from '../../../src/inference/worker/host-pool.ts';
import { IN_HOST_MAX_BYTES, PipelineEngine } from '../../../src/inference/worker/pipeline-engine.ts';
import type { ModelSource } from '../../../src/models/cache/cache-source.ts';
import { ProbeAssetError, WorkerCrashedError } from '../../../src/shared/errors.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import type { ModelHostApi } from '../../../src/shared/model-host-api.ts';
import { parseManifest } from '../../../src/shared/manifest-validate.ts';
import type { TensorData } from '../../../src/shared/tensor.ts';
import type { ModelSpec } from '../../../src/shared/worker-api.ts';
import { decodeRgb } from '../../../tools/lib/decode-image.ts';
import { SAMPLES } from '../../helpers/samples.ts';

const REGISTRY = 'public/models';
const manifest = parseManifest(JSON.parse(readFileSync(join(REGISTRY, 'manifest.json'), 'utf8')), TASKS);

function spec(id: string, version = manifest.models[id]!.stable): ModelSpec {
  const entry = manifest.models[id]!;
  const file = entry.versions[version]!;
  return { id, task: entry.task, version, sha256: file.sha256, file };
}

const diskSource: ModelSource = {
  bytes: async (s, onBytes) => {
    const bytes = new Uint8Array(readFileSync(join(REGISTRY, s.file.blob)));
    onBytes(bytes.length, bytes.length);
    return { bytes, origin: 'cache' };
  },
  probeImage: async (probe) => new Blob([readFileSync(join(REGISTRY, probe.image))]),
  stored: async (s) => {
    const path = join(REGISTRY, s.file.blob);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
  },
};

/** A model host in this process: the real ModelHost, plus crash and gate controls. */
class LocalHost implements HostConnection {
  static made: LocalHost[] = [];
  readonly name = `host-${LocalHost.made.length + 1}`;
  alive = true;
  terminated = false;
  /** Warm-up runs asked of this host. */
  warms = 0;
  /** Stored files this host read for a compat check. */
  fileChecks = 0;
  /** The feeds of every run, as the host received them. */
  readonly fed: Array<{ key: string; feeds: Record<string, TensorData> }> = [];
  readonly host = new ModelHost(() => diskSource);
  /** While set, runs of sessions whose key starts with `gateKey` wait for it. */
  gate: Promise<void> | null = null;
  gateKey = '';
  /** Called when a run reaches the gate. */
  onGate: (() => void) | null = null;
  private listeners: Array<(reason: string) => void> = [];
  constructor() {
    LocalHost.made.push(this);
  }
  async call<T>(fn: (api: Comlink.Remote<ModelHostApi>) => Promise<T>): Promise<T> {
    if (!this.alive) throw new WorkerCrashedError('it was already stopped');
    const api: Comlink.Remote<ModelHostApi> = {
      prepare: (o) => this.host.prepare(o),
      load: (k, s, r, c, p) => this.host.load(k, s, r, c, p as never),
      checkFile: (s, r, c) => {
        this.fileChecks++;
        return this.host.checkFile(s, r, c);
      },
      run: async (k, f) => {
        if (this.gate && k.startsWith(this.gateKey)) {
          this.onGate?.();
          await this.gate;
        }
        if (!this.alive) throw new WorkerCrashedError('it crashed');
        this.fed.push({ key: k, feeds: f });
        return this.host.run(k, f);
      },
      warm: (k) => {
        this.warms++;
        return this.host.warm(k);
      },
      release: (k) => this.host.release(k),
    } as Comlink.Remote<ModelHostApi>;
    return fn(api);
  }
  whenCrashed(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }
  crash(): void {
    this.alive = false;
    for (const l of this.listeners) l('simulated crash');
  }
  async terminate(): Promise<void> {
    this.alive = false;
    this.terminated = true;
  }
}

/** Photos are decoded with sharp, as the tools do (the browser decoder needs a DOM). */
const sharpDecoder: ImageDecoder = {
  photo: async (photo) => {
    const image = await decodeRgb(new Uint8Array(await photo.arrayBuffer()));
    return { image, width: image.width, height: image.height, scaleToOriginal: 1 };
  },
  frame: () => Promise.reject(new Error('no frames in this test')),
};

function engine() {
  return new PipelineEngine({
    features: FEATURES,
    tasks: TASKS,
    hosts: new HostPool(() => new LocalHost()),
    sourceFor: () => diskSource,
    decoder: sharpDecoder,
  });
}

const photo = new Blob([readFileSync(SAMPLES[1]!)]);
const faces = { features: ['faces'] };

/** Stages, probes (must pass), warms and flips `specs`; returns the key of what it replaced. */
async function swapIn(e: PipelineEngine, specs: ModelSpec[]): Promise<string | null> {
  const staged = await e.stage(specs);
  for (const s of specs) expect((await e.probe(staged.key, s.id)).problems).toEqual([]);
  await e.warmUp(staged.key);
  return e.flip(staged.key);
}

/** Prepares `e` and serves the face models' stable versions, as start-up does. */
async function startServing(e: PipelineEngine): Promise<void> {
  await e.prepare({ registryUrl: 'https://r.test/' });
  await swapIn(
    e,
    ['face-detector', 'face-attributes', 'face-expression'].map((id) => spec(id)),
  );
}

beforeAll(() => {
  // The host reads the runtime's environment from the worker global.
  Object.assign(globalThis, { self: { crossOriginIsolated: false, navigator: { hardwareConcurrency: 2 } } });
});

afterEach(() => {
  LocalHost.made = [];
});

describe('PipelineEngine', () => {
  it('serves the first set from the prepared host, then swaps one model in a new host without touching the others', async () => {
    const e = engine();
    await e.prepare({ registryUrl: 'https://r.test/' });
    expect(
      await swapIn(
        e,
        ['face-detector', 'face-attributes', 'face-expression'].map((id) => spec(id)),
      ),
    ).toBeNull();
    const before = await e.info();
    expect(before.hosts).toBe(1);
    expect(Object.values(before.models).map((m) => m.host)).toEqual(['host-1', 'host-1', 'host-1']);
    const first = await e.analyzePhoto(photo, 'a.jpg', faces);
    expect(first.annotation.models['face-detector']).toBe('1.0.0');
    expect(first.annotation.faces!.length).toBeGreaterThan(0);
    expect(Object.keys(first.timings)).toEqual(
      expect.arrayContaining(['decode', 'faces.detect', 'faces.attributes', 'faces.expression', 'total']),
    );

    const replaced = await swapIn(e, [spec('face-detector', '2.0.0')]);
    expect(replaced).not.toBeNull();
    const after = await e.info();
    expect(after.models['face-detector']).toMatchObject({ version: '2.0.0', host: 'host-2' });
    // Unchanged models keep their sessions: same host, same compile time (not recreated).
    for (const id of ['face-attributes', 'face-expression']) expect(after.models[id]).toEqual(before.models[id]);
    expect((await e.analyzePhoto(photo, 'b.jpg', faces)).annotation.models['face-detector']).toBe('2.0.0');
    await e.drain(replaced!);
    await e.release(replaced!);
    // host-1 still holds the attribute nets, so it lives on.
    expect(LocalHost.made.map((h) => h.terminated)).toEqual([false, false]);

    // A small candidate (tiny detector, under IN_HOST_MAX_BYTES) compiles in the host serving the
    // model it replaces: no new runtime, and the large one's session is freed there.
    expect(spec('face-detector', '1.0.0').file.bytes).toBeLessThanOrEqual(IN_HOST_MAX_BYTES);
    const again = await swapIn(e, [spec('face-detector', '1.0.0')]);
    expect((await e.info()).models['face-detector']).toMatchObject({ version: '1.0.0', host: 'host-2' });
    await e.drain(again!);
    await e.release(again!);
    expect(LocalHost.made.map((h) => h.terminated)).toEqual([false, false]);
    expect((await e.info()).hosts).toBe(2);
    await e.dispose();
    expect(LocalHost.made.every((h) => h.terminated)).toBe(true);
  });

  it('probes with the probe image the manifest names (digest and size), reports the runtime, passes a ProbeAssetError on', async () => {
    const asked: Array<{ image: string; sha256: string; bytes: number }> = [];
    const e = new PipelineEngine({
      features: FEATURES,
      tasks: TASKS,
      hosts: new HostPool(() => new LocalHost()),
      sourceFor: () => ({
        ...diskSource,
        probeImage: async (probe) => {
          asked.push(probe);
          if (probe.image === 'probe/face-112.png') throw new ProbeAssetError(probe.image, 'HTTP 404');
          return diskSource.probeImage(probe);
        },
      }),
      decoder: sharpDecoder,
    });
    await e.prepare({ registryUrl: 'https://r.test/' });
    const staged = await e.stage([spec('face-detector'), spec('face-attributes')]);
    expect(staged.models['face-detector']!.runtime).toMatch(/^onnxruntime-web \S+ wasm$/);
    const report = await e.probe(staged.key, 'face-detector');
    expect(report).toMatchObject({ problems: [], runtime: staged.models['face-detector']!.runtime });
    const { image, sha256, bytes } = spec('face-detector').file.probe;
    expect(asked).toEqual([{ image, sha256, bytes, expect: expect.any(Object), tolerance: expect.any(Number) }]);
    await expect(e.probe(staged.key, 'face-attributes')).rejects.toMatchObject({ name: 'ProbeAssetError' });
    await e.dispose();
  });

  it('decodes a probe image once for every swap that probes on it, and takes the probe run as the warm-up', async () => {
    const decoded: string[] = [];
    const e = new PipelineEngine({
      features: FEATURES,
      tasks: TASKS,
      hosts: new HostPool(() => new LocalHost()),
      sourceFor: () => diskSource,
      decoder: { ...sharpDecoder, photo: (blob, name) => (decoded.push(name), sharpDecoder.photo(blob, name)) },
    });
    await startServing(e);
    // Start-up: one decode per distinct probe image (the two face nets share one), and no
    // warm-up run for a session its probe already ran.
    expect([...decoded].sort()).toEqual(['probe/face-112.png', 'probe/face-detection.png']);
    expect(LocalHost.made[0]!.warms).toBe(0);
    for (const version of ['2.0.0', '1.0.0', '2.0.0']) {
      const replaced = await swapIn(e, [spec('face-detector', version)]);
      await e.drain(replaced!);
      await e.release(replaced!);
    }
    expect(decoded).toHaveLength(2);
    expect(LocalHost.made.reduce((n, h) => n + h.warms, 0)).toBe(0);
    const served = (await e.info()).models['face-detector']!;
    expect(served.version).toBe('2.0.0');
    expect(served.warmupMs).toBeGreaterThan(0);
    // A set staged without a probe (a crashed host's sessions loaded again) still gets its warm-up run.
    const unprobed = await e.stage([spec('face-expression')]);
    await e.warmUp(unprobed.key);
    expect(LocalHost.made.reduce((n, h) => n + h.warms, 0)).toBe(1);
    await e.dispose();
  });

  // Reused pixel buffers (buffer-pool.ts): only what nothing reads any more goes back.
  it('gives a photo’s pixels back after its analysis, a frame’s once no tracker reads them, never a probe image’s', async () => {
    const given: ArrayBuffer[] = [];
    const images = new Map<string, RgbImage>();
    const decoder: ImageDecoder = {
      photo: async (blob, name) => {
        const decoded = await sharpDecoder.photo(blob, name);
        images.set(name, decoded.image);
        return decoded;
      },
      frame: async (frame) => {
        const decoded = await sharpDecoder.photo(photo, 'frame');
        const { image } = decoded;
        (frame as unknown as { image: RgbImage }).image = image;
        const data = new Uint8ClampedArray(image.data);
        return { ...decoded, shown: { data, width: image.width, height: image.height } };
      },
      reuse: (buffer) => given.push(buffer),
    };
    const e = new PipelineEngine({
      features: FEATURES,
      tasks: TASKS,
      hosts: new HostPool(() => new LocalHost()),
      sourceFor: () => diskSource,
      decoder,
    });
    await startServing(e);
    expect(given).toEqual([]); // probe images stay decoded for the next swap
    await e.analyzePhoto(photo, 'a.jpg', faces);
    expect(given).toEqual([images.get('a.jpg')!.data.buffer]);

    // Frames without trackers: a frame's pixels go back when the next frame starts; a buffer
    // the page sends back goes back at once.
    const frames = [0, 1, 2].map(() => ({ close: () => undefined }) as unknown as LiveFrame);
    const drawn = new ArrayBuffer(16);
    await e.analyzeFrame(frames[0]!, { ...faces, tracking: false });
    expect(given).toHaveLength(1);
    await e.analyzeFrame(frames[1]!, { ...faces, tracking: false, reuse: drawn });
    const pixelsOf = (f: LiveFrame) => (f as unknown as { image: RgbImage }).image.data.buffer;
    expect(given.slice(1)).toEqual([drawn, pixelsOf(frames[0]!)]);

    // With trackers: the first frame's detection is done before it answers, so nothing reads it after.
    await e.analyzeFrame(frames[2]!, faces);
    await e.analyzeFrame(frames[0]!, { ...faces, tracking: false });
    expect(given.slice(3)).toEqual([pixelsOf(frames[1]!), pixelsOf(frames[2]!)]);
    await e.dispose();
  });

  it('feeds a host copies in buffers the host hands back, reused by the next runs', async () => {
    const e = engine();
    await startServing(e);
    const host = LocalHost.made[0]!;
    host.fed.length = 0;
    const first = await e.analyzePhoto(photo, 'a.jpg', faces);
    const second = await e.analyzePhoto(photo, 'b.jpg', faces);
    expect(second.annotation.faces).toEqual(first.annotation.faces);
    const buffersOfRun = (i: number) => Object.values(host.fed[i]!.feeds).map((t) => t.data.buffer);
    const runs = host.fed.length / 2; // the same runs for both photos
    expect(runs).toBeGreaterThanOrEqual(3);
    // The second photo's runs reuse the buffers the first photo's runs handed back.
    const firstBuffers = new Set(Array.from({ length: runs }, (_, i) => buffersOfRun(i)).flat());
    for (let i = runs; i < 2 * runs; i++) for (const b of buffersOfRun(i)) expect(firstBuffers.has(b)).toBe(true);
    await e.dispose();
  });

  it('drains after the analysis in flight and after open photo batches, which keep their versions', async () => {
    const e = engine();
    await startServing(e);
    const batch = await e.openBatch();
    let open: () => void = () => undefined;
    LocalHost.made[0]!.gateKey = 'face-detector@1.0.0';
    LocalHost.made[0]!.gate = new Promise<void>((r) => (open = r));
    const atGate = new Promise<void>((r) => (LocalHost.made[0]!.onGate = r));
    const inFlight = e.analyzePhoto(photo, 'slow.jpg', faces);
    await atGate; // the analysis holds its sessions now
    const replaced = await swapIn(e, [spec('face-detector', '2.0.0')]);
    let drained = false;
    const drain = e.drain(replaced!).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(drained).toBe(false);
    open();
    LocalHost.made[0]!.gate = null;
    expect((await inFlight).annotation.models['face-detector']).toBe('1.0.0');
    // The batch still runs on the version it opened with, and still holds the old session.
    expect((await e.analyzePhoto(photo, 'c.jpg', { ...faces, batch })).annotation.models['face-detector']).toBe(
      '1.0.0',
    );
    expect((await e.analyzePhoto(photo, 'd.jpg', faces)).annotation.models['face-detector']).toBe('2.0.0');
    await new Promise((r) => setTimeout(r, 30));
    expect(drained).toBe(false);
    await e.closeBatch(batch);
    await drain;
    expect(drained).toBe(true);
    await e.dispose();
  });

  it('reads a candidate’s stored file for the compat check in the host serving its model, else in the worker', async () => {
    // The 416-px detector's file, declared by its manifest entry as a 320-px one.
    const good = spec('face-detector', '1.0.0');
    const at320 = (d: string | number, i: number) => (i >= 2 ? 320 : d);
    const misdeclared: ModelSpec = {
      ...good,
      file: { ...good.file, inputs: good.file.inputs.map((t) => ({ ...t, dims: t.dims.map(at320) })) },
    };
    const e = engine();
    await e.prepare({ registryUrl: 'https://r.test/' });
    // Nothing serves yet, so no host is live: the worker reads the file itself.
    expect(await e.fileProblems(misdeclared)).toEqual([
      expect.stringMatching(
        /is float32 \[1,3,416,416\] in the model file, the manifest declares float32 \[1,3,320,320\]/,
      ),
    ]);
    expect(LocalHost.made.map((h) => h.fileChecks)).toEqual([0]);

    await swapIn(
      e,
      ['face-detector', 'face-attributes', 'face-expression'].map((id) => spec(id)),
    );
    expect(await e.fileProblems(good)).toEqual([]);
    expect(await e.fileProblems(misdeclared)).toHaveLength(1);
    expect(LocalHost.made.map((h) => h.fileChecks)).toEqual([2]);
    // A file this device does not hold is not the version's fault: the loader checks what it compiles.
    const missing: ModelSpec = { ...good, file: { ...good.file, blob: 'blobs/none.onnx' } };
    expect(await e.fileProblems(missing)).toEqual([]);
    await e.dispose();
  });

  it('a rejected candidate is released without ever serving; retired models stop serving', async () => {
    const e = engine();
    await startServing(e);
    const staged = await e.stage([spec('face-detector', '2.0.0')]);
    await e.release(staged.key);
    expect(LocalHost.made[1]!.terminated).toBe(true);
    expect((await e.info()).models['face-detector']!.version).toBe('1.0.0');
    await expect(e.flip(staged.key)).rejects.toThrow(/no session set/);

    const retired = await e.retire(['face-expression']);
    await expect(e.analyzePhoto(photo, 'e.jpg', faces)).rejects.toMatchObject({ name: 'EngineNotReadyError' });
    await e.drain(retired!);
    await e.release(retired!);
    expect(Object.keys((await e.info()).models).sort()).toEqual(['face-attributes', 'face-detector']);
    await e.dispose();
  });

  it('loads a crashed host’s sessions again in a new host; runs fail with WorkerCrashedError meanwhile', async () => {
    const e = engine();
    await startServing(e);
    LocalHost.made[0]!.crash();
    await expect(e.analyzePhoto(photo, 'f.jpg', faces)).rejects.toMatchObject({ name: 'WorkerCrashedError' });
    const deadline = Date.now() + 30_000;
    while (LocalHost.made.length < 2 || Object.values((await e.info()).models).some((m) => m.host !== 'host-2')) {
      if (Date.now() > deadline) throw new Error('the crashed host was not replaced');
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = await e.analyzePhoto(photo, 'g.jpg', faces);
    expect(result.annotation.models).toEqual({
      'face-detector': '1.0.0',
      'face-attributes': '1.0.0',
      'face-expression': '1.0.0',
    });
    await e.dispose();
  });
});
