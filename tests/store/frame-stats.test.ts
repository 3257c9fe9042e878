/**
 * @file HUD statistics: nearest-rank percentiles, FPS over the window, pruning old samples.
 */
import { describe, expect, it } from 'vitest';
import { addSample, percentile, summarize, type FrameSample } from '../../src/store/frame-stats.ts';

function steady(fps: number, seconds: number, ms: (i: number) => number): FrameSample[] {
  let samples: FrameSample[] = [];
  const step = 1000 / fps;
  for (let i = 0; i < fps * seconds; i++) {
    samples = addSample(samples, { at: 1000 + i * step, inferenceMs: ms(i), roundTripMs: ms(i) + 2 });
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
    expect(summarize(samples, samples.at(-1)!.at + 6000)).toEqual({ fps: 0, p50: null, p95: null, count: 0 });
  });
});

describe('addSample', () => {
  it('drops samples older than the window', () => {
    const samples = steady(10, 10, () => 30);
    expect(samples.length).toBe(50);
    expect(samples[0]!.at).toBeGreaterThan(samples.at(-1)!.at - 5000);
  });
});
