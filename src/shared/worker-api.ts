/**
 * @file The contract between the UI and the inference worker. The pipeline worker class
 * implements {@link WorkerApi}; the UI `Comlink.wrap`s it. Only plain data and transferables
 * cross: photos as Blobs (structured-cloned handles, no copy), webcam frames as transferred
 * ImageBitmaps, results as plain objects. Errors arrive as `{name, message}` (see errors.ts).
 *
 * Models are served by id. The pipeline worker runs the features' pre- and post-processing and
 * routes each model's runs to the model host worker that holds its session (model-host-api.ts).
 * A hot swap stages only the changed model in a new host (compile → probe → warm-up, off the hot
 * path), flips that model's route between two analyses, drains the old session and releases it;
 * sessions of unchanged models are never recreated. A host left without sessions is terminated
 * (the only way to give WebAssembly memory back).
 *
 * src/shared is type-checked without DOM or worker libs, so frames and photos are described
 * structurally; the app and the worker instantiate the API with `ImageBitmap` and `Blob`.
 *
 * Shadow runs: a staged set need not be flipped. With `shadow` in the analysis options, the
 * features that use that model run a second time on the same decoded pixels with the staged
 * session in place of the serving one; the result shown is the serving version's, the
 * candidate's comes alongside (`shadow`), with the run times of both. A candidate's failure is
 * reported there, never as the analysis's error (it must not count against the serving version).
 */
import type { ImageAnnotation } from './results.ts';
import type { FeatureResults } from './results.ts';
import type { ModelVersion, TaskId } from './manifest-types.ts';

/** What a webcam frame sent for analysis (an ImageBitmap or a WebCodecs VideoFrame) looks like to shared code. */
export interface FrameLike {
  close(): void;
}

/** What a Blob/File looks like to shared code. */
export interface PhotoLike {
  readonly size: number;
  readonly type: string;
}

/** Execution providers the worker may pick. */
export type Backend = 'wasm' | 'webgpu';

/** One model version to load, with its manifest entry. */
export interface ModelSpec {
  id: string;
  task: TaskId;
  version: string;
  /** Content address of the bytes (the IndexedDB key and the manifest's `sha256`). */
  sha256: string;
  /** The manifest entry of this version (size, signature, probe, labels, pre-processing). */
  file: ModelVersion;
  /**
   * A model file the user gave this device (Models panel), not a registry version: its bytes are
   * never requested from the registry. `bytes` while it is only being tried (else they are read
   * from IndexedDB, where "Use on this device" stored them, verified).
   */
  local?: { name: string; bytes?: ArrayBuffer };
}

