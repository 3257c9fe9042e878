/**
 * @file The log of annotated webcam frames behind `window.hotlens.frameTimes()`: every frame's
 * time and versions in order, a `since` filter, and a bound that keeps the newest frames.
 */
import { describe, expect, it } from 'vitest';
import { annotatedFrames, FrameTimeLog } from '../../src/store/frame-times.ts';
import { frameProcessed } from '../../src/store/camera-slice.ts';

const A = 'face-detector@1.0.0';
const B = 'face-detector@1.0.1';

describe('FrameTimeLog', () => {
  it('gives every frame, oldest first, with the versions that annotated it', () => {
    const log = new FrameTimeLog(10);
    log.record(100, A);
    log.record(167, A);
    log.record(233, B);
    expect(log.since()).toEqual([
      { at: 100, models: A },
      { at: 167, models: A },
      { at: 233, models: B },
    ]);
  });

  it('gives only the frames drawn after `since`', () => {
    const log = new FrameTimeLog(10);
    for (const at of [100, 167, 233, 300]) log.record(at, A);
    expect(log.since(167).map((f) => f.at)).toEqual([233, 300]);
    expect(log.since(300)).toEqual([]);
  });

  it('keeps the newest frames once full, still in order', () => {
    const log = new FrameTimeLog(3);
    for (let i = 1; i <= 7; i++) log.record(i * 10, i < 6 ? A : B);
    expect(log.since()).toEqual([
      { at: 50, models: A },
      { at: 60, models: B },
      { at: 70, models: B },
    ]);
  });

  it('starts empty again when cleared', () => {
    const log = new FrameTimeLog(3);
    log.record(1, A);
    log.clear();
    expect(log.since()).toEqual([]);
    log.record(2, B);
    expect(log.since()).toEqual([{ at: 2, models: B }]);
  });
});

describe('frameProcessed', () => {
  it('logs the frame with the wall-clock time and the sorted key of its versions', () => {
    const before = Date.now();
    frameProcessed({ at: 1, inferenceMs: 3, roundTripMs: 4 }, '', {}, '', {
      'face-expression': '1.0.0',
      'face-detector': '1.0.1',
    });
    const [frame] = annotatedFrames.since(before - 1);
    expect(frame!.models).toBe('face-detector@1.0.1 face-expression@1.0.0');
    expect(frame!.at).toBeGreaterThanOrEqual(before);
    expect(frame!.at).toBeLessThanOrEqual(Date.now());
  });
});
