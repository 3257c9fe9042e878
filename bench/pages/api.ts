/**
 * @file The contract between the bench runner (Node, Playwright) and the bench pages: what
 * each page exposes on `window` and the plain data that crosses. Types only and DOM-free, so
 * both sides type-check against it.
 */
import type { Preprocess, WeightEncoding } from '../../src/shared/manifest-types.ts';

/** One model file to time (a registry variant). */
export interface ModelCase {
  /** Registry id, e.g. "face-detector". */
  id: string;
  version: string;
  /** "416-uint8", "112-float32"... */
  variant: string;
  task: string;
  encoding: WeightEncoding;
  size: number;
  /** How a whole photo becomes the input of a whole-image model (the manifest's fit and resize). */
  preprocess: Pick<Preprocess, 'fit' | 'resize'>;
  /** Absolute URL of the blob. */
  url: string;
  bytes: number;
  /** Batch sizes to time (detectors: [1]). */
  batches: number[];
}

/** What the models page is asked to do. */
export interface ModelsRunConfig {
  cases: ModelCase[];
  /** One fresh worker per entry: 'wasm' with N threads, or 'webgpu'. */
  runtimes: { ep: 'wasm' | 'webgpu'; threads: number }[];
  warmupRuns: number;
  timedRuns: number;
  /** Sample photo URLs: detector input and the source of real face crops. */
  photos: string[];
  /** The detector used to find faces for the crop batches (a case in `cases`). */
  cropDetector: { url: string; size: number };
}

/** Timings of one case at one batch size on one runtime. */
export interface ModelTiming {
  id: string;
  version: string;
  variant: string;
  encoding: WeightEncoding;
  size: number;
  batch: number;
  ep: 'wasm' | 'webgpu';
  threads: number;
  bytes: number;
  /** Download time in the worker (HTTP cache disabled by the runner). */
  fetchMs: number;
  /** InferenceSession.create (the runtime itself was already initialised). */
  createMs: number;
  /** Timed runs after the warm-up runs (ms each). */
  runMs: number[];
  /** Why this case produced no timings. */
  error?: string;
}

/** What one fresh worker is asked to time. */
export interface RuntimeJob {
  ep: 'wasm' | 'webgpu';
  threads: number;
  cases: ModelCase[];
  warmupRuns: number;
  timedRuns: number;
  photos: string[];
  cropDetector: { url: string; size: number };
}

/** The serving models and photos for a stage-by-stage pipeline timing. */
export interface BreakdownJob {
  threads: number;
  detector: { url: string; size: number };
  attributesUrl: string;
  expressionUrl: string;
  photos: string[];
  rounds: number;
}

/** Stage times of the hotlens pipeline (ms per photo, every photo × round). */
export interface BreakdownResult {
  threads: number;
  stages: Record<string, number[]>;
  /** Faces per photo (good faces, i.e. those the attribute nets saw). */
  faces: number[];
}

/** The models worker (Comlink). */
export interface ModelsWorkerApi {
  run(job: RuntimeJob): Promise<RuntimeResult>;
  breakdown(job: BreakdownJob): Promise<BreakdownResult>;
}

/** One worker's results. */
export interface RuntimeResult {
  ep: 'wasm' | 'webgpu';
  threads: number;
  /** First session create in a fresh worker: wasm compile + thread start-up + a tiny session. */
  runtimeInitMs: number;
  timings: ModelTiming[];
  /** Distinct real faces found for the crop batches (batches repeat them when fewer than asked). */
  distinctFaces: number;
  error?: string;
}

/** What the WebGPU probe found. */
export interface GpuProbe {
  available: boolean;
  reason: string;
  adapter?: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean };
}

/** The models page's answer. */
export interface ModelsRunResult {
  crossOriginIsolated: boolean;
  ortVersion: string;
  hardwareConcurrency: number;
  webgpu: GpuProbe;
  runtimes: RuntimeResult[];
}

/** `window.benchModels` on bench/pages/models.html. */
export interface BenchModelsApi {
  probeGpu(): Promise<GpuProbe>;
  run(config: ModelsRunConfig): Promise<ModelsRunResult>;
  /** One fresh worker per job. */
  breakdown(jobs: BreakdownJob[]): Promise<(BreakdownResult | { threads: number; error: string })[]>;
}

