import { closeSync, openSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImageFile, decodeRgb, ImageInputError } from '../../../tools/lib/decode-image.ts';
import { areaResizeRgb } from '../../../src/shared/pipeline/area-resample.ts';
import { prepareForInference } from '../../../src/shared/pipeline/downscale.ts';
import { inferenceSize, MAX_FILE_BYTES, MAX_INFERENCE_SIDE, MAX_PIXELS } from '../../../src/shared/pipeline/limits.ts';
import { SAMPLES } from '../../helpers/samples.ts';
import { tempDir } from '../../helpers/fs.ts';
import { jpegWithLateSof, SVG } from '../../helpers/jpeg-fixtures.ts';

function pngChunk(type: string, data: Buffer): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([t, data])));
  return Buffer.concat([len, t, data, crc]);
}

/** A tiny PNG whose header claims `width`×`height` (refused before any pixel is decoded). */
function pngHeader(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('limits', () => {
  it("keeps face-api's 1920-wide samples at full size", async () => {
    for (const path of SAMPLES) {
      const meta = await sharp(path).metadata();
      expect(inferenceSize(meta.width!, meta.height!).scale, path).toBe(1);
    }
    expect(MAX_INFERENCE_SIDE).toBeGreaterThanOrEqual(1920);
  });

  it('scales the longer side to MAX_INFERENCE_SIDE', () => {
    expect(inferenceSize(6000, 4000)).toEqual({ width: 2048, height: 1365, scale: 6000 / 2048 });
    expect(inferenceSize(1000, 5000)).toEqual({ width: 410, height: 2048, scale: 5000 / 2048 });
  });
});

describe('area downscaling', () => {
  it('averages exactly and keeps flat images flat', () => {
    const img = {
      width: 4,
      height: 2,
      channels: 3 as const,
      data: Uint8Array.from([
        0, 0, 0, 100, 100, 100, 10, 20, 30, 10, 20, 30, 0, 0, 0, 100, 100, 100, 10, 20, 30, 10, 20, 30,
      ]),
    };
    expect(Array.from(areaResizeRgb(img, 2, 1).data)).toEqual([50, 50, 50, 10, 20, 30]);
    const grey = { width: 7, height: 5, channels: 4 as const, data: new Uint8Array(7 * 5 * 4).fill(77) };
    const out = areaResizeRgb(grey, 3, 2);
    expect(out.channels).toBe(3);
    expect(new Set(out.data)).toEqual(new Set([77]));
  });

  it('leaves small images untouched', () => {
    const img = { width: 10, height: 10, channels: 3 as const, data: new Uint8Array(300) };
    expect(prepareForInference(img).image).toBe(img);
    expect(prepareForInference(img).scale).toBe(1);
  });
});

describe('decodeImageFile', () => {
  const dir = tempDir();

  it('decodes the samples at full size as RGB', async () => {
    const { image, scale, original } = await decodeImageFile(SAMPLES[0]!);
    expect(original).toEqual({ width: 1920, height: 1280 });
    expect(scale).toBe(1);
    expect(image.channels).toBe(3);
    expect(image.data.length).toBe(1920 * 1280 * 3);
  });

  it("drops alpha and applies EXIF orientation (as Chromium's createImageBitmap does)", async () => {
    const path = join(dir, 'rotated.jpg');
    const base = sharp({
      create: { width: 40, height: 20, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 0.5 } },
    });
    writeFileSync(path, await base.jpeg().withMetadata({ orientation: 6 }).toBuffer());
    const { image, original } = await decodeImageFile(path);
    expect([image.width, image.height, image.channels]).toEqual([20, 40, 3]);
    expect(original).toEqual({ width: 20, height: 40 });
  });

  it('downscales photos above MAX_INFERENCE_SIDE and reports the factor', async () => {
    const path = join(dir, 'big.png');
    writeFileSync(
      path,
      await sharp({ create: { width: 4096, height: 1024, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    const { image, scale, original } = await decodeImageFile(path);
    expect(original).toEqual({ width: 4096, height: 1024 });
    expect([image.width, image.height]).toEqual([2048, 512]);
    expect(scale).toBe(2);
  });

  it.each<[string, () => Uint8Array | 'sparse' | 'late-sof', RegExp]>([
    ['an empty file', () => new Uint8Array(0), /empty \(0 bytes\)/],
    ['a text file', () => new TextEncoder().encode('hello, not an image'), /not a supported image/],
    ['a PNG header claiming 20000×20000', () => pngHeader(20_000, 20_000), /400 MP\), above the 100 MP limit/],
    [
      'a JPEG whose SOF, past the first 64 KB, claims 30000×30000',
      () => 'late-sof',
      /30000×30000 \(900 MP\), above the 100 MP limit/,
    ],
    ['an SVG (a vector image sharp would rasterise)', () => SVG, /not a supported image \(expected JPEG, PNG/],
    ['a file above MAX_FILE_BYTES', () => 'sparse', /above the 50 MiB limit/],
  ])('rejects %s', async (_name, make, message) => {
    const path = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const content = make();
    if (content === 'late-sof') writeFileSync(path, await jpegWithLateSof(30_000, 30_000));
    else if (content === 'sparse') {
      const fd = openSync(path, 'w');
      ftruncateSync(fd, MAX_FILE_BYTES + 1);
      closeSync(fd);
    } else writeFileSync(path, content);
    const err = await decodeImageFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect((err as Error).message).toMatch(message);
  });

  it.each(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const)(
    'decodes %s, one of the raster formats the message names',
    async (format) => {
      const bytes = await sharp({ create: { width: 12, height: 8, channels: 3, background: '#808080' } })
        .toFormat(format)
        .toBuffer();
      const image = await decodeRgb(new Uint8Array(bytes));
      expect([image.width, image.height, image.channels]).toEqual([12, 8, 3]);
    },
  );

  it('rejects a truncated JPEG', async () => {
    const jpeg = await sharp(SAMPLES[0]!).jpeg().toBuffer();
    const err = await decodeRgb(new Uint8Array(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect((err as Error).message).toMatch(/corrupt or truncated/);
  });

  it('rejects a missing file and a directory', async () => {
    await expect(decodeImageFile(join(dir, 'missing.jpg'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
    await expect(decodeImageFile(dir)).rejects.toThrow(/not a regular file/);
  });

  it('has a pixel limit of 100 MP', () => {
    expect(MAX_PIXELS).toBe(100_000_000);
  });
});
