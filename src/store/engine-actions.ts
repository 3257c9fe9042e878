/**
 * @file Starts the inference engine at app start: the model manager picks the versions of the
 * chosen features' models (from IndexedDB when cached, else the registry), the worker verifies,
 * compiles, probes and warms them up, reporting progress into the engine slice.
 */
import { inferenceClient } from '../inference/client/inference-client.ts';
import type { EngineInfo } from '../shared/worker-api.ts';
import { appStore } from './app-store.ts';
import { engineFailed, engineLoading, engineProgress, engineReady } from './engine-slice.ts';
import { featuresServing } from './features-actions.ts';
import { announce } from './ui-slice.ts';
import type { AppSettings } from './app-settings.ts';
import { modelManager } from './update-actions.ts';

let lastSettings: AppSettings | null = null;

/** Loads the models of the chosen features (a failed load can be retried by calling again). */
export async function startEngine(settings: AppSettings): Promise<EngineInfo | null> {
  lastSettings = settings;
  engineLoading(performance.now());
  const features = appStore.getState().features.selected;
  try {
    const manager = modelManager(settings);
    let info = await manager.start(features, engineProgress);
    // The user may have changed the picker while the first models loaded.
    const chosen = appStore.getState().features.selected;
    if (chosen.join() !== features.join()) info = await manager.setFeatures(chosen, engineProgress);
    featuresServing(chosen);
    engineReady(info, performance.now());
    announce(
      `Models ready on ${info.backend.toUpperCase()} with ${info.threads} thread${info.threads > 1 ? 's' : ''}.`,
    );
    return info;
  } catch (err) {
    engineFailed(err);
    // Photos dropped while loading would otherwise wait for models that are not coming.
    inferenceClient.failWaiting(err);
    return null;
  }
}

/** Drops the worker and loads everything again (the "Retry" button after a failure). */
export async function restartEngine(): Promise<EngineInfo | null> {
  if (!lastSettings) throw new Error('restartEngine() needs a previous startEngine(settings)');
  await inferenceClient.terminate();
  return startEngine(lastSettings);
}
