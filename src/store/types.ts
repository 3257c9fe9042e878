/**
 * @file The app state's shape, one interface per slice. Plain data only (plus the dropped
 * Blobs, kept so a result can be re-drawn and exported), so `window.hotlens.status()` and tests
 * can read it as is.
 */
import type { ShadowReport } from '../shared/compare/report.ts';
import type { ImageAnnotation } from '../shared/results.ts';
import type { CheckSummary, UpdateLogRecord } from '../shared/update-messages.ts';
import type { ManagerState } from '../models/page/manager-types.ts';
import type { EngineInfo, LoadProgress, PhotoResult } from '../shared/worker-api.ts';
import type { DeliverySample, FrameSample } from './frame-stats.ts';

/** An error as the UI shows it: `name` from errors.ts, a short title, the actionable message. */
export interface UserError {
  name: string;
  title: string;
  message: string;
}

/** Model loading in the worker. */
export interface EngineSlice {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  /** The latest progress event per step key (e.g. "download:face-detector"). */
  steps: Record<string, LoadProgress>;
  info: EngineInfo | null;
  error: UserError | null;
  /** performance.now() when loading started / finished. */
  startedAt: number | null;
  readyAt: number | null;
}

/** The webcam and its frame loop. */
export interface CameraSlice {
  phase: 'off' | 'starting' | 'on' | 'error';
  error: UserError | null;
  /**
   * Frame counters. `delivered`: camera frames that reached the frame loop (from the video's
   * `presentedFrames`, so frames presented between two callbacks count too); `processed`: frames
   * annotated; `dropped`: frames skipped because one was in flight; `errors`: failed analyses.
   * `byModels` counts annotated frames by the model versions that produced them (key: their
   * sorted "id@version" joined by spaces), so a swap's consistency is observable.
   */
  frames: { delivered: number; processed: number; dropped: number; errors: number; byModels: Record<string, number> };
  /** Recent annotated frames (pruned to the HUD window). */
  samples: FrameSample[];
  /** Recent camera-frame deliveries (pruned to the HUD window). */
  deliveries: DeliverySample[];
  /** performance.now() of the first annotated frame since the page loaded. */
  firstFrameAt: number | null;
  /** Worker time of the first frames (compare with the steady-state p50: warm-up works). */
  earlyInferenceMs: number[];
  /** Stage times of that first frame. */
  firstStages: Record<string, number> | null;
  /** One-line summary per feature of the latest annotated frame (HUD caption). */
  summary: Record<string, string>;
  /** What the latest frame found, e.g. "2 annotated faces" (the overlay's accessible name). */
  found: string;
  video: { width: number; height: number } | null;
}

/** One dropped or picked file. */
export interface PhotoItem {
  id: string;
  /** Order in which files were given (increasing across batches). */
  seq: number;
  name: string;
  size: number;
  file: Blob;
  batch: number;
  status: 'queued' | 'running' | 'done' | 'error';
  result: PhotoResult | null;
  error: UserError | null;
}

/** The photo gallery and the batch being processed. */
export interface PhotosSlice {
  items: PhotoItem[];
  /** The batch in progress or last finished: `done` of `total` files settled. */
  batch: { id: number; done: number; total: number; running: boolean } | null;
  /** Annotations of the latest batch, in the order the files were given (errors excluded). */
  lastResults: ImageAnnotation[];
}

/** Model versions, updates and the app shell's own updates. */
export interface ModelsSlice {
  /** The model manager's latest snapshot (null until it has read the cache). */
  manager: ManagerState | null;
  /** The update log: stored entries at start, then live ones, oldest first. */
  log: UpdateLogRecord[];
  /** Registry folder in use and the poll interval asked of the service worker. */
  registryUrl: string | null;
  pollIntervalMs: number | null;
  /** The `?registry=` of this visit's link when it was refused (not allowed by the build); null when none was. */
  registryRefused: string | null;
  /** `none`: no service worker (dev, unsupported, blocked); updates are checked by the page on demand. */
  updater: 'none' | 'starting' | 'active' | 'failed';
  /** A check the user started is running. */
  checking: boolean;
  lastCheck: (CheckSummary & { at: number }) | null;
  /** A new app shell is installed and waits for the user's "Reload". */
  shellUpdate: boolean;
}

/** Which features run (faces, objects, …). */
export interface FeaturesSlice {
  /** Features the user chose (the picker, remembered; `?features=` for one visit). */
  selected: string[];
  /** Features whose models serve now: what photos and webcam frames run. */
  serving: string[];
  /** Models of a newly chosen feature are loading. */
  changing: boolean;
  /** Why the URL's feature list was refused or a feature's models could not load (null: fine). */
  problem: string | null;
}

/** Which view shows, and what the screen reader hears next. */
export interface UiSlice {
  tab: 'webcam' | 'photos' | 'models';
  announcement: { text: string; seq: number };
}

/** A model file being tried from the Models panel (trial-actions.ts). */
export interface TrialSlice {
  /** `checking`: read and checked; `ready`: staged and compared in shadow; `using`: swapping it in. */
  phase: 'idle' | 'checking' | 'rejected' | 'ready' | 'using';
  file: { name: string; bytes: number; sha256: string | null; labelsFile: string | null } | null;
  /** The model id it would replace (proposed by task; the user may change it) and the ids it fits. */
  id: string | null;
  version: string | null;
  task: string | null;
  choices: Array<{ id: string; task: string; fits: boolean }>;
  /** Where its labels came from. */
  labelsFrom: 'none' | 'metadata' | 'sidecar' | 'replaced' | null;
  /** Why it was refused: one sentence. */
  problem: string | null;
  /** The live comparison with the serving version. */
  report: ShadowReport | null;
  /** Draw the candidate's boxes dashed on the webcam. */
  showCandidate: boolean;
}

/** The trial slice with no file being tried (the show-candidate toggle is the user's and kept). */
export const IDLE_TRIAL: Omit<TrialSlice, 'showCandidate'> = {
  phase: 'idle',
  file: null,
  id: null,
  version: null,
  task: null,
  choices: [],
  labelsFrom: null,
  problem: null,
  report: null,
};

/** The whole app state. */
export interface AppState {
  engine: EngineSlice;
  camera: CameraSlice;
  photos: PhotosSlice;
  models: ModelsSlice;
  features: FeaturesSlice;
  ui: UiSlice;
  trial: TrialSlice;
}
