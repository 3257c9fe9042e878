/**
 * @file Installs `window.hotlens` (see hotlens-api.ts) on top of the app store and the update
 * actions.
 */
import { appStore } from '../store/app-store.ts';
import { stageMedians, summarize } from '../store/frame-stats.ts';
import { annotatedFrames } from '../store/frame-times.ts';
import type { AppState } from '../store/types.ts';
import { checkForUpdates, pinModel, rollbackModel } from '../store/update-actions.ts';
import type { HotlensApi } from './hotlens-api.ts';
import { statusFrom } from './hotlens-status.ts';

declare global {
  interface Window {
    hotlens: HotlensApi;
  }
}

/** Defines `window.hotlens`. */
export function installHotlensApi(win: Window): void {
  const api: HotlensApi = {
    status: () => statusFrom(appStore.getState()),
    ready: () =>
      new Promise((resolve, reject) => {
        const check = (s: AppState) => {
          if (s.engine.phase === 'ready') resolve(statusFrom(s));
          else if (s.engine.phase === 'error') reject(new Error(s.engine.error?.message ?? 'model loading failed'));
          else return false;
          return true;
        };
        if (check(appStore.getState())) return;
        const unsubscribe = appStore.subscribe((s) => {
          if (check(s)) unsubscribe();
        });
      }),
    lastResults: () => structuredClone(appStore.getState().photos.lastResults),
    frameTimes: (since) => annotatedFrames.since(since),
    metrics: () => {
      const { engine, camera } = appStore.getState();
      const info = engine.info;
      const per = (key: 'compileMs' | 'warmupMs') =>
        Object.fromEntries(Object.values(info?.models ?? {}).map((m) => [m.id, m[key]]));
      const now = performance.now();
      const stats = summarize(camera.samples, now, camera.deliveries);
      return {
        readyMs: engine.readyAt,
        firstFrameMs: camera.firstFrameAt,
        firstFrameInferenceMs: camera.earlyInferenceMs[0] ?? null,
        earlyInferenceMs: [...camera.earlyInferenceMs],
        loadMs: info?.loadMs ?? null,
        pipelineWarmupMs: info?.pipelineWarmupMs ?? null,
        compileMs: per('compileMs'),
        warmupMs: per('warmupMs'),
        webcam: {
          fps: stats.fps,
          p50: stats.p50,
          p95: stats.p95,
          samples: stats.count,
          cameraFps: stats.cameraFps,
          annotatedRatio: stats.annotatedRatio,
          detectorShare: stats.detectorShare,
          stagesP50: stageMedians(camera.samples, now),
          firstStages: camera.firstStages,
        },
        crossOriginIsolated: win.crossOriginIsolated,
      };
    },
    checkForUpdates: () => checkForUpdates(),
    rollback: (id) => rollbackModel(id),
    pin: (id, version) => pinModel(id, version),
    trialReport: () => structuredClone(appStore.getState().trial.report),
  };
  win.hotlens = api;
}
