/**
 * @file The load progress summary the model-loading banner shows.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { appStore, resetAppStore } from '../../src/store/app-store.ts';
import { engineProgress, loadSummary } from '../../src/store/engine-slice.ts';

beforeEach(() => resetAppStore());

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
