/**
 * @file The contract between the UI and the inference worker. The worker class implements
 * {@link WorkerApi}; the UI `Comlink.wrap`s it. Only plain data and transferables cross:
 * photos as Blobs (structured-cloned handles, no copy), webcam frames as transferred
 * ImageBitmaps, results as plain objects. Errors arrive as `{name, message}` (see errors.ts).
 *
 * A worker serves one fixed set of model versions for its whole life: a hot swap starts a
 * standby worker with the candidate set (init → probe → warmUp), flips the UI's frames to it
 * and terminates the old one (the only way to give WebAssembly memory back).
 *
 * src/shared is type-checked without DOM or worker libs, so frames and photos are described
 * structurally; the app and the worker instantiate the API with `ImageBitmap` and `Blob`.
 */
import type { FaceAnnotation, ImageAnnotation } from './face-results.ts';
import type { ModelVersion, TaskId } from './manifest-types.ts';

/** What an ImageBitmap looks like to shared code. */
export interface FrameLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

/** What a Blob/File looks like to shared code. */
export interface PhotoLike {
  readonly size: number;
  readonly type: string;
}

/** Execution providers the worker may pick. */
export type Backend = 'wasm' | 'webgpu';

/** The model ids the face pipeline needs, by role. */
export const PIPELINE_MODELS = {
  detector: 'face-detector',
  attributes: 'face-attributes',
  expression: 'face-expression',
} as const;

/** A pipeline role. */
export type PipelineRole = keyof typeof PIPELINE_MODELS;

/** One model version a worker is asked to serve, with its manifest entry. */
export interface ModelSpec {
  id: string;
  task: TaskId;
  version: string;
  /** Content address of the bytes (the IndexedDB key and the manifest's `sha256`). */
  sha256: string;
  /** The manifest entry of this version (size, signature, probe, labels). */
  file: ModelVersion;
}

/** How the UI asks a worker to start. */
export interface EngineOptions {
  /** Absolute URL of the model registry directory (the one holding manifest.json), ending in '/'. */
  registryUrl: string;
  /** Force a provider; 'auto' = WebGPU on a real (non-fallback) adapter, else WASM. */
  backend?: Backend | 'auto';
  /** WASM threads; default 2 from 4 cores when cross-origin isolated, else 1 (threads.ts). */
  threads?: number;
  /** The versions to serve, by model id (one per pipeline role). Bytes come from IndexedDB, else the registry. */
  models: Record<string, ModelSpec>;
}

/** Model loading progress, keyed on `status` (one event per step, downloads repeat). */
export type LoadProgress =
  | { status: 'runtime'; backend: Backend; threads: number }
  | { status: 'manifest'; url: string }
  | { status: 'download'; id: string; version: string; loaded: number; total: number }
  | { status: 'verify'; id: string; version: string }
  | { status: 'compile'; id: string; version: string }
  | { status: 'warmup'; id: string; version: string }
  | { status: 'ready'; ms: number };

/** The callback the UI passes to `init` (a Comlink proxy on the UI side). */
export type ProgressListener = (progress: LoadProgress) => void;

/** One model that is loaded and serving. */
export interface ServingModel {
  id: string;
  version: string;
  task: TaskId;
  bytes: number;
  sha256: string;
  /**
   * Where the bytes came from: the IndexedDB cache, the registry (then stored), or the registry
   * without being stored (`memory`: browser storage blocked or full; downloaded again next visit).
   */
  origin: 'cache' | 'registry' | 'memory';
  /** Session create time (ms). */
  compileMs: number;
  /** Duration of the warm-up run (ms); 0 until `warmUp` ran. */
  warmupMs: number;
}

/** What the worker runs on and with which models. */
export interface EngineInfo {
  backend: Backend;
  threads: number;
  crossOriginIsolated: boolean;
  runtimeVersion: string;
  /** Serving models by id. */
  models: Record<string, ServingModel>;
  /** From `init` call to compiled models (ms); warm-up not included. */
  loadMs: number;
  /** One full pipeline run on the probe image after loading (ms); null until warmed or if it could not run. */
  pipelineWarmupMs: number | null;
}

/** Result of running one model's probe (the manifest's smoke test). */
export interface ProbeReport {
  id: string;
  version: string;
  /** Empty when the outputs match the expectations within tolerance. */
  problems: string[];
  /** Largest absolute difference from the expectations (Infinity on a shape mismatch). */
  maxDiff: number;
  ms: number;
}

/** Per-stage times of one analysis (ms, measured in the worker). */
export interface AnalysisTimings {
  decodeMs: number;
  detectMs: number;
  attributesMs: number;
  expressionMs: number;
  /** Everything the worker did for this image, decode included. */
  totalMs: number;
}

/** The result for one photo. */
export interface PhotoResult {
  annotation: ImageAnnotation;
  /** Side lengths the models saw (smaller than the original when it was downscaled). */
  inferenceWidth: number;
  inferenceHeight: number;
  timings: AnalysisTimings;
}

/** The result for one webcam frame; `frame` is the analysed bitmap, transferred back for drawing. */
export interface FrameResult<Frame extends FrameLike = FrameLike> {
  frame: Frame;
  width: number;
  height: number;
  faces: FaceAnnotation[];
  models: Record<string, string>;
  timings: AnalysisTimings;
}

/** The inference worker's API. Every method is async across the boundary. */
export interface WorkerApi<Frame extends FrameLike = FrameLike, Photo extends PhotoLike = PhotoLike> {
  /**
   * Picks the backend, reads each version's bytes (IndexedDB, else the registry: verified, then
   * stored), checks the task contract and compiles the sessions. Safe to call again.
   */
  init(options: EngineOptions, onProgress?: ProgressListener): Promise<EngineInfo>;
  /**
   * Starts the runtime (WASM compile, threads) before the versions are known, so a tab's first
   * worker overlaps it with the page's own start; `init` with the same options reuses it.
   */
  prepare(options: Omit<EngineOptions, 'models'>): Promise<void>;
  /** Runs a model's probe image and compares with the manifest's expected outputs. */
  probe(id: string): Promise<ProbeReport>;
  /** One dummy run per model plus one full pipeline run, so the first real frame is as fast as the rest. */
  warmUp(onProgress?: ProgressListener): Promise<EngineInfo>;
  /** Current engine state; throws EngineNotReadyError before `init` resolved. */
  info(): Promise<EngineInfo>;
  /** Decodes and annotates one photo; `fileName` becomes `annotation.file`. */
  analyzePhoto(photo: Photo, fileName: string): Promise<PhotoResult>;
  /** Annotates one webcam frame (transfer it); the bitmap comes back in the result. */
  analyzeFrame(frame: Frame): Promise<FrameResult<Frame>>;
  /** Releases all sessions; the worker can then be terminated. */
  dispose(): Promise<void>;
}
