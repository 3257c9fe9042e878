/**
 * @file Canary bucket hashing: FNV-1a against the published FNV test vectors, the avalanche
 * of the finaliser, and the distribution that makes "percent" mean what it says: roughly
 * p% of 10k install ids fall in a p% canary, buckets are uniform, and two models' canaries
 * are independent.
 */
import { describe, expect, it } from 'vitest';
import { canaryBucket, fmix32, fnv1a32, inCanary } from '../../../src/models/common/canary-bucket.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const sequentialIds = Array.from({ length: 10_000 }, (_, i) => `install-${i}`);
const randomIds = Array.from({ length: 10_000 }, () => crypto.randomUUID());

function share(ids: string[], model: string, percent: number): number {
  return ids.filter((id) => inCanary(canaryBucket(id, model), percent)).length / ids.length;
}

describe('canary bucket', () => {
  it('implements 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a32(utf8(''))).toBe(0x811c9dc5);
    expect(fnv1a32(utf8('a'))).toBe(0xe40c292c);
    expect(fnv1a32(utf8('foobar'))).toBe(0xbf9cf968);
  });

  it('finaliser flips about half the output bits for any one-bit input change', () => {
    let flipped = 0;
    let trials = 0;
    for (let x = 1; x < 2000; x += 7) {
      for (let bit = 0; bit < 32; bit++) {
        const d = (fmix32(x) ^ fmix32((x ^ (1 << bit)) >>> 0)) >>> 0;
        flipped += d.toString(2).split('1').length - 1;
        trials++;
      }
    }
    expect(flipped / trials).toBeGreaterThan(15);
    expect(flipped / trials).toBeLessThan(17);
  });

  it('gives a stable integer bucket in 0..99', () => {
    for (const id of randomIds.slice(0, 500)) {
      const b = canaryBucket(id, 'face-detector');
      expect(Number.isInteger(b) && b >= 0 && b <= 99).toBe(true);
      expect(canaryBucket(id, 'face-detector')).toBe(b);
    }
  });

  it.each(['sequential', 'random UUID'] as const)('puts roughly p%% of 10k %s install ids in a p%% canary', (kind) => {
    const ids = kind === 'sequential' ? sequentialIds : randomIds;
    expect(share(ids, 'face-detector', 0)).toBe(0);
    expect(share(ids, 'face-detector', 100)).toBe(1);
    for (const p of [1, 5, 10, 25, 50, 90]) {
      // ±1.5 points is ≥5 standard deviations for n = 10k at these percentages.
      expect(Math.abs(share(ids, 'face-detector', p) - p / 100)).toBeLessThan(0.015);
    }
  });

  it('spreads ids uniformly over the 100 buckets (chi-square)', () => {
    const counts = new Array<number>(100).fill(0);
    for (const id of sequentialIds) counts[canaryBucket(id, 'face-expression')]!++;
    const expected = sequentialIds.length / 100;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: mean 99, sd 14; 170 is 5 sd above the mean.
    expect(chi2).toBeLessThan(170);
  });

  it('keeps the canaries of different models independent', () => {
    const both = sequentialIds.filter(
      (id) => inCanary(canaryBucket(id, 'face-detector'), 50) && inCanary(canaryBucket(id, 'face-expression'), 50),
    ).length;
    expect(Math.abs(both / sequentialIds.length - 0.25)).toBeLessThan(0.02);
  });
});
