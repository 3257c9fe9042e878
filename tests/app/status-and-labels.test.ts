/**
 * @file window.hotlens.status() built from the store, load progress summary, thread choice,
 * and the words drawn for faces.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { appStore, resetAppStore } from '../../src/store/app-store.ts';
import { engineFailed, engineLoading, engineProgress, engineReady, loadSummary } from '../../src/store/engine-slice.ts';
import { frameDropped, frameFailed, frameProcessed } from '../../src/store/camera-slice.ts';
import { statusFrom } from '../../src/app/hotlens-status.ts';
import { modelsState } from '../../src/store/models-slice.ts';
import { faceDescription, faceLabel, LOW_QUALITY_LABEL } from '../../src/app/draw/face-label.ts';
import { wasmThreads } from '../../src/inference/worker/threads.ts';
import { ModelIntegrityError } from '../../src/shared/errors.ts';
import type { EngineInfo } from '../../src/shared/worker-api.ts';
import type { FaceAnnotation } from '../../src/shared/face-results.ts';

const info: EngineInfo = {
  backend: 'wasm',
  threads: 2,
  crossOriginIsolated: true,
  runtimeVersion: '1.30.0',
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
    expect(Object.keys(loading.models)).toEqual(['face-detector', 'face-attributes', 'face-expression']);
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

  it('counts processed, dropped and failed frames', () => {
    frameProcessed({ at: 1, inferenceMs: 10, roundTripMs: 12 }, 1);
    frameProcessed({ at: 2, inferenceMs: 10, roundTripMs: 12 }, 1);
    frameDropped();
    frameFailed();
    expect(statusFrom(appStore.getState()).frames).toEqual({ processed: 2, dropped: 1, errors: 1 });
    expect(appStore.getState().camera.firstFrameAt).toBe(1);
  });

  it('exposes a load failure by error name', () => {
    engineFailed(new ModelIntegrityError('face-detector@1.0.0', 'SHA-256 mismatch'));
    const s = statusFrom(appStore.getState());
    expect(s.error.engine).toBe('ModelIntegrityError');
    expect(s.models['face-detector']!.stage).toBe('error');
  });
});

describe('loadSummary', () => {
  it('grows with downloads and warm-ups and is complete only when ready', () => {
    engineProgress({ status: 'download', id: 'face-detector', version: '1.0.0', loaded: 50, total: 100 });
    const half = loadSummary(appStore.getState().engine.steps);
    expect(half.fraction).toBeCloseTo(0.25 / 3);
    expect(half.label).toBe('Downloading face-detector 1.0.0…');
    engineProgress({ status: 'download', id: 'face-detector', version: '1.0.0', loaded: 100, total: 100 });
    engineProgress({ status: 'compile', id: 'face-detector', version: '1.0.0' });
    engineProgress({ status: 'warmup', id: 'face-detector', version: '1.0.0' });
    expect(loadSummary(appStore.getState().engine.steps).fraction).toBeCloseTo(1 / 3);
    engineProgress({ status: 'ready', ms: 5 });
    expect(loadSummary(appStore.getState().engine.steps)).toEqual({ fraction: 1, label: 'Ready' });
  });
});

describe('wasmThreads', () => {
  it('uses 2 threads from 4 cores when isolated, 1 below and when not isolated', () => {
    expect(wasmThreads(undefined, true, 8)).toBe(2);
    expect(wasmThreads(undefined, true, 4)).toBe(2);
    expect(wasmThreads(undefined, true, 2)).toBe(1);
    expect(wasmThreads(undefined, true, 1)).toBe(1);
    expect(wasmThreads(undefined, false, 8)).toBe(1);
  });
  it('honours a requested count, clamped to the cores', () => {
    expect(wasmThreads(4, true, 2)).toBe(2);
    expect(wasmThreads(2, true, 2)).toBe(2);
    expect(wasmThreads(1, true, 8)).toBe(1);
    expect(wasmThreads(0, true, 2)).toBe(1);
    expect(wasmThreads(2, false, 8)).toBe(1);
  });
});

describe('face labels', () => {
  const good: FaceAnnotation = {
    box: { x: 1, y: 2, width: 30, height: 40 },
    score: 0.934,
    age: 31.26,
    gender: 'female',
    genderProbability: 0.9712,
    expression: { label: 'happy', probability: 0.88 },
  };
  const small: FaceAnnotation = {
    ...good,
    age: null,
    gender: null,
    genderProbability: null,
    expression: null,
    quality: 'too-small',
  };

  it('labels estimated faces briefly and describes them fully', () => {
    expect(faceLabel(good, 0)).toBe('1 · female 31 · happy');
    expect(faceDescription(good, 0)).toBe('Face 1: age 31.3, female (97%), happy (88%), detection score 0.93.');
  });

  it('says a low-quality face was not estimated', () => {
    expect(faceLabel(small, 1)).toBe(`2 · ${LOW_QUALITY_LABEL}`);
    expect(LOW_QUALITY_LABEL).toBe('face — too small/blurred to estimate');
    expect(faceDescription(small, 1)).toMatch(/too small to estimate/);
  });
});
