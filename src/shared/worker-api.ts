/**
 * @file The contract between the UI and the inference worker. The worker class implements
 * {@link WorkerApi}; the UI `Comlink.wrap`s it. Only plain data and transferables cross:
 * photos as Blobs (structured-cloned handles, no copy), webcam frames as transferred
 * ImageBitmaps, results as plain objects. Errors arrive as `{name, message}` (see errors.ts).
 *
 * src/shared is type-checked without DOM or worker libs, so frames and photos are described
 * structurally; the app and the worker instantiate the API with `ImageBitmap` and `Blob`.
 */
import type { FaceAnnotation, ImageAnnotation } from './face-results.ts';
import type { TaskId } from './manifest-types.ts';

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

/** How the UI asks the worker to start. */
export interface EngineOptions {
  /** Absolute URL of the model registry directory (the one holding manifest.json), ending in '/'. */
  registryUrl: string;
  /** Force a provider; 'auto' = WebGPU on a real (non-fallback) adapter, else WASM. */
  backend?: Backend | 'auto';
  /** WASM threads; default min(2, hardwareConcurrency) when cross-origin isolated, else 1. */
  threads?: number;
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
  /** Session create time (ms). */
  compileMs: number;
  /** Duration of the warm-up run (ms). */
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
  /** From `init` call to warmed-up models (ms). */
  loadMs: number;
  /** One full pipeline run on the probe image after loading (ms); null if it could not run. */
  pipelineWarmupMs: number | null;
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
  /** Picks the backend, fetches, verifies, compiles and warms up the models. Safe to call again. */
  init(options: EngineOptions, onProgress?: ProgressListener): Promise<EngineInfo>;
  /** Current engine state; throws EngineNotReadyError before `init` resolved. */
  info(): Promise<EngineInfo>;
  /** Decodes and annotates one photo; `fileName` becomes `annotation.file`. */
  analyzePhoto(photo: Photo, fileName: string): Promise<PhotoResult>;
  /** Annotates one webcam frame (transfer it); the bitmap comes back in the result. */
  analyzeFrame(frame: Frame): Promise<FrameResult<Frame>>;
  /** Releases all sessions; the worker can then be terminated. */
  dispose(): Promise<void>;
}
