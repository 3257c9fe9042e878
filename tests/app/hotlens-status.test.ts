/**
 * @file window.hotlens.status() built from the store: loading, serving versions and rollout
 * fields, storage state, frame counters and load failures by error name.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { appStore, resetAppStore } from '../../src/store/app-store.ts';
import { engineFailed, engineLoading, engineReady } from '../../src/store/engine-slice.ts';
import { frameDropped, frameFailed, frameProcessed, framesDelivered } from '../../src/store/camera-slice.ts';
import { statusFrom } from '../../src/app/hotlens-status.ts';
import { modelsState } from '../../src/store/models-slice.ts';
import { ModelIntegrityError } from '../../src/shared/errors.ts';
import type { EngineInfo } from '../../src/shared/worker-api.ts';

const info: EngineInfo = {
  backend: 'wasm',
  threads: 2,
  crossOriginIsolated: true,
  runtimeVersion: '1.30.0',
  hosts: 1,
  loadMs: 900,
  pipelineWarmupMs: 40,
  models: {
    'face-detector': {
      id: 'face-detector',
      version: '1.0.0',
      task: 'face-detection',
      bytes: 1,
      sha256: 'a',
      origin: 'cache',
      host: 'host-1',
      compileMs: 1,
      warmupMs: 1,
    },
  },
};

beforeEach(() => resetAppStore());

describe('status()', () => {
  it('reports loading, then the serving versions; rollout fields come from the model manager', () => {
    engineLoading(0);
    const loading = statusFrom(appStore.getState());
    expect(loading.ready).toBe(false);
    expect(Object.keys(loading.models)).toEqual([
      'face-detector',
      'face-attributes',
      'face-expression',
      'object-detector',
      'image-classifier',
    ]);
    expect(loading.models['face-detector']).toMatchObject({ active: null, stage: 'loading', channel: 'stable' });
    engineReady(info, 10);
    const s = statusFrom(appStore.getState());
    expect(s).toMatchObject({ ready: true, backend: 'wasm', threads: 2, log: [] });
    expect(s.models['face-detector']).toMatchObject({ active: '1.0.0', previous: null, pinned: null });
    expect(s.updates).toEqual({
      registryUrl: null,
      serial: null,
      manifestProblem: null,
      pollIntervalMs: null,
      registryRefused: null,
      updater: 'none',
      shellUpdate: false,
    });
  });

  it('reports whether the device keeps the models, with the manager’s reason', () => {
    expect(statusFrom(appStore.getState()).storage).toEqual({ state: 'ok', reason: null });
    const manager = {
      installId: null,
      manifest: null,
      manifestProblem: null,
      registryProblem: null,
      control: { models: {}, pins: {}, bad: [] },
      plans: {},
      serving: {},
      stages: {},
    };
    const reason = 'IndexedDB cannot be opened (UnknownError: The user denied permission to access the database.)';
    modelsState({ ...manager, storage: { state: 'unavailable', reason } });
    expect(statusFrom(appStore.getState()).storage).toEqual({ state: 'unavailable', reason });
    modelsState({ ...manager, storage: { state: 'ok' } });
    expect(statusFrom(appStore.getState()).storage).toEqual({ state: 'ok', reason: null });
  });

  it('counts delivered, processed, dropped and failed frames', () => {
    const gen1 = { 'face-detector': '1.0.0', 'face-attributes': '1.0.0' };
    framesDelivered(1, 0);
    framesDelivered(3, 1); // two frames presented between callbacks
    framesDelivered(1, 2);
    frameProcessed({ at: 1, inferenceMs: 10, roundTripMs: 12 }, '1 face', {}, '', gen1);
    frameProcessed({ at: 2, inferenceMs: 10, roundTripMs: 12 }, '1 face', {}, '', gen1);
    frameProcessed({ at: 3, inferenceMs: 10, roundTripMs: 12 }, '1 face', {}, '', {
      'face-attributes': '2.0.0',
      'face-detector': '3.0.0',
    });
    frameDropped();
    frameFailed();
    expect(statusFrom(appStore.getState()).frames).toEqual({
      delivered: 5,
      processed: 3,
      dropped: 1,
      errors: 1,
      byModels: {
        'face-attributes@1.0.0 face-detector@1.0.0': 2,
        'face-attributes@2.0.0 face-detector@3.0.0': 1,
      },
    });
    expect(statusFrom(appStore.getState()).features).toEqual({ selected: ['faces'], serving: [] });
    expect(appStore.getState().camera.firstFrameAt).toBe(1);
    expect(appStore.getState().camera.deliveries).toEqual([
      { at: 0, frames: 1 },
      { at: 1, frames: 3 },
      { at: 2, frames: 1 },
    ]);
  });

  it('exposes a load failure by error name', () => {
    engineFailed(new ModelIntegrityError('face-detector@1.0.0', 'SHA-256 mismatch'));
    const s = statusFrom(appStore.getState());
    expect(s.error.engine).toBe('ModelIntegrityError');
    expect(s.models['face-detector']!.stage).toBe('error');
  });
});
