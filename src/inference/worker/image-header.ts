/**
 * @file Reads an image's format and pixel size from its first bytes, before decoding. It tells
 * "not an image at all" (a text file renamed .jpg) from "an image that fails to decode"
 * (truncated), and rejects images too large to decode before the browser allocates them.
 * Only raster formats are recognised (an SVG is "not an image" here, as in `npm run annotate`).
 * A JPEG's size sits in its frame header (SOF), after any metadata segments (EXIF, ICC
 * profiles, XMP), which can push it past the first 64 KB: {@link readImageHeaderFrom} then walks
 * on from segment header to segment header, reading a few KB per hop, never the segments.
 * Pure byte parsing: no DOM, no worker globals (unit-tested in Node).
 */

/** Formats Chromium's `createImageBitmap` decodes. */
export type ImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'BMP' | 'AVIF';

/** What the header says; `width`/`height` are null when the header does not state them (yet). */
export interface ImageHeader {
  format: ImageFormat;
  width: number | null;
  height: number | null;
}

/** How many leading bytes {@link readImageHeader} needs at most for common files. */
export const HEADER_BYTES = 64 * 1024;

function ascii(b: Uint8Array, at: number, len: number): string {
  return String.fromCharCode(...b.subarray(at, at + len));
}

/** Where a walk over JPEG segments ended: the frame size, where the bytes ran out, or not JPEG segments. */
type JpegWalk = { width: number; height: number } | { next: number } | null;

/**
 * Walks JPEG segments from offset `start` of `b`: the size at the first SOF marker, `{ next }`
 * (the offset of the segment header the bytes end before), or null when the bytes are not a
 * sequence of segments (e.g. entropy-coded data after SOS: no SOF came before the scan).
 */
function walkJpeg(b: Uint8Array, start: number): JpegWalk {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = start;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + view.getUint16(i + 2);
  }
  return { next: i };
}

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  const walk = walkJpeg(b, 2);
  return walk && 'width' in walk ? walk : null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30) {
    const w = 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16));
    const h = 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16));
    return { width: w, height: h };
  }
  if (chunk === 'VP8 ' && b.length >= 30) {
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = view.getUint32(21, true);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  return null;
}

/** Identifies the image format from magic bytes; null when the bytes are not a known image. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const b = bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sized = (format: ImageFormat, size: { width: number; height: number } | null): ImageHeader => ({
    format,
    width: size?.width ?? null,
    height: size?.height ?? null,
  });
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return sized('JPEG', jpegSize(b));
  if (b.length >= 8 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') {
    return sized('PNG', b.length >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : null);
  }
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return sized('GIF', b.length >= 10 ? { width: view.getUint16(6, true), height: view.getUint16(8, true) } : null);
  }
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return sized('WebP', webpSize(b));
  if (b.length >= 26 && ascii(b, 0, 2) === 'BM') {
    return sized('BMP', { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) });
  }
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp' && ['avif', 'avis'].includes(ascii(b, 8, 4))) {
    return sized('AVIF', null);
  }
  return null;
}

/** Reads bytes `start` to `end` (exclusive) of a file, e.g. by slicing a Blob. */
export type ByteReader = (start: number, end: number) => Promise<Uint8Array>;

/**
 * How far into a JPEG {@link readImageHeaderFrom} looks for the frame header (8 MiB): far past
 * any real metadata (a large ICC profile is a few hundred KB), and a bound on what a crafted
 * file can make it read. Past it the size stays unknown and the decoder decides.
 */
export const JPEG_SCAN_BYTES = 8 * 1024 * 1024;

/** Bytes read per hop while walking JPEG segment headers. */
const JPEG_WINDOW = 4096;

/**
 * {@link readImageHeader} of a whole file of `size` bytes, read through `read`: the first
 * {@link HEADER_BYTES}, and for a JPEG whose frame header lies further, the segment headers
 * up to it (at most {@link JPEG_SCAN_BYTES} in, a few KB per segment).
 */
export async function readImageHeaderFrom(read: ByteReader, size: number): Promise<ImageHeader | null> {
  const head = await read(0, Math.min(size, HEADER_BYTES));
  const header = readImageHeader(head);
  if (header?.format !== 'JPEG' || header.width !== null) return header;
  let walk = walkJpeg(head, 2);
  let base = 0;
  const limit = Math.min(size, JPEG_SCAN_BYTES);
  // Each hop starts at a segment header and moves on by at least a window (or a segment).
  while (walk !== null && 'next' in walk) {
    const at = base + walk.next;
    if (at + 10 > limit) break;
    base = at;
    walk = walkJpeg(await read(at, Math.min(size, at + JPEG_WINDOW)), 0);
  }
  return walk && 'width' in walk ? { ...header, width: walk.width, height: walk.height } : header;
}
