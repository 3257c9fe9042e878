/**
 * @file The typed in-page API `window.hotlens`, for tests, benchmarks and curious users. Types
 * only, DOM-free, so Playwright specs (type-checked against Node) can import them.
 */
import type { ImageAnnotation } from '../shared/face-results.ts';

/** Serving state of one model id (rollout fields are filled by the hot-swap issue). */
export interface ModelStatus {
  active: string | null;
  previous: string | null;
  stage: 'loading' | 'serving' | 'error';
  channel: 'stable' | 'canary';
  pinned: string | null;
}

/** One update-log entry (empty until the hot-swap issue). */
export interface LogEntry {
  at: string;
  id: string;
  version: string;
  stage: string;
  outcome: string;
}

/** `window.hotlens.status()`. */
export interface HotlensStatus {
  ready: boolean;
  backend: 'wasm' | 'webgpu' | null;
  threads: number | null;
  models: Record<string, ModelStatus>;
  frames: { processed: number; dropped: number; errors: number };
  log: LogEntry[];
  /** Engine or camera error shown to the user, by error name (null when none). */
  error: { engine: string | null; camera: string | null };
}

/** Startup and webcam figures, for benchmarks (ms; null until measured). */
export interface HotlensMetrics {
  /** Page navigation start → models loaded and warmed up. */
  readyMs: number | null;
  /** Page navigation start → first annotated webcam frame. */
  firstFrameMs: number | null;
  /** Worker time of the first webcam frame (vs the steady-state p50: shows the warm-up). */
  firstFrameInferenceMs: number | null;
  /** Worker times of the first five webcam frames. */
  earlyInferenceMs: number[];
  /** Worker-side time to load the models (fetch, verify, compile, warm up). */
  loadMs: number | null;
  /** Full pipeline run on the probe image at load (null: it could not run). */
  pipelineWarmupMs: number | null;
  compileMs: Record<string, number>;
  warmupMs: Record<string, number>;
  webcam: {
    fps: number;
    p50: number | null;
    p95: number | null;
    samples: number;
    /** Median worker time per stage (decodeMs, detectMs, attributesMs, expressionMs). */
    stagesP50: Record<string, number | null>;
    /** Stage times of the first annotated frame. */
    firstStages: Record<string, number> | null;
  };
  crossOriginIsolated: boolean;
}

/** The in-page API. */
export interface HotlensApi {
  status(): HotlensStatus;
  /** Resolves when the models are loaded and warmed up; rejects with the load error. */
  ready(): Promise<HotlensStatus>;
  /**
   * Annotations of the latest PHOTO batch, in the order the files were given (failed files are
   * left out; they are error cards). Webcam results are not included.
   */
  lastResults(): ImageAnnotation[];
  metrics(): HotlensMetrics;
}
