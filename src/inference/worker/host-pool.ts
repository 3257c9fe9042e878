/**
 * @file The model host workers a pipeline worker owns: spawning one (each holds its own
 * onnxruntime-web runtime), the first one prepared early so the runtime compiles while the page
 * reads the manifest, and ending a host once it holds no session (terminating the worker is the
 * only way to give its WebAssembly memory back). Whether a real GPU adapter exists is asked once,
 * here, while the first host's script loads, so no host waits for the answer (70–120 ms on a
 * GPU-less machine) before it starts its runtime.
 */
import type * as Comlink from 'comlink';
import type { HostRuntime, ModelHostApi } from '../../shared/model-host-api.ts';
import type { EngineOptions } from '../../shared/worker-api.ts';
import { WorkerHandle, type WorkerLike } from '../common/worker-handle.ts';
import { hasRealGpu } from '../host/backend.ts';

/** A model host as the pipeline worker drives it. */
export interface HostConnection {
  readonly name: string;
  readonly alive: boolean;
  call<T>(fn: (api: Comlink.Remote<ModelHostApi>) => Promise<T>): Promise<T>;
  /** Calls `listener` if the host crashes. */
  whenCrashed(listener: (reason: string) => void): void;
  terminate(): Promise<void>;
}

/** A prepared host and the runtime it chose. */
export interface ReadyHost {
  host: HostConnection;
  runtime: HostRuntime;
}

function defaultHostWorker(): WorkerLike {
  return new Worker(new URL('../host/index.ts', import.meta.url), { type: 'module', name: 'hotlens-model-host' });
}

/** Spawns and ends model hosts. */
export class HostPool {
  private spare: Promise<ReadyHost> | null = null;
  private options: EngineOptions | null = null;
  /** Whether a real GPU adapter exists (asked once); unasked when the options force a backend. */
  private realGpu: Promise<boolean | undefined> | null = null;

  /** @param connect starts one host (tests pass in-process hosts). */
  constructor(
    private readonly connect: () => HostConnection = () => new WorkerHandle<ModelHostApi>(defaultHostWorker(), 'host'),
  ) {}

  /** Sets the options hosts start with and starts the first host now (its runtime compiles meanwhile). */
  prepare(options: EngineOptions): Promise<ReadyHost> {
    this.options = options;
    this.spare ??= this.start();
    return this.spare;
  }

  private start(): Promise<ReadyHost> {
    const options = this.options;
    if (!options) throw new Error('prepare() the host pool before starting hosts');
    const host = this.connect();
    this.realGpu ??= (options.backend ?? 'auto') === 'auto' ? hasRealGpu() : Promise.resolve(undefined);
    const ready = this.realGpu
      .then((realGpu) => host.call((api) => api.prepare(realGpu === undefined ? options : { ...options, realGpu })))
      .then((runtime) => ({ host, runtime }));
    // A failed start is forgotten, so the next take() starts afresh.
    ready.catch(() => {
      if (this.spare === ready) this.spare = null;
      void host.terminate();
    });
    return ready;
  }

  /** A prepared host with no sessions: the early one if unused, else a new one. */
  take(): Promise<ReadyHost> {
    const spare = this.spare;
    this.spare = null;
    return spare ?? this.start();
  }

  /** Ends the unused early host, if any. */
  async dispose(): Promise<void> {
    const spare = this.spare;
    this.spare = null;
    if (spare) await spare.then((r) => r.host.terminate()).catch(() => undefined);
  }
}
