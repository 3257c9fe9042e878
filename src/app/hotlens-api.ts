/**
 * @file The typed in-page API `window.hotlens`, for tests, benchmarks and curious users. Types
 * only, DOM-free, so Playwright specs (type-checked against Node) can import them.
 */
import type { ShadowReport } from '../shared/compare/report.ts';
import type { ImageAnnotation } from '../shared/results.ts';
import type { AnnotatedFrameTime } from '../store/frame-times.ts';
import type { CheckSummary, ModelChannel, StageStatus, UpdateLogRecord } from '../shared/update-messages.ts';

/** Where a model's update stands in this tab: a swap stage, or loading/error before it serves. */
export type ModelStage = StageStatus | 'loading' | 'error';

/** Serving and rollout state of one model id. */
export interface ModelStatus {
  /** The version this tab serves (null until loaded). */
  active: string | null;
  /** The version before it on this device, kept for an offline rollback. */
  previous: string | null;
  stage: ModelStage;
  /** The rollout this model follows here. */
  channel: ModelChannel;
  pinned: string | null;
  /** The version the update policy wants (differs from `active` while an update is under way). */
  target: string | null;
  /** The version the current stage is about. */
  stageVersion: string | null;
  /** Download progress while `downloading`. */
  progress: { loaded: number; total: number } | null;
  /** Why, when the stage is `rejected` or an update failed. */
  reason: string | null;
  /** This install's canary bucket (0..99) for the model. */
  bucket: number | null;
  /** Every version the manifest lists. */
  versions: string[];
  /** A model file the user chose for this id on this device (channel `local`): its name and sha256. */
  local: { name: string; sha256: string } | null;
}

export type { AnnotatedFrameTime };

/** `window.hotlens.status()`. */
export interface HotlensStatus {
  ready: boolean;
  backend: 'wasm' | 'webgpu' | null;
  threads: number | null;
  models: Record<string, ModelStatus>;
  /**
   * Webcam frame counters since the page loaded. `delivered`: camera frames that reached the frame
   * loop (the increase of the video's `presentedFrames`, so frames the browser presented between
   * two callbacks count too; one per callback where the browser gives no count); `processed`:
   * frames annotated; `dropped`: frames skipped because one was still in flight; `errors`: failed
   * analyses. `byModels` counts annotated frames by the model versions that produced them: key
   * "id@version id@version …" (sorted), e.g. to prove a group swap never mixed generations.
   */
  frames: { delivered: number; processed: number; dropped: number; errors: number; byModels: Record<string, number> };
  /** Features chosen (picker or `?features=`) and those whose models serve now. */
  features: { selected: string[]; serving: string[] };
  /** The update log, oldest first (time, model, version, stage, outcome, reason, durations). */
  log: UpdateLogRecord[];
  /** Engine or camera error shown to the user, by error name (null when none). */
  error: { engine: string | null; camera: string | null };
  /** The registry followed and the update machinery's state. */
  updates: {
    registryUrl: string | null;
    /** Serial of the accepted manifest. */
    serial: number | null;
    /** Why the registry's current manifest was refused (null when it was not); the accepted one stays in force. */
    manifestProblem: string | null;
    pollIntervalMs: number | null;
    /** A `?registry=` this visit's link named that the build does not allow (ignored: the app's own registry serves). */
    registryRefused: string | null;
    /** `active`: a service worker polls and downloads; `none`: checks run in the page on demand. */
    updater: 'none' | 'starting' | 'active' | 'failed';
    /** A new app shell waits for the user's "Reload". */
    shellUpdate: boolean;
  };
  /**
   * Whether models are kept on this device: `unavailable` (IndexedDB blocked: they come from the
   * network every visit), `full` (a version could not be saved; what serves keeps serving), with why.
   */
  storage: { state: 'ok' | 'unavailable' | 'full'; reason: string | null };
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
  /** Worker-side time to load the models (fetch, verify, compile). */
  loadMs: number | null;
  /** Full pipeline run on the probe image at load (null: it could not run). */
  pipelineWarmupMs: number | null;
  compileMs: Record<string, number>;
  warmupMs: Record<string, number>;
  webcam: {
    /** Annotated frames per second over the last 5 s. */
    fps: number;
    p50: number | null;
    p95: number | null;
    /** Annotated frames in the window. */
    samples: number;
    /** Camera frames delivered per second over the window. */
    cameraFps: number;
    /** Annotated ÷ delivered frames over the window (0..1; null while the camera rate is unknown). */
    annotatedRatio: number | null;
    /**
     * Share of the window's annotated frames on which a detector ran (a stage `….detect`) rather
     * than tracking alone (0..1; null when no frame reported stage times).
     */
    detectorShare: number | null;
    /** Median worker time per stage (`decode`, `faces.detect`, `faces.attributes`, …). */
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
  /**
   * Webcam frames annotated after `since` (epoch ms; every frame kept when omitted), oldest
   * first: when each was drawn (`Date.now()`, the update log's clock) and the model versions that
   * annotated it. The last FRAME_TIMES_KEPT (18,000) frames are kept.
   */
  frameTimes(since?: number): AnnotatedFrameTime[];
  /** Asks the registry for new model versions now; resolves when the check (and any download) is done. */
  checkForUpdates(): Promise<CheckSummary>;
  /**
   * Rolls a model back to its previous version from the device's cache (no network). When its
   * version belongs to a group (models that change together), the group's members go back with
   * it in one step, and `group` lists each member's from/to (absent for a model without a group).
   */
  rollback(id: string): Promise<{ from: string; to: string; group?: Record<string, { from: string; to: string }> }>;
  /** Pins a model to a version (it stays there across published updates); null unpins. */
  pin(id: string, version: string | null): Promise<void>;
  /** The live comparison of the model file being tried (Models panel) with the serving version; null when none. */
  trialReport(): ShadowReport | null;
}
