/** @file Constructed JPEG files for the decompression-bomb checks. */
import sharp from 'sharp';

/**
 * A real 16×16 JPEG with one maximal APP15 segment (65,537 bytes) inserted after SOI, so its
 * frame header (SOF) starts past the first 64 KB, and with that SOF claiming `width`×`height`.
 */
export async function jpegWithLateSof(width: number, height: number): Promise<Uint8Array> {
  const small = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
  const app = Buffer.alloc(2 + 65535, 0x20);
  app.set([0xff, 0xef], 0);
  app.writeUInt16BE(65535, 2);
  const out = Buffer.concat([small.subarray(0, 2), app, small.subarray(2)]);
  for (let i = 2; i + 9 < out.length; i += 2 + out.readUInt16BE(i + 2)) {
    const marker = out[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return new Uint8Array(out);
    }
  }
  throw new Error('no SOF in the JPEG sharp wrote');
}

/** A small, valid SVG document. */
export const SVG = new TextEncoder().encode(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="red"/></svg>',
);