/** Where the workers find the registry and how they run. */
export interface EngineOptions {
  /** Absolute URL of the model registry directory (the one holding manifest.json), ending in '/'. */
  registryUrl: string;
  /** Force a provider; 'auto' = WebGPU on a real (non-fallback) adapter, else WASM. */
  backend?: Backend | 'auto';
  /** WASM threads per model host; default 2 from 4 cores when cross-origin isolated, else 1 (threads.ts). */
  threads?: number;
  /** Model downloads that receive nothing for this long are abandoned and resumed (`?stall=`). */
  stallTimeoutMs?: number;
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

/** The callback the UI passes along (a Comlink proxy on the UI side). */
export type ProgressListener = (progress: LoadProgress) => void;

/** One loaded model version. */
export interface ServingModel {
  id: string;
  version: string;
  task: TaskId;
  bytes: number;
  sha256: string;
  /**
   * Where the bytes came from: the IndexedDB cache, the registry (then stored), the registry
   * without being stored (`memory`: browser storage blocked or full; downloaded again next visit),
   * or a model file being tried (`local`, bytes handed over by the page).
   */
  origin: 'cache' | 'registry' | 'memory' | 'local';
  /** The model host worker holding the session ("host-2"). */
  host: string;
  /** Session create time (ms). */
  compileMs: number;
  /** Duration of the warm-up run (ms); 0 until warmed. */
  warmupMs: number;
  /**
   * The runtime and backend the session runs on ("onnxruntime-web 1.30.0 wasm"): a probe passed
   * under one is not taken for another (see {@link ProbeReport.runtime}).
   */
  runtime?: string;
}

/** What the worker runs on and which model versions serve. */
export interface EngineInfo {
  backend: Backend;
  threads: number;
  crossOriginIsolated: boolean;
  runtimeVersion: string;
  /** Serving models by id. */
  models: Record<string, ServingModel>;
  /** Model host workers alive (each holds its own WebAssembly runtime). */
  hosts: number;
  /** Time to load the serving models of the first staged set (ms; fetch, verify, compile). */
  loadMs: number;
  /** One full pipeline run on the probe image after the first load (ms); null until warmed or if it could not run. */
  pipelineWarmupMs: number | null;
}

/** Model versions loaded together in one host, off the hot path; they serve only after {@link WorkerApi.flip}. */
export interface StagedSet {
  /** Names the set in probe/warmUp/flip/drain/release. */
  key: string;
  models: Record<string, ServingModel>;
  /** Load time of the set (ms). */
  loadMs: number;
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
  /** The runtime and backend the probe ran on: a pass is remembered for this one only. */
  runtime?: string;
}

/** Per-stage times of one analysis (ms, measured in the worker): `decode`, `total`, and `<feature>.<stage>`. */
export type AnalysisTimings = Record<string, number>;

/** A staged (not flipped) session to run in shadow of the serving one for model `id`. */
export interface ShadowTarget {
  /** The staged set holding the candidate (from {@link WorkerApi.stage}). */
  key: string;
  id: string;
}

/** The candidate's side of a shadow run on one image. */
export interface ShadowRun {
  /** The staged candidate it ran. */
  id: string;
  version: string;
  /** Results of the features using the model, with the candidate in place of the serving session. */
  results: Partial<FeatureResults>;
  /** Time the compared model's runs took on this image (ms): the serving session's and the candidate's. */
  modelMs: { serving: number; candidate: number };
  /** The candidate analysis, pre- and post-processing included (ms): what shadowing added to this image. */
  totalMs: number;
  /** Why the candidate produced no result (its analysis failed); `results` is then empty. */
  error?: string;
}

/** A shadow run on an image the page does not hold (the candidate's probe image). */
export interface ShadowPair {
  /** The serving version's results of the same features, and the versions that produced them. */
  serving: Partial<FeatureResults>;
  models: Record<string, string>;
  shadow: ShadowRun;
}

/** What to run on an image. */
export interface AnalyzeOptions {
  /** Feature ids (`faces`, …); each must have its models serving. */
  features: readonly string[];
  /** A photo batch opened with {@link WorkerApi.openBatch}: its photos use one set of versions. */
  batch?: string;
  /** Also run the features using `shadow.id` with that staged candidate, on the same pixels. */
  shadow?: ShadowTarget;
  /**
   * Frames only: the pixel buffer of a picture the page has drawn (a {@link FrameResult}'s frame),
   * transferred back so the worker writes the next pictures into it instead of new memory.
   */
  reuse?: ArrayBuffer;
  /**
   * Webcam frames only: follow each feature's result from frame to frame with its tracker, so its
   * models run on a schedule instead of on every frame (default true; a frame with `shadow` runs
   * every model). False runs every model on every frame.
   */
  tracking?: boolean;
}

/** The result for one photo. */
export interface PhotoResult {
  annotation: ImageAnnotation;
  /** Side lengths the models saw (smaller than the original when it was downscaled). */
  inferenceWidth: number;
  inferenceHeight: number;
  timings: AnalysisTimings;
  /** The candidate's side, when the options asked for a shadow run. */
  shadow?: ShadowRun;
}

/**
 * The result for one webcam frame; `frame` is the picture that was analysed (its pixels, or the
 * bitmap that was sent), transferred back so the boxes are drawn on exactly that frame.
 */
export type FrameResult<Shown = unknown> = {
  frame: Shown;
  width: number;
  height: number;
  models: Record<string, string>;
  timings: AnalysisTimings;
  /** The candidate's side, when the options asked for a shadow run. */
  shadow?: ShadowRun;
} & Partial<FeatureResults>;

/** The inference worker's API. Every method is async across the boundary. */
export interface WorkerApi<Frame extends FrameLike = FrameLike, Photo extends PhotoLike = PhotoLike, Shown = unknown> {
  /**
   * Starts the first model host and its runtime (WASM compile, threads) before any version is
   * known, so a tab's start overlaps it with reading the manifest.
   */
  prepare(options: EngineOptions): Promise<void>;
  /**
   * The compat check's file half: problems of the stored file of `spec` against its task contract
   * and the manifest's declaration, read in a model host (never on the page's thread); `[]`
   * when they are fine or the bytes cannot be read yet ({@link stage} checks them again).
   */
  fileProblems(spec: ModelSpec): Promise<string[]>;
  /**
   * Loads versions in a model host off the hot path: bytes from IndexedDB (else the registry:
   * verified, then stored), checks against the task contract, session creation. The first set
   * goes to the prepared host; later sets to a new host, so serving runs never wait on a compile.
   */
  stage(models: ModelSpec[], onProgress?: ProgressListener): Promise<StagedSet>;
  /** Runs a staged model's probe and compares with the manifest's expected outputs. */
  probe(key: string, id: string): Promise<ProbeReport>;
  /** One dummy run per staged model and one run of each feature that uses them, so the first real analysis is as fast as the rest. */
  warmUp(key: string, onProgress?: ProgressListener): Promise<StagedSet>;
  /**
   * Makes a staged set's models serve from the next analysis on (atomically, between two
   * analyses). Returns the key of the sessions it replaced (to drain and release), or null.
   */
  flip(key: string): Promise<string | null>;
  /** Stops serving these model ids (their feature was turned off); returns the key of the retired sessions, or null. */
  retire(ids: readonly string[]): Promise<string | null>;
  /** Resolves when no analysis or open photo batch uses the sessions of `key` any more. */
  drain(key: string): Promise<void>;
  /** Releases the sessions of `key` (staged but rejected, or drained after a flip); hosts left empty end. */
  release(key: string): Promise<void>;
  /** Current engine state; throws EngineNotReadyError before anything serves. */
  info(): Promise<EngineInfo>;
  /** Pins the serving versions for a photo batch; returns its id (close it with {@link closeBatch}). */
  openBatch(): Promise<string>;
  /** Lets swaps retire the sessions a batch used. */
  closeBatch(batch: string): Promise<void>;
  /** Decodes and annotates one photo; `fileName` becomes `annotation.file`. */
  analyzePhoto(photo: Photo, fileName: string, options: AnalyzeOptions): Promise<PhotoResult>;
  /** Annotates one webcam frame (transfer it); the picture analysed comes back in the result. */
  analyzeFrame(frame: Frame, options: AnalyzeOptions): Promise<FrameResult<Shown>>;
  /**
   * Runs the serving features that use `shadow.id` on the candidate's probe image, once with the
   * serving sessions and once with the staged candidate (a shadow comparison without a camera).
   */
  shadowProbe(shadow: ShadowTarget, features: readonly string[]): Promise<ShadowPair>;
  /** Ends every model host; the worker can then be terminated. */
  dispose(): Promise<void>;
}
