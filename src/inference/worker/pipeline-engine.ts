/**
 * @file The pipeline worker's logic behind {@link WorkerApi}: decodes photos and frames
 * (decode.ts), runs the selected features' pre- and post-processing (the same code
 * `npm run annotate` runs in Node) and routes each model run to the host holding its session
 * (session-table.ts). Swaps stage the candidate (in the host serving what it replaces when it is
 * small, else in a new host; see IN_HOST_MAX_BYTES), probe it (the probe run is its warm-up), flip
 * its route between two analyses, then drain and release what it replaced; the other models'
 * sessions are never touched. A host that crashes takes its sessions with it: they are loaded
 * again in a new host, and runs fail with WorkerCrashedError until they are back. A staged set
 * may also run in shadow of the serving sessions (shadow-run.ts) without ever being flipped.
 */
import { closeShown, transferablesOf, type LiveFrame, type ShownFrame } from '../common/frames.ts';
import * as Comlink from 'comlink';
import { analyzeWithFeatures, probeRecipeFor, selectFeatures, type FeatureAnalysis } from '../../shared/feature-set.ts';
import type { Feature, FeatureRunner } from '../../shared/feature.ts';
import { FrameTrackers } from '../../shared/frame-trackers.ts';
import { EngineNotReadyError, ModelLoadError, WorkerCrashedError } from '../../shared/errors.ts';
import type { HostRuntime } from '../../shared/model-host-api.ts';
import { compareProbe } from '../../shared/pipeline/probe.ts';
import type { TaskRegistry } from '../../shared/tasks.ts';
import type {
  AnalyzeOptions,
  EngineInfo,
  EngineOptions,
  FrameResult,
  LoadProgress,
  ModelSpec,
  PhotoResult,
  ProbeReport,
  ProgressListener,
  ServingModel,
  ShadowPair,
  ShadowRun,
  ShadowTarget,
  StagedSet,
  WorkerApi,
} from '../../shared/worker-api.ts';
import {
  cacheModelSource,
  storedFileProblems,
  type ModelSource,
  type ProbeImageRef,
} from '../../models/cache/cache-source.ts';
import type { RgbImage } from '../../shared/image.ts';
import { feedsToSend, lendInputArray, takeBackFeeds } from './feed-buffers.ts';
import { canvasDecoder, type DecodedImage, type ImageDecoder } from './decode.ts';
import { HostPool, type HostConnection } from './host-pool.ts';
import { ProbeImages } from './probe-images.ts';
import { SessionTable, type Lease, type Session } from './session-table.ts';
import { featuresUsing, runCandidate, timed } from './shadow-run.ts';

type HostSession = Session<HostConnection>;

/** Calls a (Comlink-proxied) listener without letting a closed page break loading. */
function notify(listener: ProgressListener | undefined, progress: LoadProgress): void {
  if (!listener) return;
  try {
    void Promise.resolve(listener(progress)).catch(() => undefined);
  } catch {
    // The UI went away; loading continues regardless.
  }
}

/** The runtime and backend a session runs on: a probe passed under one is not taken for another. */
function runtimeOf(s: HostSession, runtime: HostRuntime | null): string {
  return `onnxruntime-web ${runtime?.runtimeVersion ?? 'unknown'} ${s.hosted.backend}`;
}

function servingModel(s: HostSession, runtime: HostRuntime | null): ServingModel {
  const { id, version, task, sha256, file } = s.spec;
  return {
    id,
    version,
    task,
    sha256,
    bytes: file.bytes,
    origin: s.hosted.origin,
    host: s.host.name,
    compileMs: s.hosted.compileMs,
    warmupMs: s.warmupMs,
    runtime: runtimeOf(s, runtime),
  };
}

/** A session as the features run it: runs go to its host, inputs in pooled buffers (feed-buffers.ts). */
function runnerOf(s: HostSession): FeatureRunner {
  return {
    id: s.spec.id,
    version: s.spec.version,
    entry: s.spec.file,
    inputs: s.hosted.inputs,
    outputs: s.hosted.outputs,
    inputArray: lendInputArray,
    run: async (feeds) => {
      const sent = feedsToSend(feeds);
      const { outputs, inputs } = await s.host.call((api) =>
        api.run(s.key, Comlink.transfer(sent.feeds, sent.buffers)),
      );
      takeBackFeeds(inputs);
      return outputs;
    },
  };
}

