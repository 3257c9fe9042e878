/**
 * @file Builds `window.hotlens.status()` from a store snapshot. Pure (unit-tested in Node).
 * Rollout fields (previous, channel, pinned, log) are fixed until the hot-swap issue fills them.
 */
import type { AppState } from '../store/types.ts';
import type { HotlensStatus, ModelStatus } from './hotlens-api.ts';

const MODEL_IDS = ['face-detector', 'face-attributes', 'face-expression'];

/** The status object from a state snapshot. */
export function statusFrom(state: AppState): HotlensStatus {
  const { engine, camera } = state;
  const models: Record<string, ModelStatus> = {};
  const ids = engine.info ? Object.keys(engine.info.models) : MODEL_IDS;
  for (const id of ids) {
    const m = engine.info?.models[id];
    models[id] = {
      active: m?.version ?? null,
      previous: null,
      stage: m ? 'serving' : engine.phase === 'error' ? 'error' : 'loading',
      channel: 'stable',
      pinned: null,
    };
  }
  return {
    ready: engine.phase === 'ready',
    backend: engine.info?.backend ?? null,
    threads: engine.info?.threads ?? null,
    models,
    frames: { ...camera.frames },
    log: [],
    error: { engine: engine.error?.name ?? null, camera: camera.error?.name ?? null },
  };
}
