/**
 * @file One worker as its owner sees it (the page's bridge owns the pipeline worker, the
 * pipeline worker owns the model hosts): its Comlink remote, crash detection (a dead worker
 * fails every pending call with {@link WorkerCrashedError} instead of leaving it waiting
 * forever), and a count of the work using it, so it can be drained before it is terminated.
 */
import * as Comlink from 'comlink';
import { WorkerCrashedError } from '../../shared/errors.ts';

/** What a worker handle needs from `Worker` (a page Worker or a nested one). */
export interface WorkerLike {
  addEventListener(type: 'error' | 'messageerror', listener: (e: { message?: string }) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
}

let nextId = 1;

/** A running worker exposing `Api` over Comlink. */
export class WorkerHandle<Api> {
  /** A short name for logs and tests ("host-3"). */
  readonly name: string;
  readonly remote: Comlink.Remote<Api>;
  private readonly crashed: Promise<never>;
  private fail: (err: Error) => void = () => undefined;
  private dead = false;
  private users = 0;
  private waiters: Array<() => void> = [];
  private readonly onDeath = new Set<(reason: string) => void>();

  constructor(
    private readonly worker: WorkerLike,
    prefix = 'worker',
  ) {
    this.name = `${prefix}-${nextId++}`;
    this.crashed = new Promise<never>((_, reject) => (this.fail = reject));
    this.crashed.catch(() => undefined); // observed by the calls racing it
    this.remote = Comlink.wrap<Api>(worker as unknown as Comlink.Endpoint);
    const die = (reason: string) => {
      if (this.dead) return;
      this.dead = true;
      worker.terminate();
      this.fail(new WorkerCrashedError(reason));
      this.wake();
      for (const l of this.onDeath) l(reason);
    };
    worker.addEventListener('error', (e) => die(e.message || 'uncaught error in the worker'));
    worker.addEventListener('messageerror', () => die('a message could not be deserialised'));
  }

  /** False once the worker crashed or was terminated. */
  get alive(): boolean {
    return !this.dead;
  }

  /** Calls `listener` once if the worker crashes (not when it is terminated on purpose). */
  whenCrashed(listener: (reason: string) => void): void {
    this.onDeath.add(listener);
  }

  /** Runs a call on the worker; counts as in-flight work until it settles. */
  async call<T>(fn: (remote: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (this.dead) throw new WorkerCrashedError('it was already stopped');
    const release = this.lease();
    try {
      return await Promise.race([fn(this.remote), this.crashed]);
    } finally {
      release();
    }
  }

  /** Marks the worker as in use until the returned function is called. */
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

  /** Gives `cleanup` (e.g. a remote dispose) half a second, then terminates the worker, which frees its WebAssembly memory. */
  async terminate(cleanup?: () => Promise<unknown>, reason = 'it was stopped'): Promise<void> {
    if (this.dead) return;
    if (cleanup) await Promise.race([cleanup(), new Promise((r) => setTimeout(r, 500))]).catch(() => undefined);
    this.dead = true;
    this.onDeath.clear();
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    this.fail(new WorkerCrashedError(reason));
    this.wake();
  }
}
