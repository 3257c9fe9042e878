/**
 * @file The bridge that owns the inference workers' lifecycles, and the only module of the UI
 * that knows a Worker exists. One worker serves at a time; a hot swap starts a standby worker
 * on the candidate set ({@link InferenceClient.spawn}), flips serving to it between two frames
 * ({@link InferenceClient.flip}: the next frame goes to the new worker), waits for the old
 * one's in-flight frames and photo batches ({@link InferenceClient.drain}) and terminates it
 * (the only way to give WebAssembly memory back). A crashed serving worker is restarted on
 * the next call with the same versions. Every run's outcome is reported for the health check.
 */
import * as Comlink from 'comlink';
import { EngineNotReadyError } from '../../shared/errors.ts';
import type {
  EngineInfo,
  EngineOptions,
  FrameResult,
  ModelSpec,
  PhotoResult,
  ProbeReport,
  ProgressListener,
} from '../../shared/worker-api.ts';
import type { EnginePool, RunOutcome } from '../../models/engine-pool.ts';
import { WorkerHandle } from './worker-handle.ts';

function defaultWorker(): Worker {
  return new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'hotlens-inference' });
}

/** Photos annotated by one consistent set of model versions (see {@link InferenceClient.openBatch}). */
export interface PhotoSession {
  analyzePhoto(photo: Blob, fileName: string): Promise<PhotoResult>;
  /** Lets a swap finish retiring the worker this batch used. */
  close(): void;
}

/** Where the workers find the registry and how they run; the versions come per worker. */
export type BaseOptions = Omit<EngineOptions, 'models'>;

const proxied = (listener?: ProgressListener) => (listener ? Comlink.proxy(listener) : undefined);

/** Owns the serving worker and its standbys. */
export class InferenceClient implements EnginePool<WorkerHandle> {
  private current: WorkerHandle | null = null;
  private restarting: Promise<WorkerHandle> | null = null;
  /** Calls made while the first worker loads (a photo dropped during start-up) wait here. */
  private waiting: Array<{ resolve(h: WorkerHandle): void; reject(err: unknown): void }> = [];
  private base: BaseOptions | null = null;
  /** The tab's first worker, started (runtime compiling) before its versions are known. */
  private spare: WorkerHandle | null = null;
  private readonly runListeners = new Set<(outcome: RunOutcome) => void>();

  constructor(private readonly createWorker: () => Worker = defaultWorker) {}

  /**
   * Sets the registry and runtime options every worker started from now on uses. Before the
   * first worker serves, it also starts that worker: its script and the WASM runtime load while
   * the page reads the manifest and picks the versions (a repeat visit's cold start).
   */
  configure(base: BaseOptions): void {
    this.base = base;
    void this.spare?.terminate();
    this.spare = null;
    if (this.current) return;
    const spare = new WorkerHandle(this.createWorker(), { ...base, models: {} });
    // Best effort: init reports any real failure when the spare is used.
    spare.call((r) => r.prepare(base)).catch(() => undefined);
    this.spare = spare;
  }

  /** Starts a worker that loads and compiles `models`; it serves only after {@link flip}. */
  async spawn(models: Record<string, ModelSpec>, onProgress?: ProgressListener): Promise<WorkerHandle> {
    if (!this.base) throw new Error('configure() the inference client before starting workers');
    const options: EngineOptions = { ...this.base, models };
    const spare = this.spare;
    this.spare = null;
    const handle = spare?.alive ? spare : new WorkerHandle(this.createWorker(), options);
    handle.options = options;
    try {
      handle.info = await handle.call((r) => r.init(options, proxied(onProgress)));
      return handle;
    } catch (err) {
      await handle.terminate();
      throw err;
    }
  }

  /** Runs one model's probe on a worker. */
  probe(handle: WorkerHandle, id: string): Promise<ProbeReport> {
    return handle.call((r) => r.probe(id));
  }

