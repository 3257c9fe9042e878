/**
 * @file Image sniffing: format and size from the first bytes, checked against sharp's own
 * metadata for real files (the face-api samples and images sharp encodes).
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  HEADER_BYTES,
  JPEG_SCAN_BYTES,
  readImageHeader,
  readImageHeaderFrom,
} from '../../../src/inference/worker/image-header.ts';
import { MAX_PIXELS } from '../../../src/shared/pipeline/limits.ts';
import { jpegWithLateSof, SVG } from '../../helpers/jpeg-fixtures.ts';

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

/** The parts, end to end. */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** A maximal APP2 segment (65,537 bytes): what a large ICC profile is split into. */
function app2(): Uint8Array {
  const segment = new Uint8Array(2 + 65535).fill(0x20);
  segment.set([0xff, 0xe2, 0xff, 0xff]);
  return segment;
}

/** Reads a file the way the worker reads a dropped photo (Blob slices), counting the bytes read. */
function blobReader(bytes: Uint8Array) {
  const blob = new Blob([new Uint8Array(bytes)]);
  const counted = { bytes: 0, reads: 0 };
  const read = async (start: number, end: number) => {
    const part = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    counted.bytes += part.length;
    counted.reads += 1;
    return part;
  };
  return { read, size: blob.size, counted };
}

describe('readImageHeaderFrom (what the worker checks before decoding a photo)', () => {
  it('finds the size of a JPEG whose frame header lies past the first 64 KB, reading little more', async () => {
    const bytes = await jpegWithLateSof(30_000, 30_000);
    // The first 64 KB alone do not say: that is how such a file used to slip past the pixel limit.
    expect(readImageHeader(bytes.subarray(0, HEADER_BYTES))).toEqual({ format: 'JPEG', width: null, height: null });
    const file = blobReader(bytes);
    const header = await readImageHeaderFrom(file.read, file.size);
    expect(header).toEqual({ format: 'JPEG', width: 30_000, height: 30_000 });
    expect(header!.width! * header!.height!).toBeGreaterThan(MAX_PIXELS); // → FileTooLargeError, not "corrupt"
    expect(file.counted.bytes).toBeLessThan(HEADER_BYTES + 8 * 1024);
  });

  it('walks many metadata segments (an ICC profile split over APP2 segments) without reading them', async () => {
    const late = await jpegWithLateSof(640, 480);
    // 40 more maximal segments after the first: SOF about 2.7 MB into the file.
    const bytes = concat([late.subarray(0, 2), ...Array<Uint8Array>(40).fill(app2()), late.subarray(2)]);
    const file = blobReader(bytes);
    expect(await readImageHeaderFrom(file.read, file.size)).toEqual({ format: 'JPEG', width: 640, height: 480 });
    expect(file.counted.reads).toBeLessThan(50);
    expect(file.counted.bytes).toBeLessThan(HEADER_BYTES + 50 * 4096);
  });

  it('gives up (size unknown) past JPEG_SCAN_BYTES or at data that is not a segment, never reading the whole file', async () => {
    expect(JPEG_SCAN_BYTES).toBe(8 * 1024 * 1024);
    const late = await jpegWithLateSof(640, 480);
    const many = Math.ceil(JPEG_SCAN_BYTES / app2().length) + 2;
    const bytes = concat([late.subarray(0, 2), ...Array<Uint8Array>(many).fill(app2()), late.subarray(2)]);
    const file = blobReader(bytes);
    expect(await readImageHeaderFrom(file.read, file.size)).toEqual({ format: 'JPEG', width: null, height: null });
    expect(file.counted.bytes).toBeLessThan(HEADER_BYTES + many * 4096);
    const garbage = new Uint8Array(200_000).fill(0x41);
    garbage.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
    const junk = blobReader(garbage);
    expect(await readImageHeaderFrom(junk.read, junk.size)).toEqual({ format: 'JPEG', width: null, height: null });
    expect(junk.counted.reads).toBe(1);
  });

  it('reads only the first bytes of other formats and of small JPEGs', async () => {
    const png = await sharp({ create: { width: 37, height: 23, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const file = blobReader(png);
    expect(await readImageHeaderFrom(file.read, file.size)).toEqual({ format: 'PNG', width: 37, height: 23 });
    expect(file.counted.reads).toBe(1);
    const sample = blobReader(readFileSync(SAMPLES[0]!));
    expect((await readImageHeaderFrom(sample.read, sample.size))?.width).toBe(1920);
    expect(sample.counted.reads).toBe(1);
  });

  it('refuses SVG like any other non-raster file (the photo pipeline never rasterises vector images)', async () => {
    expect(readImageHeader(SVG)).toBeNull();
    const file = blobReader(SVG);
    expect(await readImageHeaderFrom(file.read, file.size)).toBeNull();
  });
});
