/**
 * @file The contract between the pipeline worker and a model host worker. A host owns one
 * onnxruntime-web runtime and the sessions staged in it, each under a key the pipeline worker
 * chose; it knows nothing of features, images or routing. Tensors cross as plain data with
 * their buffers transferred both ways.
 */
import type { TaskContract } from './tasks.ts';
import type { TensorData, TensorSpec } from './tensor.ts';
import type { Backend, EngineOptions, LoadProgress, ModelSpec } from './worker-api.ts';

/** A run's outputs, and the buffers of its feeds handed back (both transferred). */
export interface HostRun {
  outputs: Record<string, TensorData>;
  inputs: ArrayBuffer[];
}

/** The runtime a host chose. */
export interface HostRuntime {
  backend: Backend;
  threads: number;
  runtimeVersion: string;
  crossOriginIsolated: boolean;
}

/** One session a host created. */
export interface HostedModel {
  key: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  origin: 'cache' | 'registry' | 'memory' | 'local';
  backend: Backend;
  compileMs: number;
}

/** What a model host starts with: the engine's options, and what its pipeline worker already knows. */
export interface HostOptions extends EngineOptions {
  /**
   * Whether a real (not software-fallback) GPU adapter exists, asked once by the pipeline worker
   * while the host's script loads; when absent the host asks itself before choosing its runtime.
   */
  realGpu?: boolean;
}

/** A model host worker's API. */
export interface ModelHostApi {
  /** Picks the backend and starts the runtime (WASM compile, threads); safe to call again. */
  prepare(options: HostOptions): Promise<HostRuntime>;
  /** Reads (cache, else registry), verifies, checks against `contract` and compiles `spec` under `key`. */
  load(
    key: string,
    spec: ModelSpec,
    registryUrl: string,
    contract: TaskContract,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<HostedModel>;
  /**
   * Problems of the stored file of `spec` against `contract` and the manifest's declaration (its
   * real inputs and outputs, read from the ONNX bytes without a runtime); `[]` when they are fine
   * or cannot be read here (not the version's fault: {@link load} checks them again). Reading
   * and parsing a model's bytes here keeps that work off the page's thread.
   */
  checkFile(spec: ModelSpec, registryUrl: string, contract: TaskContract): Promise<string[]>;
  /**
   * Runs the session of `key` (runs of one session are queued). The caller may transfer the
   * feeds' buffers; they come back in `inputs`, to be reused for later feeds.
   */
  run(key: string, feeds: Record<string, TensorData>): Promise<HostRun>;
  /** One run on zero inputs (kernel selection, allocation); returns its duration in ms. */
  warm(key: string): Promise<number>;
  /** Frees the session of `key`; returns how many sessions the host still holds. */
  release(key: string): Promise<number>;
}
