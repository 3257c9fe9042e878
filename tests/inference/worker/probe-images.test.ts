/**
 * @file The pipeline worker's decoded probe images: one decode per image however many swaps and
 * concurrent callers ask for it, the least recently used dropped past the limit, and a failed
 * read or decode never kept (the next swap tries again).
 */
import { describe, expect, it } from 'vitest';
import type { DecodedImage } from '../../../src/inference/worker/decode.ts';
import { ProbeImages } from '../../../src/inference/worker/probe-images.ts';

const ref = (n: number) => ({ image: `probe/${n}.png`, sha256: `${n}`.repeat(64).slice(0, 64), bytes: 10 + n });
const image = (n: number): DecodedImage => ({
  image: { width: n, height: 1, channels: 4, data: new Uint8ClampedArray(n * 4) },
  width: n,
  height: 1,
  scaleToOriginal: 1,
});

describe('ProbeImages', () => {
  it('decodes an image once for concurrent and later callers', async () => {
    let decodes = 0;
    const images = new ProbeImages(async (r) => (decodes++, image(r.bytes)));
    const [a, b] = await Promise.all([images.get(ref(1)), images.get(ref(1))]);
    expect(a).toBe(b);
    expect(await images.get(ref(1))).toBe(a);
    expect(decodes).toBe(1);
  });

  it('keeps the most recently used images up to its limit', async () => {
    const decoded: number[] = [];
    const images = new ProbeImages(async (r) => (decoded.push(r.bytes), image(r.bytes)), 2);
    await images.get(ref(1));
    await images.get(ref(2));
    await images.get(ref(1)); // 1 is now the most recent
    await images.get(ref(3)); // drops 2
    expect(images.size).toBe(2);
    await images.get(ref(1));
    await images.get(ref(2));
    expect(decoded).toEqual([11, 12, 13, 12]);
  });

  it('does not keep a failed decode', async () => {
    let fail = true;
    const images = new ProbeImages(async (r) => {
      if (fail) throw new Error('not a PNG');
      return image(r.bytes);
    });
    await expect(images.get(ref(1))).rejects.toThrow('not a PNG');
    expect(images.size).toBe(0);
    fail = false;
    expect((await images.get(ref(1))).width).toBe(11);
  });
});
