/**
 * @file The one app store (zustand vanilla, so actions and `window.hotlens` work outside
 * React). Slices are updated only through the action modules next to this file.
 */
import { createStore } from 'zustand/vanilla';
import { DEFAULT_FEATURES } from '../shared/feature-set.ts';
import { IDLE_TRIAL, type AppState } from './types.ts';

/** A fresh state: nothing loaded, camera off, empty gallery. */
export function initialState(): AppState {
  return {
    engine: { phase: 'idle', steps: {}, info: null, error: null, startedAt: null, readyAt: null },
    camera: {
      phase: 'off',
      error: null,
      frames: { delivered: 0, processed: 0, dropped: 0, errors: 0, byModels: {} },
      samples: [],
      deliveries: [],
      firstFrameAt: null,
      earlyInferenceMs: [],
      firstStages: null,
      summary: {},
      found: '',
      video: null,
    },
    photos: { items: [], batch: null, lastResults: [] },
    models: {
      manager: null,
      log: [],
      registryUrl: null,
      pollIntervalMs: null,
      registryRefused: null,
      updater: 'none',
      checking: false,
      lastCheck: null,
      shellUpdate: false,
    },
    features: { selected: [...DEFAULT_FEATURES], serving: [], changing: false, problem: null },
    ui: { tab: 'photos', announcement: { text: '', seq: 0 } },
    trial: {
      ...IDLE_TRIAL,
      showCandidate: false,
    },
  };
}

/** The app store. */
export const appStore = createStore<AppState>()(initialState);

/** Puts the store back to its initial state (tests). */
export function resetAppStore(): void {
  appStore.setState(initialState(), true);
}

function patch<K extends keyof AppState>(key: K, update: (slice: AppState[K]) => Partial<AppState[K]>): void {
  appStore.setState((s) => ({ [key]: { ...s[key], ...update(s[key]) } }) as Pick<AppState, K>);
}

/** Merges `update(slice)` into one slice (per-slice helpers keep literal types narrow). */
type Updater<T> = (slice: T) => Partial<T>;

/** Updates the engine slice. */
export const patchEngine = (u: Updater<AppState['engine']>): void => patch('engine', u);
/** Updates the camera slice. */
export const patchCamera = (u: Updater<AppState['camera']>): void => patch('camera', u);
/** Updates the photos slice. */
export const patchPhotos = (u: Updater<AppState['photos']>): void => patch('photos', u);
/** Updates the models slice. */
export const patchModels = (u: Updater<AppState['models']>): void => patch('models', u);
/** Updates the features slice. */
export const patchFeatures = (u: Updater<AppState['features']>): void => patch('features', u);
/** Updates the UI slice. */
export const patchUi = (u: Updater<AppState['ui']>): void => patch('ui', u);
/** Updates the trial slice (a model file being tried). */
export const patchTrial = (u: Updater<AppState['trial']>): void => patch('trial', u);
