/**
 * @file The bridge that owns the inference worker's lifecycle: starts it lazily on first use,
 * remembers how it was initialised, turns a worker crash into a {@link WorkerCrashedError} for
 * every pending call (Comlink would wait forever) and restarts it on the next call. It is the
 * only module of the UI that knows a Worker exists.
 */
import * as Comlink from 'comlink';
import { WorkerCrashedError } from '../../shared/errors.ts';
import type {
  EngineInfo,
  EngineOptions,
  FrameResult,
  PhotoResult,
  ProgressListener,
  WorkerApi,
} from '../../shared/worker-api.ts';

/** The worker API as the app sees it. */
export type AppWorkerApi = WorkerApi<ImageBitmap, Blob>;

interface Running {
  worker: Worker;
  remote: Comlink.Remote<AppWorkerApi>;
  /** Rejects when the worker dies; every call races against it. */
  crashed: Promise<never>;
  ready: Promise<EngineInfo> | null;
}

function defaultWorker(): Worker {
  return new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'hotlens-inference' });
}

/** Owns one inference worker: lazy start, crash detection, terminate and restart. */
export class InferenceClient {
  private running: Running | null = null;
  private options: EngineOptions | null = null;
  private listener: ProgressListener | undefined;

  constructor(private readonly createWorker: () => Worker = defaultWorker) {}

  private start(): Running {
    if (this.running) return this.running;
    const worker = this.createWorker();
    let fail: (err: Error) => void = () => undefined;
    const crashed = new Promise<never>((_, reject) => (fail = reject));
    crashed.catch(() => undefined); // observed by the calls racing it
    const running: Running = { worker, remote: Comlink.wrap<AppWorkerApi>(worker), crashed, ready: null };
    const die = (reason: string) => {
      if (this.running === running) this.running = null;
      worker.terminate();
      fail(new WorkerCrashedError(reason));
    };
    worker.addEventListener('error', (e) => die(e.message || 'uncaught error in the worker'));
    worker.addEventListener('messageerror', () => die('a message could not be deserialised'));
    this.running = running;
    return running;
  }

  private async call<T>(fn: (remote: Comlink.Remote<AppWorkerApi>) => Promise<T>): Promise<T> {
    const running = this.start();
    if (!running.ready && this.options) running.ready = this.initOn(running, this.options);
    if (running.ready) await Promise.race([running.ready, running.crashed]);
    return Promise.race([fn(running.remote), running.crashed]);
  }

  private initOn(running: Running, options: EngineOptions): Promise<EngineInfo> {
    const onProgress = this.listener ? Comlink.proxy(this.listener) : undefined;
    const ready = Promise.race([running.remote.init(options, onProgress), running.crashed]);
    // A failed init is not cached: the next call tries again.
    ready.catch(() => {
      if (running.ready === ready) running.ready = null;
    });
    return ready;
  }

  /** Starts the worker (if needed) and loads the models; later calls reuse the result. */
  init(options: EngineOptions, onProgress?: ProgressListener): Promise<EngineInfo> {
    this.options = options;
    this.listener = onProgress;
    const running = this.start();
    running.ready ??= this.initOn(running, options);
    return running.ready;
  }

  /** Annotates a photo; the Blob is cloned as a handle (no copy, decoding happens in the worker). */
  analyzePhoto(photo: Blob, fileName: string): Promise<PhotoResult> {
    return this.call((r) => r.analyzePhoto(photo, fileName));
  }

  /** Annotates a webcam frame; the bitmap is transferred and comes back in the result. */
  analyzeFrame(frame: ImageBitmap): Promise<FrameResult<ImageBitmap>> {
    return this.call((r) => r.analyzeFrame(Comlink.transfer(frame, [frame])));
  }

  /** Engine state (backend, threads, models). */
  info(): Promise<EngineInfo> {
    return this.call((r) => r.info());
  }

  /** True while a worker is running. */
  get started(): boolean {
    return this.running !== null;
  }

  /** Stops the worker, giving its WebAssembly memory back; the next call starts a new one. */
  async terminate(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    await Promise.race([running.remote.dispose(), new Promise((r) => setTimeout(r, 500))]).catch(() => undefined);
    running.remote[Comlink.releaseProxy]();
    running.worker.terminate();
  }

  /** Terminates and starts a fresh worker with the same options. */
  async restart(): Promise<EngineInfo> {
    await this.terminate();
    if (!this.options) throw new Error('restart() needs a previous init(); call init(options) first.');
    return this.init(this.options, this.listener);
  }
}

/** The app's single inference bridge. */
export const inferenceClient = new InferenceClient();