function runnersOf(sessions: Readonly<Record<string, HostSession>>): Record<string, FeatureRunner> {
  return Object.fromEntries(Object.entries(sessions).map(([id, s]) => [id, runnerOf(s)]));
}

/** What the engine is given by its entry file. */
export interface PipelineDeps {
  features: readonly Feature[];
  tasks: TaskRegistry;
  hosts?: HostPool;
  /** How to reach probe images (tests inject a fake). */
  sourceFor?: (registryUrl: string) => ModelSource;
  /** How photos and frames become pixels (tests inject a fake). */
  decoder?: ImageDecoder;
}

/**
 * Candidates up to this size (the sum of a staged set's files) compile in the host that serves
 * the models they replace, between its frames: a small model compiles in tens of milliseconds,
 * far less than starting another runtime next to the live one costs the frames on two cores.
 * Larger ones get a host of their own, so a long compile never blocks a serving runtime
 * (ARCHITECTURE.md, "Where sessions live").
 */
export const IN_HOST_MAX_BYTES = 2 * 1024 * 1024;

/** Live video counts as stopped when no frame finished for this long (ms); swap steps then run at once. */
const FRAME_IDLE_MS = 1000;
/** Frames' pixels kept for trackers at most (a refresh holds one or two). */
const MAX_FRAMES_HELD = 4;

/** Implements the worker API; one instance per pipeline worker. */
export class PipelineEngine implements WorkerApi<LiveFrame, Blob, ShownFrame> {
  private readonly table = new SessionTable<HostConnection>();
  private readonly hosts: HostPool;
  private readonly decoder: ImageDecoder;
  private readonly probeImages: ProbeImages;
  private options: EngineOptions | null = null;
  private runtime: HostRuntime | null = null;
  private source: ModelSource | null = null;
  private firstLoadMs: number | null = null;
  private pipelineWarmupMs: number | null = null;
  private readonly batches = new Map<string, Lease<HostConnection>>();
  private nextBatch = 1;
  private readonly liveHosts = new Set<HostConnection>();
  /** Sets being loaded again after their host crashed, by model id. */
  private readonly restoring = new Map<string, Promise<void>>();
  /** When the last live frame finished, and the swap steps waiting for the next one. */
  private lastFrameAt = -Infinity;
  /** The webcam stream's trackers (one stream at a time). */
  private readonly trackers = new FrameTrackers();
  /** Analysed frames' pixels a tracker may still read; their buffers are reused once none does. */
  private readonly framePixels: RgbImage[] = [];
  private frameWaiters: Array<() => void> = [];

  constructor(private readonly deps: PipelineDeps) {
    this.hosts = deps.hosts ?? new HostPool();
    this.decoder = deps.decoder ?? canvasDecoder();
    this.probeImages = new ProbeImages(async (probe) =>
      this.decoder.photo(await this.probeSource().probeImage(probe), probe.image),
    );
  }

  async prepare(options: EngineOptions): Promise<void> {
    this.options = options;
    const { runtime } = await this.hosts.prepare(options);
    this.runtime = runtime;
  }

  private configured(): EngineOptions {
    if (!this.options) throw new EngineNotReadyError();
    return this.options;
  }

  private probeSource(): ModelSource {
    const { registryUrl } = this.configured();
    const stallTimeoutMs = this.configured().stallTimeoutMs;
    this.source ??= (this.deps.sourceFor ?? ((url) => cacheModelSource(url, { stallTimeoutMs })))(registryUrl);
    return this.source;
  }

  /**
   * Resolves right after the next live frame finishes (or at once when no video runs): each swap
   * step then slips into the gap before the following frame, so a swap adds at most one step to
   * any frame interval instead of queueing several in the serving host between two frames.
   */
  private betweenFrames(): Promise<void> {
    if (performance.now() - this.lastFrameAt > FRAME_IDLE_MS) return Promise.resolve();
    return new Promise((resolve) => {
      this.frameWaiters.push(resolve);
      setTimeout(resolve, FRAME_IDLE_MS);
    });
  }

