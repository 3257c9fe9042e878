/**
 * @file The bridge that owns the pipeline worker's lifecycle, and the only module of the UI
 * that knows a Worker exists. It implements the model manager's {@link EnginePool} by
 * forwarding to the worker (which stages models in its model hosts, flips routes between two
 * analyses, drains and releases), sends webcam frames and photos with the features to run, and
 * reports every run's outcome for the health check. A crashed pipeline worker is restarted on
 * the next call with the same serving versions.
 */
import * as Comlink from 'comlink';
import { closeShown, type LiveFrame, type ShownFrame } from '../common/frames.ts';
import { EngineNotReadyError } from '../../shared/errors.ts';
import type {
  AnalyzeOptions,
  EngineInfo,
  EngineOptions,
  FrameResult,
  ModelSpec,
  PhotoResult,
  ProbeReport,
  ProgressListener,
  ShadowPair,
  ShadowTarget,
  StagedSet,
  WorkerApi,
} from '../../shared/worker-api.ts';
import type { EnginePool, RunOutcome } from '../../models/page/engine-pool.ts';
import { WorkerHandle } from '../common/worker-handle.ts';

/** The worker API as the app sees it. */
export type AppWorkerApi = WorkerApi<LiveFrame, Blob, ShownFrame>;

type Handle = WorkerHandle<AppWorkerApi>;

function defaultWorker(): Worker {
  return new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'hotlens-pipeline' });
}

/** Photos annotated by one consistent set of model versions (see {@link InferenceClient.openBatch}). */
export interface PhotoSession {
  /** With `shadow`, the staged candidate also runs on the photo (the result's `shadow`). */
  analyzePhoto(photo: Blob, fileName: string, features: readonly string[], shadow?: ShadowTarget): Promise<PhotoResult>;
  /** Lets a swap finish retiring the sessions this batch used. */
  close(): void;
}

const proxied = (listener?: ProgressListener) => (listener ? Comlink.proxy(listener) : undefined);

/** Owns the pipeline worker. */
export class InferenceClient implements EnginePool {
  private worker: Handle | null = null;
  private options: EngineOptions | null = null;
  private restarting: Promise<Handle> | null = null;
  /** The versions serving now (to restore them in a restarted worker). */
  private serving: Record<string, ModelSpec> = {};
  /** Specs of staged sets, until they flip or are released. */
  private readonly staged = new Map<string, ModelSpec[]>();
  /** Calls made before anything serves (a photo dropped during start-up) wait here. */
  private waiting: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  private readonly runListeners = new Set<(outcome: RunOutcome) => void>();
  /** The pixel buffer of the last frame the page drew, to send back with the next frame. */
  private drawnFrame: ArrayBuffer | null = null;

  constructor(private readonly createWorker: () => Worker = defaultWorker) {}

  /**
   * Sets the registry and runtime options and starts the worker: its script, its first model
   * host and the WASM runtime load while the page reads the manifest (a repeat visit's cold start).
   */
  configure(options: EngineOptions): void {
    this.options = options;
    if (this.worker?.alive) return;
    this.worker = this.start(options);
  }

  private start(options: EngineOptions): Handle {
    const handle = new WorkerHandle<AppWorkerApi>(this.createWorker(), 'pipeline');
    // Best effort: stage() reports any real failure.
    handle.call((r) => r.prepare(options)).catch(() => undefined);
    return handle;
  }

  private handle(): Handle {
    if (!this.options) throw new Error('configure() the inference client before using it');
    // After terminate() (the Retry button) the next call starts a fresh worker.
    this.worker ??= this.start(this.options);
    return this.worker;
  }

  fileProblems(spec: ModelSpec): Promise<string[]> {
    return this.handle().call((r) => r.fileProblems(spec));
  }

  async stage(models: ModelSpec[], onProgress?: ProgressListener): Promise<StagedSet> {
    const set = await this.handle().call((r) => r.stage(models, proxied(onProgress)));
    this.staged.set(set.key, models);
    return set;
  }

  probe(key: string, id: string): Promise<ProbeReport> {
    return this.handle().call((r) => r.probe(key, id));
  }

  warmUp(key: string, onProgress?: ProgressListener): Promise<StagedSet> {
    return this.handle().call((r) => r.warmUp(key, proxied(onProgress)));
  }

  async flip(key: string): Promise<string | null> {
    const replaced = await this.handle().call((r) => r.flip(key));
    for (const spec of this.staged.get(key) ?? []) this.serving[spec.id] = spec;
    this.staged.delete(key);
    for (const w of this.waiting.splice(0)) w.resolve();
    return replaced;
  }

  async retire(ids: readonly string[]): Promise<string | null> {
    const key = await this.handle().call((r) => r.retire(ids));
    for (const id of ids) delete this.serving[id];
    return key;
  }

  drain(key: string): Promise<void> {
    return this.handle().call((r) => r.drain(key));
  }

  async release(key: string): Promise<void> {
    this.staged.delete(key);
    await this.handle().call((r) => r.release(key));
  }

