/**
 * @file A model host worker's logic behind {@link ModelHostApi}: one onnxruntime-web runtime
 * (backend and threads chosen once per worker, because ORT fixes them at start) and the
 * sessions the pipeline worker staged here, by key. A run's output buffers are transferred back.
 * Failures of a session come out as ModelRuntimeError naming the model, so the manager can roll
 * back the right one. The entry file only exposes an instance over Comlink.
 */
import * as Comlink from 'comlink';
import { configureRuntime, runtimeVersion, startRuntime } from '../engine/ort-engine.ts';
import { ModelLoadError, ModelRuntimeError } from '../../shared/errors.ts';
import type { HostedModel, HostOptions, HostRun, HostRuntime, ModelHostApi } from '../../shared/model-host-api.ts';
import type { TaskContract } from '../../shared/tasks.ts';
import type { TensorData } from '../../shared/tensor.ts';
import type { LoadProgress, ModelSpec } from '../../shared/worker-api.ts';
import { cacheModelSource, storedFileProblems, type ModelSource } from '../../models/cache/cache-source.ts';
import { chooseRuntime, type RuntimeChoice } from './backend.ts';
import { loadModel, warmModel, type LoadedModel } from './model-loader.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Transferable buffers of a tensor map. */
export function buffersOf(tensors: Record<string, TensorData>): ArrayBuffer[] {
  const buffers = Object.values(tensors).flatMap((t) => (t.data.buffer instanceof ArrayBuffer ? [t.data.buffer] : []));
  return [...new Set(buffers)]; // a buffer listed twice cannot be transferred
}

/** Implements the host API; one instance per host worker. */
export class ModelHost implements ModelHostApi {
  private runtime: Promise<RuntimeChoice> | null = null;
  private started: Promise<void> | null = null;
  private readonly sessions = new Map<string, LoadedModel>();
  private readonly sources = new Map<string, ModelSource>();

  private stallTimeoutMs: number | undefined;

  /** @param sourceFor how to reach the model bytes (tests inject a fake). */
  constructor(
    private readonly sourceFor: (registryUrl: string, stallTimeoutMs?: number) => ModelSource = (url, stall) =>
      cacheModelSource(url, { stallTimeoutMs: stall }),
  ) {}

  async prepare(options: HostOptions): Promise<HostRuntime> {
    this.stallTimeoutMs = options.stallTimeoutMs;
    this.runtime ??= chooseRuntime(options).then((runtime) => {
      // A machine without a real GPU never loads the WebGPU build (nor downloads its .wasm).
      configureRuntime({ numThreads: runtime.threads, build: runtime.backend });
      return runtime;
    });
    const runtime = await this.runtime;
    // Best effort: a failure here surfaces (with its real cause) when a session is created.
    this.started ??= runtime.backend === 'wasm' ? startRuntime().catch(() => undefined) : Promise.resolve();
    await this.started;
    return { ...runtime, runtimeVersion: await runtimeVersion(), crossOriginIsolated: self.crossOriginIsolated };
  }

  private source(registryUrl: string): ModelSource {
    let s = this.sources.get(registryUrl);
    if (!s) this.sources.set(registryUrl, (s = this.sourceFor(registryUrl, this.stallTimeoutMs)));
    return s;
  }

  async load(
    key: string,
    spec: ModelSpec,
    registryUrl: string,
    contract: TaskContract,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<HostedModel> {
    if (this.sessions.has(key)) throw new ModelLoadError(key, 'a session with this key exists already');
    if (!this.runtime) throw new ModelLoadError(spec.id, 'the host was not prepared');
    const runtime = await this.runtime;
    const progress = (p: LoadProgress) => {
      try {
        void Promise.resolve(onProgress?.(p)).catch(() => undefined);
      } catch {
        // The listener's page went away; loading continues regardless.
      }
    };
    const source = this.source(registryUrl);
    let loaded: LoadedModel;
    try {
      loaded = await loadModel(source, spec, { backend: runtime.backend, contract, onProgress: progress });
    } catch (err) {
      // A real adapter can still fail to create sessions (driver limits): WASM always works.
      if (runtime.backend !== 'webgpu' || (err as Error).name !== 'ModelCompileError') throw err;
      loaded = await loadModel(source, spec, { backend: 'wasm', contract, onProgress: progress });
    }
    this.sessions.set(key, loaded);
    const { model } = loaded;
    return {
      key,
      inputs: model.inputs,
      outputs: model.outputs,
      origin: loaded.origin,
      backend: model.executionProvider,
      compileMs: loaded.compileMs,
    };
  }

  checkFile(spec: ModelSpec, registryUrl: string, contract: TaskContract): Promise<string[]> {
    return storedFileProblems(this.source(registryUrl), spec, contract);
  }

  private session(key: string): LoadedModel {
    const s = this.sessions.get(key);
    if (!s) throw new ModelLoadError(key, 'this host holds no such session');
    return s;
  }

  async run(key: string, feeds: Record<string, TensorData>): Promise<HostRun> {
    const { model, spec } = this.session(key);
    let outputs: Record<string, TensorData>;
    try {
      outputs = await model.run(feeds);
    } catch (err) {
      // ORT errors say nothing about which session failed.
      throw new ModelRuntimeError(spec.id, spec.version, message(err));
    }
    // ORT copied the feeds into its own memory: their buffers go back for the next feeds.
    const inputs = buffersOf(feeds);
    return Comlink.transfer({ outputs, inputs }, [...buffersOf(outputs), ...inputs]);
  }

  async warm(key: string): Promise<number> {
    return warmModel(this.session(key).model);
  }

  async release(key: string): Promise<number> {
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    await s?.model.release().catch(() => undefined);
    return this.sessions.size;
  }
}
