/**
 * @file One inference worker as the bridge sees it: its Comlink remote, crash detection (a
 * dead worker fails every pending call with {@link WorkerCrashedError} instead of leaving it
 * waiting forever), and a count of the work using it (calls in flight and open photo batches),
 * so a hot swap can drain it before terminating it.
 */
import * as Comlink from 'comlink';
import { WorkerCrashedError } from '../../shared/errors.ts';
import type { EngineInfo, EngineOptions, WorkerApi } from '../../shared/worker-api.ts';

/** The worker API as the app sees it. */
export type AppWorkerApi = WorkerApi<ImageBitmap, Blob>;

let nextId = 1;

/** A running inference worker serving one set of model versions. */
export class WorkerHandle {
  /** A short name for logs and tests ("worker-3"). */
  readonly name = `worker-${nextId++}`;
  readonly remote: Comlink.Remote<AppWorkerApi>;
  /** Engine info once `init` (and later `warmUp`) resolved. */
  info: EngineInfo | null = null;
  private readonly crashed: Promise<never>;
  private fail: (err: Error) => void = () => undefined;
  private dead = false;
  private users = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly worker: Worker,
    /** The options (and so the versions) this worker was started with; set by `init` for a pre-started worker. */
    public options: EngineOptions,
  ) {
    this.crashed = new Promise<never>((_, reject) => (this.fail = reject));
    this.crashed.catch(() => undefined); // observed by the calls racing it
    this.remote = Comlink.wrap<AppWorkerApi>(worker);
    const die = (reason: string) => {
      if (this.dead) return;
      this.dead = true;
      worker.terminate();
      this.fail(new WorkerCrashedError(reason));
      this.wake();
    };
    worker.addEventListener('error', (e) => die(e.message || 'uncaught error in the worker'));
    worker.addEventListener('messageerror', () => die('a message could not be deserialised'));
  }

  /** False once the worker crashed or was terminated. */
  get alive(): boolean {
    return !this.dead;
  }

  /** Runs a call on the worker; counts as in-flight work until it settles. */
  async call<T>(fn: (remote: Comlink.Remote<AppWorkerApi>) => Promise<T>): Promise<T> {
    if (this.dead) throw new WorkerCrashedError('it was already stopped');
    const release = this.lease();
    try {
      return await Promise.race([fn(this.remote), this.crashed]);
    } finally {
      release();
    }
  }

  /** Marks the worker as in use (a photo batch) until the returned function is called. */
  lease(): () => void {
    this.users++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.users--;
      this.wake();
    };
  }

  /** Resolves when nothing uses the worker (or it is gone). */
  idle(): Promise<void> {
    if (this.users === 0 || this.dead) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    if (this.users > 0 && !this.dead) return;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Releases the sessions (briefly), then terminates the worker, which frees its WebAssembly memory. */
  async terminate(): Promise<void> {
    if (this.dead) return;
    await Promise.race([this.remote.dispose(), new Promise((r) => setTimeout(r, 500))]).catch(() => undefined);
    this.dead = true;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    this.fail(new WorkerCrashedError('it was replaced by a newer set of models'));
    this.wake();
  }
}
