/**
 * @file Builds `window.hotlens.status()` from a store snapshot. Pure (unit-tested in Node).
 */
import type { AppState } from '../store/types.ts';
import { modelViews } from '../store/models-view.ts';
import type { HotlensStatus, ModelStatus } from './hotlens-api.ts';

const UNKNOWN: HotlensStatus['storage'] = { state: 'ok', reason: null };

/** The status object from a state snapshot. */
export function statusFrom(state: AppState): HotlensStatus {
  const { engine, camera, models: slice, features } = state;
  const storage = slice.manager?.storage;
  const models: Record<string, ModelStatus> = {};
  for (const view of modelViews(slice.manager)) {
    const serving = engine.info?.models[view.id];
    const failed = engine.phase === 'error' && !view.active;
    models[view.id] = {
      active: view.active ?? serving?.version ?? null,
      previous: view.previous,
      stage: failed ? 'error' : view.stage.stage,
      channel: view.channel,
      pinned: view.pinned,
      target: view.target,
      stageVersion: view.stage.version,
      progress: view.stage.progress,
      reason: view.stage.reason,
      bucket: view.bucket,
      versions: view.versions.map((v) => v.version),
      local: view.local,
    };
  }
  return {
    ready: engine.phase === 'ready',
    backend: engine.info?.backend ?? null,
    threads: engine.info?.threads ?? null,
    models,
    frames: { ...camera.frames, byModels: { ...camera.frames.byModels } },
    features: { selected: [...features.selected], serving: [...features.serving] },
    log: slice.log.map((r) => ({ ...r })),
    error: { engine: engine.error?.name ?? null, camera: camera.error?.name ?? null },
    updates: {
      registryUrl: slice.registryUrl,
      serial: slice.manager?.manifest?.serial ?? null,
      manifestProblem: slice.manager?.manifestProblem ?? null,
      pollIntervalMs: slice.pollIntervalMs,
      registryRefused: slice.registryRefused,
      updater: slice.updater,
      shellUpdate: slice.shellUpdate,
    },
    storage: storage ? { state: storage.state, reason: 'reason' in storage ? storage.reason : null } : UNKNOWN,
  };
}
