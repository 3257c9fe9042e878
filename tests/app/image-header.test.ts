/**
 * @file Image sniffing: format and size from the first bytes, checked against sharp's own
 * metadata for real files (the face-api samples and images sharp encodes).
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, readImageHeader } from '../../src/inference/worker/image-header.ts';

const SAMPLES = [1, 2, 3, 4, 5, 6].map((i) => `node_modules/@vladmandic/face-api/demo/sample${i}.jpg`);

describe('readImageHeader', () => {
  it.each(SAMPLES)('reads the size of %s like sharp does', async (path) => {
    const bytes = readFileSync(path);
    const meta = await sharp(bytes).metadata();
    expect(readImageHeader(bytes.subarray(0, HEADER_BYTES))).toEqual({
      format: 'JPEG',
      width: meta.width,
      height: meta.height,
    });
  });

  it.each([
    ['png', 'PNG'],
    ['webp', 'WebP'],
    ['gif', 'GIF'],
  ] as const)('reads %s files encoded by sharp', async (ext, format) => {
    const bytes = await sharp({ create: { width: 37, height: 23, channels: 3, background: '#336699' } })
      .toFormat(ext)
      .toBuffer();
    expect(readImageHeader(bytes)).toEqual({ format, width: 37, height: 23 });
  });

  it('still recognises a truncated JPEG (decoding is what fails, not sniffing)', () => {
    const bytes = readFileSync(SAMPLES[0]!);
    expect(readImageHeader(bytes.subarray(0, 2000))?.format).toBe('JPEG');
  });

  it('rejects text, empty input and a lone JPEG marker', () => {
    expect(readImageHeader(new TextEncoder().encode('hello, I am not a photo'))).toBeNull();
    expect(readImageHeader(new Uint8Array(0))).toBeNull();
    expect(readImageHeader(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});
