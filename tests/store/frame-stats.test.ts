/**
 * @file HUD statistics: nearest-rank percentiles, annotated and camera FPS over the window, the
 * annotated share of camera frames, the detector's share of frames, per-stage medians, pruning old
 * samples.
 */
import { describe, expect, it } from 'vitest';
import {
  addSample,
  percentile,
  stageMedians,
  summarize,
  type DeliverySample,
  type FrameSample,
} from '../../src/store/frame-stats.ts';

function steady(fps: number, seconds: number, ms: (i: number) => number): FrameSample[] {
  let samples: FrameSample[] = [];
  const step = 1000 / fps;
  for (let i = 0; i < fps * seconds; i++) {
    samples = addSample(samples, { at: 1000 + i * step, inferenceMs: ms(i), roundTripMs: ms(i) + 2 });
  }
  return samples;
}

/** Camera deliveries at `fps` for `seconds`, one callback per `perCallback` frames (coalesced). */
function camera(fps: number, seconds: number, perCallback = 1, start = 1000): DeliverySample[] {
  let deliveries: DeliverySample[] = [];
  const step = (1000 * perCallback) / fps;
  for (let i = 0; i < (fps * seconds) / perCallback; i++)
    deliveries = addSample(deliveries, { at: start + i * step, frames: i === 0 ? 1 : perCallback });
  return deliveries;
}

type Stages = Record<string, number>;

/** Annotated frames at `fps` for `seconds`; `stages(i)` gives each one's stage times. */
function staged(fps: number, seconds: number, stages: (i: number) => Stages | undefined) {
  let samples: FrameSample[] = [];
  for (let i = 0; i < fps * seconds; i++) {
    const at = 1000 + (i * 1000) / fps;
    const s = stages(i);
    samples = addSample(samples, { at, inferenceMs: 20, roundTripMs: 22, ...(s ? { stages: s } : {}) });
  }
  return samples;
}

describe('percentile', () => {
  it('uses nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted order
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('summarize', () => {
  it('reports the frame rate and percentiles of the last 5 s only', () => {
    // 10 s at 10 fps: the first 5 s took 200 ms per frame, the last 5 s 20..29 ms.
    const samples = steady(10, 10, (i) => (i < 50 ? 200 : 20 + (i % 10)));
    const now = samples.at(-1)!.at;
    const s = summarize(samples, now);
    expect(s.count).toBe(50);
    expect(s.fps).toBeCloseTo(10, 5);
    expect(s.p50).toBe(24);
    expect(s.p95).toBe(29);
  });

  it('is empty when no frame arrived within the window', () => {
    const samples = steady(10, 1, () => 30);
    expect(summarize(samples, samples.at(-1)!.at + 6000, camera(30, 1))).toEqual({
      fps: 0,
      p50: null,
      p95: null,
      count: 0,
      cameraFps: 0,
      annotatedRatio: null,
      detectorShare: null,
    });
  });

  it('reports the camera frame rate of the last 5 s, counting coalesced frames', () => {
    const now = 1000 + 10_000;
    expect(summarize([], now, camera(30, 10)).cameraFps).toBeCloseTo(30, 5);
    // Three frames per callback (the page was busy): the same camera rate, not a third of it.
    expect(summarize([], now, camera(30, 10, 3)).cameraFps).toBeCloseTo(30, 5);
    // Frames the first callback of the window stands for arrived before it: a burst there (a tab
    // back from the background) does not inflate the rate.
    const back = [{ at: now - 2000, frames: 600 }, ...camera(15, 2, 1, now - 2000 + 1000 / 15)];
    expect(summarize([], now, back).cameraFps).toBeCloseTo(15, 5);
    // Without delivery data (or one callback only) the camera rate is 0 and the ratio unknown.
    expect(summarize([], now)).toMatchObject({ cameraFps: 0, annotatedRatio: null });
    expect(summarize([], now, [{ at: now, frames: 1 }])).toMatchObject({ cameraFps: 0, annotatedRatio: null });
  });

  it('reports the annotated share of the camera frames', () => {
    const samples = steady(15, 10, () => 40);
    const now = samples.at(-1)!.at;
    const half = summarize(samples, now, camera(30, 10));
    expect(half.fps).toBeCloseTo(15, 5);
    expect(half.cameraFps).toBeCloseTo(30, 5);
    expect(half.annotatedRatio).toBeCloseTo(0.5, 5);
    // Every frame annotated: 100%, never above it (timing jitter between the two series).
    expect(summarize(samples, now, camera(15, 10)).annotatedRatio).toBeCloseTo(1, 5);
    expect(summarize(samples, now, camera(14.5, 10)).annotatedRatio).toBe(1);
    // The camera runs but no frame was annotated in the window.
    expect(summarize(samples, now + 6000, camera(30, 20)).annotatedRatio).toBe(0);
  });

  it('reports the share of annotated frames on which the detector ran', () => {
    // Tracking: the detector runs on every fourth frame (the window holds 40 frames: 10 detected).
    const tracked = staged(8, 10, (i): Stages =>
      i % 4 === 0 ? { decode: 1, 'faces.detect': 8, 'faces.attributes': 5 } : { decode: 1, 'faces.track': 2 },
    );
    expect(summarize(tracked, tracked.at(-1)!.at).detectorShare).toBeCloseTo(0.25, 5);
    const always = staged(10, 2, () => ({ decode: 1, 'faces.detect': 8 }));
    expect(summarize(always, always.at(-1)!.at).detectorShare).toBe(1);
    // Any feature's detector counts (`objects.detect`); a bare `detect` or `detector` key does not.
    const keys = staged(
      10,
      1,
      (i) => ([{ 'objects.detect': 3 }, { detect: 3 }, { 'faces.detector': 3 }] as Stages[])[i % 3],
    );
    expect(summarize(keys, keys.at(-1)!.at).detectorShare).toBeCloseTo(4 / 10, 5);
  });

  it('leaves the detector share unknown without stage times, and counts only frames that have them', () => {
    const none = staged(10, 2, () => undefined);
    expect(summarize(none, none.at(-1)!.at).detectorShare).toBeNull();
    const empty = staged(10, 2, () => ({}));
    expect(summarize(empty, empty.at(-1)!.at).detectorShare).toBeNull();
    const some = staged(10, 1, (i): Stages | undefined =>
      i < 6 ? undefined : i < 8 ? { 'faces.detect': 8 } : { 'faces.track': 2 },
    );
    expect(summarize(some, some.at(-1)!.at).detectorShare).toBe(0.5);
  });
});

describe('stageMedians', () => {
  it('takes each stage’s median over the frames that ran it', () => {
    const samples = staged(10, 2, (i): Stages =>
      i % 2 === 0 ? { decode: 1, 'faces.detect': 10 + i } : { decode: 3, 'faces.track': 2 },
    );
    const medians = stageMedians(samples, samples.at(-1)!.at);
    expect(medians).toEqual({ decode: 1, 'faces.detect': 18, 'faces.track': 2 });
  });
});

describe('addSample', () => {
  it('drops samples older than the window', () => {
    const samples = steady(10, 10, () => 30);
    expect(samples.length).toBe(50);
    expect(samples[0]!.at).toBeGreaterThan(samples.at(-1)!.at - 5000);
  });

  it('keeps camera deliveries to the window too', () => {
    const deliveries = camera(30, 10);
    expect(deliveries.length).toBe(150);
    expect(deliveries[0]!.at).toBeGreaterThan(deliveries.at(-1)!.at - 5000);
  });
});