  /** Warms a worker up (dummy runs and one full pipeline run). */
  async warmUp(handle: WorkerHandle, onProgress?: ProgressListener): Promise<EngineInfo> {
    handle.info = await handle.call((r) => r.warmUp(proxied(onProgress)));
    return handle.info;
  }

  /** Makes `handle` serve from the next call on; returns the worker it replaced. */
  flip(handle: WorkerHandle): WorkerHandle | null {
    const old = this.current;
    this.current = handle;
    for (const w of this.waiting.splice(0)) w.resolve(handle);
    return old === handle ? null : old;
  }

  /** Fails the calls waiting for a first worker (loading failed; they would wait forever). */
  failWaiting(err: unknown): void {
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  /** Resolves when `handle` has no call in flight and no open photo batch. */
  drain(handle: WorkerHandle): Promise<void> {
    return handle.idle();
  }

  /** Terminates `handle` (never the serving one while it serves). */
  release(handle: WorkerHandle): Promise<void> {
    if (handle === this.current) this.current = null;
    return handle.terminate();
  }

  /** Reports each run's outcome (the model manager's runtime health check); returns an unsubscribe function. */
  onRun(listener: (outcome: RunOutcome) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  private report(outcome: RunOutcome): void {
    for (const l of this.runListeners) l(outcome);
  }

  /** The serving worker, restarted with the same versions if it crashed. */
  private async serving(): Promise<WorkerHandle> {
    const current = this.current;
    if (!current) {
      // Configured: the first worker is on its way (or failWaiting will say why not).
      if (!this.base) throw new EngineNotReadyError();
      return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
    }
    if (current.alive) return current;
    this.restarting ??= (async () => {
      const fresh = await this.spawn(current.options.models);
      await this.warmUp(fresh);
      if (this.current === current) this.current = fresh;
      return this.current ?? fresh;
    })().finally(() => (this.restarting = null));
    return this.restarting;
  }

  private async run<T>(handle: WorkerHandle, fn: (h: WorkerHandle) => Promise<T>): Promise<T> {
    try {
      const result = await fn(handle);
      this.report({ ok: true });
      return result;
    } catch (err) {
      this.report({ ok: false, error: err });
      throw err;
    }
  }

  /** Annotates a webcam frame on the serving worker; the bitmap is transferred and comes back in the result. */
  async analyzeFrame(frame: ImageBitmap): Promise<FrameResult<ImageBitmap>> {
    let handle: WorkerHandle;
    try {
      handle = await this.serving();
    } catch (err) {
      frame.close();
      throw err;
    }
    return this.run(handle, (h) => h.call((r) => r.analyzeFrame(Comlink.transfer(frame, [frame]))));
  }

  /** Annotates one photo on the serving worker (a batch should use {@link openBatch}). */
  async analyzePhoto(photo: Blob, fileName: string): Promise<PhotoResult> {
    const handle = await this.serving();
    return this.run(handle, (h) => h.call((r) => r.analyzePhoto(photo, fileName)));
  }

  /**
   * Opens a photo batch on the worker serving now: every photo of the batch uses its versions,
   * even if a swap flips the webcam to a newer set meanwhile (the old worker is drained, not
   * cut off). Falls back to the serving worker if the batch's worker dies.
   */
  openBatch(): PhotoSession {
    let handle = this.current;
    let release = handle?.lease() ?? (() => undefined);
    return {
      analyzePhoto: async (photo, fileName) => {
        if (!handle || !handle.alive) {
          release();
          handle = await this.serving();
          release = handle.lease();
        }
        return this.run(handle, (h) => h.call((r) => r.analyzePhoto(photo, fileName)));
      },
      close: () => release(),
    };
  }

  /** Engine state of the serving worker. */
  async info(): Promise<EngineInfo> {
    return (await this.serving()).call((r) => r.info());
  }

  /** True while a worker serves. */
  get started(): boolean {
    return this.current !== null;
  }

  /** Stops the serving worker, giving its WebAssembly memory back. */
  async terminate(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.terminate();
  }
}

/** The app's single inference bridge. */
export const inferenceClient = new InferenceClient();