  private frameDone(): void {
    this.lastFrameAt = performance.now();
    const waiters = this.frameWaiters;
    this.frameWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * The live host already serving every model of `models`, when their candidates are small
   * enough to compile there between frames (see {@link IN_HOST_MAX_BYTES}); else null.
   */
  private servingHostFor(models: ModelSpec[]): HostConnection | null {
    const bytes = models.reduce((sum, m) => sum + m.file.bytes, 0);
    if (bytes > IN_HOST_MAX_BYTES) return null;
    const serving = this.table.serving();
    const hosts = new Set(models.map((m) => serving.find((s) => s.spec.id === m.id)?.host));
    const [host] = hosts;
    return hosts.size === 1 && host && host.alive && this.liveHosts.has(host) ? host : null;
  }

  async fileProblems(spec: ModelSpec): Promise<string[]> {
    const contract = this.deps.tasks.get(spec.task);
    if (!contract) return [`this app serves no "${spec.task}" task`];
    const { registryUrl } = this.configured();
    // A host's thread: this one answers the live frames. The host serving the model is the one
    // that compiles a small candidate next, and its reading only delays background refreshes.
    const serving = this.table.route(spec.id)?.host;
    const host = [serving, ...this.liveHosts].find((h) => h?.alive && this.liveHosts.has(h));
    if (!host) return storedFileProblems(this.probeSource(), spec, contract);
    return host.call((api) => api.checkFile(spec, registryUrl, contract));
  }

  async stage(models: ModelSpec[], onProgress?: ProgressListener): Promise<StagedSet> {
    const options = this.configured();
    const t0 = performance.now();
    let host = this.servingHostFor(models);
    if (!host) {
      const ready = await this.hosts.take();
      host = ready.host;
      this.runtime ??= ready.runtime;
      this.liveHosts.add(host);
      const spawned = host;
      host.whenCrashed((reason) => this.hostCrashed(spawned, reason));
    }
    const runtime = this.runtime!;
    notify(onProgress, { status: 'runtime', backend: runtime.backend, threads: runtime.threads });
    const loaded: HostSession[] = [];
    const progress = Comlink.proxy((p: LoadProgress) => notify(onProgress, p));
    try {
      // Sequential: sessions share one WASM instance, and the progress reads as a list.
      for (const spec of models) {
        const contract = this.deps.tasks.get(spec.task);
        if (!contract) throw new ModelLoadError(`${spec.id}@${spec.version}`, `this app serves no "${spec.task}" task`);
        const key = this.table.sessionKey(spec);
        await this.betweenFrames();
        const hosted = await host.call((api) => api.load(key, spec, options.registryUrl, contract, progress));
        loaded.push({ key, spec, host, hosted, warmupMs: 0, uses: 0 });
      }
    } catch (err) {
      await this.releaseSessions(loaded, host);
      throw err;
    }
    const loadMs = performance.now() - t0;
    this.firstLoadMs ??= loadMs;
    const key = this.table.addSet(loaded);
    return { key, models: Object.fromEntries(loaded.map((s) => [s.spec.id, servingModel(s, this.runtime)])), loadMs };
  }

  private staged(key: string, id: string): HostSession {
    const s = this.table.set(key).find((x) => x.spec.id === id);
    if (!s) throw new ModelLoadError(id, `set ${key} does not hold it`);
    return s;
  }

  /** The probe image, verified against the manifest (a ProbeAssetError when it cannot be had), decoded. */
  private probeImage(probe: ProbeImageRef): Promise<DecodedImage> {
    return this.probeImages.get(probe);
  }

  async probe(key: string, id: string): Promise<ProbeReport> {
    const s = this.staged(key, id);
    const t0 = performance.now();
    const recipe = probeRecipeFor(this.deps.features, s.spec.task);
    if (!recipe) throw new ModelLoadError(id, `no feature has a probe for the ${s.spec.task} task`);
    const decoded = await this.probeImage(s.spec.file.probe);
    const feeds = recipe.feeds(decoded.image, { inputs: s.hosted.inputs, entry: s.spec.file });
    await this.betweenFrames();
    const run0 = performance.now();
    const outputs = await runnerOf(s).run(feeds);
    // This first run did what a warm-up run would (a swap's warm-up is then one frame gap less).
    s.warmupMs = performance.now() - run0;
    s.warm = true;
    const result = compareProbe(s.spec.file.probe, outputs);
    return {
      id,
      version: s.spec.version,
      problems: result.problems,
      maxDiff: result.maxDiff,
      ms: performance.now() - t0,
      runtime: runtimeOf(s, this.runtime),
    };
  }

  async warmUp(key: string, onProgress?: ProgressListener): Promise<StagedSet> {
    const sessions = this.table.set(key);
    for (const s of sessions) {
      notify(onProgress, { status: 'warmup', id: s.spec.id, version: s.spec.version });
      if (s.warm) continue;
      await this.betweenFrames();
      s.warmupMs = await s.host.call((api) => api.warm(s.key));
      s.warm = true;
    }
    // The features' JS warms once; a swapped-in session needs only its own warm-up run above.
    const ms = this.pipelineWarmupMs === null ? await this.warmFeatures(sessions) : null;
    if (this.pipelineWarmupMs === null && ms !== null) this.pipelineWarmupMs = ms;
    notify(onProgress, { status: 'ready', ms: this.firstLoadMs ?? 0 });
    return {
      key,
      models: Object.fromEntries(sessions.map((s) => [s.spec.id, servingModel(s, this.runtime)])),
      loadMs: 0,
    };
  }

  /**
   * Runs every feature that uses the staged models once on its first model's probe image (a real
   * face, object…), with the staged sessions in place of the serving ones: this warms the JS pre-
   * and post-processing (JIT) and the batched shapes, so the first real frame is as fast as the
   * rest. Best effort: a missing probe or model only costs first-frame speed.
   */
  private async warmFeatures(staged: HostSession[]): Promise<number | null> {
    const ids = new Set(staged.map((s) => s.spec.id));
    const features = this.deps.features.filter((f) => Object.values(f.models).some((m) => ids.has(m.id)));
    if (features.length === 0) return null;
    const lease = this.table.acquire();
    const sessions: Record<string, HostSession> = { ...lease.sessions };
    for (const s of staged) sessions[s.spec.id] = s;
    const t0 = performance.now();
    try {
      for (const feature of features) {
        const first = Object.values(feature.models)[0];
        const s = first && sessions[first.id];
        if (!s) continue;
        const decoded = await this.probeImage(s.spec.file.probe);
        await analyzeWithFeatures([feature], {
          image: decoded.image,
          scaleToOriginal: decoded.scaleToOriginal,
          runners: runnersOf(sessions),
        });
      }
      return performance.now() - t0;
    } catch {
      return null;
    } finally {
      lease.release();
    }
  }

  async flip(key: string): Promise<string | null> {
    return this.table.flip(key);
  }

  async retire(ids: readonly string[]): Promise<string | null> {
    return this.table.retire(ids);
  }

  async drain(key: string): Promise<void> {
    await this.table.drain(key);
  }

  async release(key: string): Promise<void> {
    const sessions = this.table.take(key);
    const hosts = new Set(sessions.map((s) => s.host));
    for (const host of hosts) {
      await this.releaseSessions(
        sessions.filter((s) => s.host === host),
        host,
      );
    }
  }

  /** Frees sessions in their host and ends the host if nothing else lives there. */
  private async releaseSessions(sessions: HostSession[], host: HostConnection): Promise<void> {
    let left = 0;
    for (const s of sessions) {
      // Freeing a session in a serving host is work on its thread too: it waits for a frame gap.
      if (this.liveHosts.has(host)) await this.betweenFrames();
      left = await host.call((api) => api.release(s.key)).catch(() => 0);
    }
    if (left === 0 && !this.table.hostInUse(host)) {
      this.liveHosts.delete(host);
      await host.terminate();
    }
  }

  /** Loads a crashed host's serving sessions again in a new host and routes to them. */
  private hostCrashed(host: HostConnection, reason: string): void {
    this.liveHosts.delete(host);
    const lost = this.table.onHost(host);
    const serving = new Set(this.table.serving().map((s) => s.key));
    const specs = lost.filter((s) => serving.has(s.key)).map((s) => s.spec);
    if (specs.length === 0) return;
    const restore = (async () => {
      const staged = await this.stage(specs);
      await this.warmUp(staged.key);
      const old = this.table.flip(staged.key);
      if (old) {
        this.table.take(old);
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        for (const spec of specs) this.restoring.delete(spec.id);
      });
    for (const spec of specs) this.restoring.set(spec.id, restore);
    void reason;
  }

  async info(): Promise<EngineInfo> {
    const serving = this.table.serving();
    if (serving.length === 0 || !this.runtime) throw new EngineNotReadyError();
    const backend = serving.some((s) => s.hosted.backend === 'webgpu') ? 'webgpu' : 'wasm';
    return {
      backend,
      threads: backend === 'wasm' ? this.runtime.threads : 1,
      crossOriginIsolated: self.crossOriginIsolated,
      runtimeVersion: this.runtime.runtimeVersion,
      models: Object.fromEntries(serving.map((s) => [s.spec.id, servingModel(s, this.runtime)])),
      hosts: this.liveHosts.size,
      loadMs: this.firstLoadMs ?? 0,
      pipelineWarmupMs: this.pipelineWarmupMs,
    };
  }

  async openBatch(): Promise<string> {
    const id = `batch-${this.nextBatch++}`;
    this.batches.set(id, this.table.acquire());
    return id;
  }

  async closeBatch(batch: string): Promise<void> {
    this.batches.get(batch)?.release();
    this.batches.delete(batch);
  }

  /** Leases the sessions the features need: the batch's when it has them, else the serving ones. */
  private leaseFor(options: AnalyzeOptions): { features: Feature[]; lease: Lease<HostConnection> } {
    const features = selectFeatures(this.deps.features, options.features);
    if (features.length === 0) throw new ModelLoadError('the analysis', 'no known feature was chosen');
    const ids = features.flatMap((f) => Object.values(f.models).map((m) => m.id));
    const batch = options.batch !== undefined ? this.batches.get(options.batch) : undefined;
    const sessions: Record<string, HostSession> = {};
    for (const id of ids) {
      const s = batch?.sessions[id] ?? this.table.route(id);
      if (!s) {
        if (this.restoring.has(id))
          throw new WorkerCrashedError(`the model host serving ${id} crashed; it is being restarted`);
        throw new EngineNotReadyError();
      }
      if (!s.host.alive) throw new WorkerCrashedError(`the model host serving ${id} crashed; it is being restarted`);
      sessions[id] = s;
    }
    return { features, lease: this.table.lease(sessions) };
  }

  /**
   * Runs the chosen features on `decoded`. With `trackers` (webcam frames), features with a
   * tracker answer from it, and the sessions stay leased until the model work it started is done.
   */
  private async analyze(
    decoded: DecodedImage,
    options: AnalyzeOptions,
    started: number,
    decodeMs: number,
    trackers?: FrameTrackers,
  ): Promise<FeatureAnalysis & { shadow?: ShadowRun }> {
    const { features, lease } = this.leaseFor(options);
    let held: Promise<void> | null = null;
    try {
      const runners = runnersOf(lease.sessions);
      const compared = options.shadow && runners[options.shadow.id] ? timed(runners[options.shadow.id]!) : null;
      if (compared) runners[compared.id] = compared;
      const input = { image: decoded.image, scaleToOriginal: decoded.scaleToOriginal, runners };
      let out: FeatureAnalysis;
      if (trackers) {
        trackers.begin(
          started,
          features.map((f) => f.id),
        );
        try {
          out = await analyzeWithFeatures(features, input, (f, i) => trackers.run(f, i));
        } finally {
          held = trackers.settled();
        }
      } else out = await analyzeWithFeatures(features, input);
      const timings = { decode: decodeMs, ...out.timings, total: performance.now() - started };
      if (!options.shadow) return { ...out, timings };
      const shadow = await this.shadowRun(options.shadow, featuresUsing(features, options.shadow.id), decoded, {
        runners,
        servingMs: compared?.ms ?? 0,
      });
      return { ...out, timings, shadow };
    } finally {
      if (held) void held.then(() => lease.release());
      else lease.release();
    }
  }

  /**
   * The candidate's side of a shadow run on `decoded` (see shadow-run.ts): the staged session of
   * `target` in place of the serving one, leased so a release waits for it. Never throws.
   */
  private async shadowRun(
    target: ShadowTarget,
    features: Feature[],
    decoded: DecodedImage,
    serving: { runners: Record<string, FeatureRunner>; servingMs: number },
  ): Promise<ShadowRun> {
    let staged: HostSession;
    try {
      staged = this.staged(target.key, target.id);
    } catch (err) {
      const error = `the candidate is not staged any more (${(err as Error).message})`;
      return {
        id: target.id,
        version: '',
        results: {},
        modelMs: { serving: serving.servingMs, candidate: 0 },
        totalMs: 0,
        error,
      };
    }
    const lease = this.table.lease({ [target.id]: staged });
    try {
      return await runCandidate({
        features,
        image: decoded.image,
        scaleToOriginal: decoded.scaleToOriginal,
        serving: serving.runners,
        candidate: runnerOf(staged),
        servingMs: serving.servingMs,
      });
    } finally {
      lease.release();
    }
  }

  async shadowProbe(target: ShadowTarget, featureIds: readonly string[]): Promise<ShadowPair> {
    const staged = this.staged(target.key, target.id);
    const using = featuresUsing(selectFeatures(this.deps.features, featureIds), target.id);
    if (using.length === 0) throw new ModelLoadError(target.id, 'no feature in use runs it');
    const decoded = await this.probeImage(staged.spec.file.probe);
    const out = await this.analyze(decoded, { features: using.map((f) => f.id), shadow: target }, performance.now(), 0);
    return { serving: out.results, models: out.models, shadow: out.shadow! };
  }

  async analyzePhoto(photo: Blob, fileName: string, options: AnalyzeOptions): Promise<PhotoResult> {
    this.leaseFor(options).lease.release(); // fail fast before decoding
    const started = performance.now();
    const decoded = await this.decoder.photo(photo, fileName);
    // Nothing reads a photo's pixels after its analysis (photos have no background work).
    const out = await this.analyze(decoded, options, started, performance.now() - started).finally(() =>
      this.decoder.reuse?.(decoded.image.data.buffer as ArrayBuffer),
    );
    return {
      annotation: { file: fileName, width: decoded.width, height: decoded.height, models: out.models, ...out.results },
      inferenceWidth: decoded.image.width,
      inferenceHeight: decoded.image.height,
      timings: out.timings,
      ...(out.shadow ? { shadow: out.shadow } : {}),
    };
  }

  async analyzeFrame(frame: LiveFrame, options: AnalyzeOptions): Promise<FrameResult<ShownFrame>> {
    let shown: ShownFrame | null = null;
    let pixels: RgbImage | null = null;
    if (options.reuse) this.decoder.reuse?.(options.reuse);
    this.reuseFramePixels();
    try {
      const started = performance.now();
      const decoded = await this.decoder.frame(frame);
      shown = decoded.shown;
      pixels = decoded.image;
      const tracking = options.tracking !== false && !options.shadow;
      const out = await this.analyze(
        decoded,
        options,
        started,
        performance.now() - started,
        tracking ? this.trackers : undefined,
      );
      const result: FrameResult<ShownFrame> = {
        frame: shown,
        width: decoded.width,
        height: decoded.height,
        models: out.models,
        timings: out.timings,
        ...out.results,
        ...(out.shadow ? { shadow: out.shadow } : {}),
      };
      // Hand the picture back so the UI draws these boxes on exactly this frame.
      return Comlink.transfer(result, transferablesOf(shown));
    } catch (err) {
      frame.close();
      if (shown) closeShown(shown);
      throw err;
    } finally {
      if (pixels) this.framePixels.push(pixels);
      this.frameDone();
    }
  }

  /** Hands the buffers of analysed frames no tracker reads any more back to the decoder. */
  private reuseFramePixels(): void {
    for (let i = this.framePixels.length - 1; i >= 0; i--) {
      const image = this.framePixels[i]!;
      if (this.trackers.uses(image)) continue;
      this.framePixels.splice(i, 1);
      this.decoder.reuse?.(image.data.buffer as ArrayBuffer);
    }
    // A bound, whatever a tracker holds: the oldest are left to the garbage collector.
    this.framePixels.splice(0, this.framePixels.length - MAX_FRAMES_HELD);
  }

  async dispose(): Promise<void> {
    for (const batch of this.batches.values()) batch.release();
    this.batches.clear();
    await Promise.allSettled([...this.liveHosts].map((h) => h.terminate()));
    this.liveHosts.clear();
    await this.hosts.dispose();
  }
}
