/**
 * @file What the model manager tells the UI: a snapshot of everything a Models panel or
 * `window.hotlens.status()` shows (manifest, control state, plans, what this tab serves, the
 * stage each model is in) and the events between snapshots. Plain data, so the store can keep
 * it as is and tests can compare it.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import type { StageStatus, UpdateLogRecord, VersionRef } from '../../shared/update-messages.ts';
import type { EngineInfo } from '../../shared/worker-api.ts';
import type { ControlState } from '../common/model-state.ts';
import type { ModelPlan } from '../common/version-policy.ts';

/** Where one model's update stands in this tab. */
export interface StageInfo {
  /** `loading` until the first worker serves; `error` if it could not start. */
  stage: StageStatus | 'loading' | 'error';
  /** The version the stage is about (the candidate, or the serving one when idle). */
  version: string | null;
  /** Download progress while `downloading`. */
  progress: { loaded: number; total: number } | null;
  /** Why, for `rejected` and failed updates. */
  reason: string | null;
  /** Wall time the stage was entered (ms since the epoch). */
  since: number;
}

/**
 * Whether this device keeps the models: `unavailable` when IndexedDB cannot be used at all
 * (models come from the network on every visit, no offline use), `full` when a version could
 * not be saved even after evicting unused ones (what serves keeps serving, from memory).
 */
export type StorageStatus = { state: 'ok' } | { state: 'unavailable' | 'full'; reason: string };

/** Everything the UI shows about models, at one moment. */
export interface ManagerState {
  installId: string | null;
  /** The accepted manifest of the configured registry (null before the first one). */
  manifest: Manifest | null;
  /** The last refusal of a newer manifest, if any (shown as an alert). */
  manifestProblem: string | null;
  /** Why the last poll could not reach the registry (offline, HTTP error); null once it answers again. */
  registryProblem: string | null;
  control: ControlState;
  plans: Record<string, ModelPlan>;
  /** What this tab's serving worker runs. */
  serving: Record<string, VersionRef>;
  stages: Record<string, StageInfo>;
  storage: StorageStatus;
}

/** Changes the UI reacts to between snapshots. */
export type ManagerEvent =
  | { type: 'state'; state: ManagerState }
  | { type: 'log'; records: UpdateLogRecord[] }
  /** A new worker serves (start-up, swap or rollback): the engine info to show. */
  | { type: 'serving'; info: EngineInfo }
  /** Something worth telling a screen-reader user. */
  | { type: 'notice'; text: string };