/** How the face-api page starts TF.js. */
export interface FaceApiInit {
  backend: 'wasm' | 'webgl';
  /** WASM threads (ignored by webgl). */
  threads: number;
  modelUrl: string;
  wasmUrl: string;
  /** Tiny detector input size (the same detector hotlens serves). */
  inputSize: number;
  scoreThreshold: number;
}

/** What TF.js ended up running on. */
export interface FaceApiInfo {
  backend: string;
  tfjs: string;
  faceApi: string;
  /** WASM threads TF.js uses (null on webgl). */
  threads: number | null;
  crossOriginIsolated: boolean;
  /** WebGL renderer string (SwiftShader = software). */
  renderer: string | null;
  loadMs: number;
}

/** One face as face-api reports it. */
export interface FaceApiFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  age: number;
  gender: string;
  expression: string;
}

/** One photo through face-api. */
export interface FaceApiRun {
  /** Blob → pixels (createImageBitmap + canvas draw). */
  decodeMs: number;
  /** detectAllFaces(...).withAgeAndGender().withFaceExpressions(). */
  detectMs: number;
  totalMs: number;
  faces: FaceApiFace[];
}

/** `window.benchFaceApi` on bench/pages/faceapi.html. */
export interface BenchFaceApiApi {
  init(options: FaceApiInit): Promise<FaceApiInfo>;
  /** Fetches the photos once (not timed). */
  preload(urls: string[]): Promise<void>;
  analyse(url: string): Promise<FaceApiRun>;
}

/** How the TF.js peers page starts. */
export interface PeerInit {
  wasmUrl: string;
  /** WASM threads (TF.js caps them at hardwareConcurrency / 2). */
  threads: number;
  /** URL of Human's models/centernet.json. */
  centernetUrl: string;
}

/** What the peers page ended up running on. */
export interface PeerInfo {
  backend: string;
  tfjs: string;
  threads: number;
  crossOriginIsolated: boolean;
  centernetLoadMs: number;
  nsfwjsLoadMs: number;
}

/** One photo through Human's centernet path. */
export interface PeerObjectRun {
  decodeMs: number;
  inferMs: number;
  totalMs: number;
  /** Boxes x1, y1, x2, y2 normalised to the input, as Human's boxRaw corners. */
  objects: { box: number[]; score: number; cls: number }[];
}

/** One photo through nsfwjs's classify. */
export interface PeerClassRun {
  decodeMs: number;
  inferMs: number;
  totalMs: number;
  classes: { label: string; probability: number }[];
}

/** `window.benchPeers` on bench/pages/tfjs-peers.html. */
export interface BenchPeersApi {
  init(options: PeerInit): Promise<PeerInfo>;
  preload(urls: string[]): Promise<void>;
  objects(url: string): Promise<PeerObjectRun>;
  classify(url: string): Promise<PeerClassRun>;
}

/** How the Human page starts Human (bench/pages/human). */
export interface HumanInit {
  /** URL of Human's browser ESM build as the package ships it (dist/human.esm.js, TF.js inside). */
  humanUrl: string;
  /** TF.js wasm binaries (the version Human bundles: 4.22). */
  wasmUrl: string;
  /** Human's models/ directory (blazeface, faceres, emotion). */
  modelBaseUrl: string;
  /** WASM threads (TF.js caps them at hardwareConcurrency / 2). */
  threads: number;
}

/** What Human ended up running on. */
export interface HumanInfo {
  human: string;
  tfjs: string;
  backend: string;
  threads: number;
  crossOriginIsolated: boolean;
  /** Graph models Human loaded (expected: blazeface, faceres, emotion). */
  models: string[];
  /** The face options Human runs with (detector maxDetected, which face models are on). */
  face: { maxDetected: number; enabled: string[] };
  loadMs: number;
}

/** One face as Human reports it. */
export interface HumanFaceResult {
  /** `face.box`: x, y, width, height in pixels. */
  box: number[];
  score: number;
  age: number | null;
  gender: string | null;
  /** Human's top emotion (null when none passed its minConfidence). */
  emotion: string | null;
}

/** One photo through Human. */
export interface HumanFaceRun {
  /** Blob → canvas (createImageBitmap + draw). */
  decodeMs: number;
  /** `human.detect(canvas)`. */
  detectMs: number;
  totalMs: number;
  faces: HumanFaceResult[];
}

/** `window.benchHuman` on bench/pages/human.html. */
export interface BenchHumanApi {
  init(options: HumanInit): Promise<HumanInfo>;
  preload(urls: string[]): Promise<void>;
  faces(url: string): Promise<HumanFaceRun>;
}