  /** Engine state of the worker. */
  async info(): Promise<EngineInfo> {
    return (await this.ready()).call((r) => r.info());
  }

  /** Fails the calls waiting for a first model (loading failed; they would wait forever). */
  failWaiting(err: unknown): void {
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  /** Reports each run's outcome (the model manager's runtime health check); returns an unsubscribe function. */
  onRun(listener: (outcome: RunOutcome) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  private report(outcome: RunOutcome): void {
    for (const l of this.runListeners) l(outcome);
  }

  /** The worker once something serves, restarted with the same versions if it crashed. */
  private async ready(): Promise<Handle> {
    if (Object.keys(this.serving).length === 0) {
      // Configured: the first models are on their way (or failWaiting will say why not).
      if (!this.options) throw new EngineNotReadyError();
      await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    }
    const current = this.handle();
    if (current.alive) return current;
    this.restarting ??= this.restart().finally(() => (this.restarting = null));
    return this.restarting;
  }

  private async restart(): Promise<Handle> {
    const fresh = this.start(this.options!);
    this.worker = fresh;
    const set = await fresh.call((r) => r.stage(Object.values(this.serving)));
    await fresh.call((r) => r.warmUp(set.key));
    await fresh.call((r) => r.flip(set.key));
    return fresh;
  }

  private async run<T>(fn: (h: Handle) => Promise<T>): Promise<T> {
    const handle = await this.ready();
    try {
      const result = await fn(handle);
      this.report({ ok: true });
      return result;
    } catch (err) {
      this.report({ ok: false, error: err });
      throw err;
    }
  }

  /**
   * Annotates a webcam frame; the frame is transferred, and the picture analysed comes back in the result. With
   * `shadow`, the staged candidate also runs on it (the result's `shadow`).
   */
  async analyzeFrame(
    frame: LiveFrame,
    features: readonly string[],
    shadow?: ShadowTarget,
  ): Promise<FrameResult<ShownFrame>> {
    const reuse = this.drawnFrame;
    this.drawnFrame = null;
    const options: AnalyzeOptions = { features, ...(shadow ? { shadow } : {}), ...(reuse ? { reuse } : {}) };
    const moved: Transferable[] = reuse ? [frame, reuse] : [frame];
    try {
      return await this.run((h) => h.call((r) => r.analyzeFrame(Comlink.transfer(frame, moved), options)));
    } catch (err) {
      frame.close();
      throw err;
    }
  }

  /**
   * Takes a frame's picture once the page has drawn it: a bitmap is closed, plain pixels go back
   * to the worker with the next frame, which writes into them instead of new memory.
   */
  releaseShown(shown: ShownFrame): void {
    if ('data' in shown) this.drawnFrame = shown.data.buffer;
    else closeShown(shown);
  }

  /** Annotates one photo with the serving versions (a batch should use {@link openBatch}); `shadow` as for frames. */
  analyzePhoto(
    photo: Blob,
    fileName: string,
    features: readonly string[],
    shadow?: ShadowTarget,
  ): Promise<PhotoResult> {
    const options = shadow ? { features, shadow } : { features };
    return this.run((h) => h.call((r) => r.analyzePhoto(photo, fileName, options)));
  }

  /** A shadow comparison on the candidate's probe image (no camera needed); not counted as a served run. */
  async shadowProbe(shadow: ShadowTarget, features: readonly string[]): Promise<ShadowPair> {
    return (await this.ready()).call((r) => r.shadowProbe(shadow, features));
  }

  /**
   * Opens a photo batch on the versions serving now: every photo of the batch uses them, even if
   * a swap flips the webcam to a newer version meanwhile (the replaced session is drained, not
   * cut off). A batch whose worker died continues on the serving versions.
   */
  openBatch(): PhotoSession {
    let batch: Promise<{ handle: Handle; id: string }> | null = null;
    const open = () =>
      (batch ??= this.ready().then(async (handle) => ({ handle, id: await handle.call((r) => r.openBatch()) })));
    return {
      analyzePhoto: async (photo, fileName, features, shadow) => {
        let b = await open();
        if (!b.handle.alive) {
          batch = null;
          b = await open();
        }
        const options = shadow ? { features, batch: b.id, shadow } : { features, batch: b.id };
        return this.run(() => b.handle.call((r) => r.analyzePhoto(photo, fileName, options)));
      },
      close: () => {
        void batch?.then((b) => b.handle.call((r) => r.closeBatch(b.id))).catch(() => undefined);
      },
    };
  }

  /** True while models serve. */
  get started(): boolean {
    return Object.keys(this.serving).length > 0;
  }

  /** Stops the worker and its model hosts, giving their WebAssembly memory back. */
  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.serving = {};
    this.staged.clear();
    await worker?.terminate(() => worker.remote.dispose(), 'the engine was restarted');
  }
}

/** The app's single inference bridge. */
export const inferenceClient = new InferenceClient();
