/**
 * @file Turns photos (Blobs) and webcam frames (VideoFrames, or ImageBitmaps where VideoFrame
 * is missing) into {@link RgbImage}s inside the worker, so decoding never touches the UI
 * thread. Chromium's decode of a JPEG equals sharp's (checked for the face-api samples), which
 * keeps browser results equal to `npm run annotate`.
 * Inputs larger than MAX_INFERENCE_SIDE are downscaled for inference only, with the shared
 * area downscaler (the CLI uses it too, so both see identical pixels); the caller maps boxes
 * back with `scaleToOriginal`. Only huge photos (> FULL_DECODE_PIXELS), whose full RGBA copy
 * would cost hundreds of MB, are shrunk by `createImageBitmap` resizing instead: results
 * there may differ slightly from the CLI's.
 */
import type { RgbImage } from '../../shared/image.ts';
import { inferenceSize, MAX_FILE_BYTES, MAX_PIXELS } from '../../shared/pipeline/limits.ts';
import { prepareForInference } from '../../shared/pipeline/downscale.ts';
import { EmptyFileError, FileTooLargeError, ImageDecodeError, UnsupportedFileError } from '../../shared/errors.ts';
import { readImageHeaderFrom } from './image-header.ts';
import type { LiveFrame, ShownFrame } from '../common/frames.ts';
import { BufferPool } from './buffer-pool.ts';

/** Pixels for the models plus the geometry of the original. */
export interface DecodedImage {
  image: RgbImage;
  /** Original size (what boxes are reported in). */
  width: number;
  height: number;
  /** Original / inference size; 1 when not downscaled. */
  scaleToOriginal: number;
}

// premultiplyAlpha 'none' keeps PNG colour under transparent pixels exact; colour conversion
// stays default (sRGB), matching sharp, which also converts embedded profiles to sRGB.
const DECODE_OPTIONS: ImageBitmapOptions = { premultiplyAlpha: 'none' };
// A JPEG has no alpha, so premultiplying is the identity; Chromium decodes it about twice as
// fast on its default path (38 vs 70–95 ms for a 1920×1280 sample, identical pixels).
const OPAQUE_DECODE_OPTIONS: ImageBitmapOptions = {};

/** Above this many pixels, photos are resized while decoding rather than decoded in full (memory). */
export const FULL_DECODE_PIXELS = 36_000_000;

/** The size of a video frame's picture (its visible area). */
function visibleSize(frame: VideoFrame): { width: number; height: number } {
  return frame.visibleRect ?? { width: frame.displayWidth, height: frame.displayHeight };
}

/** Reads pixels out of bitmaps through one reused OffscreenCanvas, into buffers from `pool`. */
export class PixelReader {
  constructor(readonly pool = new BufferPool()) {}

  private canvas: OffscreenCanvas | null = null;
  private ctx: OffscreenCanvasRenderingContext2D | null = null;

  /** VideoFrame.copyTo with RGBA conversion fails here (older browser): stay on the canvas. */
  private copyUnsupported = typeof VideoFrame === 'undefined';

  /**
   * RGBA pixels of an opaque bitmap at its own size: copied out through a WebCodecs VideoFrame
   * (about half the time of a canvas draw + getImageData: 32 vs 60 ms for 1920×1280, identical
   * pixels), else through the canvas.
   */
  async readOpaque(source: ImageBitmap): Promise<RgbImage> {
    const { width, height } = source;
    if (!this.copyUnsupported) {
      let frame: VideoFrame | null = null;
      try {
        frame = new VideoFrame(source, { timestamp: 0 });
        const pixels = await this.copyRgba(frame);
        if (pixels && pixels.width === width && pixels.height === height) return pixels;
      } catch {
        this.copyUnsupported = true;
      } finally {
        frame?.close();
      }
    }
    return this.read(source, width, height);
  }

  /**
   * RGBA pixels of a video frame's visible area: its own conversion (a webcam's YUV to sRGB, off
   * the page's thread), else drawn through the canvas. The frame stays open.
   */
  async readVideoFrame(frame: VideoFrame): Promise<RgbImage> {
    const { width, height } = visibleSize(frame);
    if (!this.copyUnsupported) {
      try {
        const pixels = await this.copyRgba(frame);
        if (pixels) return pixels;
      } catch {
        this.copyUnsupported = true;
      }
    }
    return this.read(frame, width, height);
  }

  /** `frame.copyTo` as RGBA, or null when the copy is not of the visible size (then the canvas is used). */
  private async copyRgba(frame: VideoFrame): Promise<RgbImage | null> {
    const layout = { format: 'RGBA' as const };
    const { width, height } = visibleSize(frame);
    const length = frame.allocationSize(layout);
    if (length !== width * height * 4) return null;
    const data = this.pool.take(length);
    try {
      await frame.copyTo(data, layout);
    } catch (err) {
      this.pool.give(data.buffer);
      throw err;
    }
    return { width, height, channels: 4, data };
  }

  /** RGBA pixels of `source` drawn at `width`×`height`. */
  read(source: ImageBitmap | VideoFrame, width: number, height: number): RgbImage {
    if (!this.canvas || !this.ctx) {
      this.canvas = new OffscreenCanvas(width, height);
      const ctx = this.canvas.getContext('2d', { willReadFrequently: true, alpha: true });
      if (!ctx) throw new Error('OffscreenCanvas 2D is unavailable in this browser; update the browser.');
      this.ctx = ctx;
    }
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    } else {
      this.ctx.clearRect(0, 0, width, height);
    }
    this.ctx.imageSmoothingQuality = 'high';
    this.ctx.drawImage(source, 0, 0, width, height);
    const data = this.ctx.getImageData(0, 0, width, height).data;
    return { width, height, channels: 4, data };
  }
}

/** Validates and decodes one photo; throws the errors.ts class that says what is wrong. */
export async function decodePhoto(photo: Blob, name: string, reader: PixelReader): Promise<DecodedImage> {
  if (photo.size === 0) throw new EmptyFileError(name);
  if (photo.size > MAX_FILE_BYTES) throw FileTooLargeError.bytes(name, photo.size, MAX_FILE_BYTES);
  // The size is read from the header before decoding (a JPEG's may lie past its metadata).
  const read = async (start: number, end: number) => new Uint8Array(await photo.slice(start, end).arrayBuffer());
  const header = await readImageHeaderFrom(read, photo.size);
  if (!header) throw new UnsupportedFileError(name);
  if (header.width !== null && header.height !== null && header.width * header.height > MAX_PIXELS) {
    throw FileTooLargeError.pixels(name, header.width, header.height, MAX_PIXELS);
  }
  const opaque = header.format === 'JPEG';
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(photo, opaque ? OPAQUE_DECODE_OPTIONS : DECODE_OPTIONS);
  } catch {
    throw new ImageDecodeError(name, header.format);
  }
  try {
    const { width, height } = bitmap;
    if (width * height > MAX_PIXELS) throw FileTooLargeError.pixels(name, width, height, MAX_PIXELS);
    if (width * height <= FULL_DECODE_PIXELS) {
      const pixels = opaque ? await reader.readOpaque(bitmap) : reader.read(bitmap, width, height);
      const prepared = prepareForInference(pixels);
      if (prepared.image !== pixels) reader.pool.give(pixels.data.buffer as ArrayBuffer);
      return { image: prepared.image, width, height, scaleToOriginal: prepared.scale };
    }
    const target = inferenceSize(width, height);
    const small = await createImageBitmap(bitmap, {
      ...(opaque ? OPAQUE_DECODE_OPTIONS : DECODE_OPTIONS),
      resizeWidth: target.width,
      resizeHeight: target.height,
      resizeQuality: 'high',
    });
    try {
      return { image: reader.read(small, target.width, target.height), width, height, scaleToOriginal: target.scale };
    } finally {
      small.close();
    }
  } finally {
    bitmap.close();
  }
}

/** A webcam frame's pixels for the models, and the picture to draw its boxes on. */
export interface DecodedFrame extends DecodedImage {
  shown: ShownFrame;
}

/**
 * Pixels of a webcam frame (downscaled when larger than MAX_INFERENCE_SIDE). A VideoFrame is read
 * and closed; what is shown is then exactly the pixels analysed (a copy when the models use them
 * at full size). A bitmap (browsers without VideoFrame) stays open and is itself what is shown.
 */
export async function readFrame(frame: LiveFrame, reader: PixelReader): Promise<DecodedFrame> {
  if (!('visibleRect' in frame)) {
    const prepared = prepareForInference(reader.read(frame, frame.width, frame.height));
    return {
      image: prepared.image,
      width: frame.width,
      height: frame.height,
      scaleToOriginal: prepared.scale,
      shown: frame,
    };
  }
  let pixels: RgbImage;
  try {
    pixels = await reader.readVideoFrame(frame);
  } finally {
    frame.close();
  }
  const { width, height } = pixels;
  const prepared = prepareForInference(pixels);
  // The models keep reading `pixels` after the answer (a tracker's background refresh), so the
  // page gets its own copy, in a buffer the page gave back after drawing an earlier frame.
  let data = pixels.data;
  if (prepared.image === pixels) {
    data = reader.pool.take(pixels.data.length);
    data.set(pixels.data);
  }
  const shown = {
    data: new Uint8ClampedArray(data.buffer as ArrayBuffer, data.byteOffset, data.length),
    width,
    height,
  };
  return { image: prepared.image, width, height, scaleToOriginal: prepared.scale, shown };
}

/** How the pipeline worker turns photos and frames into pixels (tests inject plain arrays). */
export interface ImageDecoder {
  photo(photo: Blob, name: string): Promise<DecodedImage>;
  frame(frame: LiveFrame): Promise<DecodedFrame>;
  /** Takes back a pixel buffer its owner is done with (a photo's after analysis, a frame the page drew). */
  reuse?(buffer: ArrayBuffer): void;
}

/** The browser decoder: createImageBitmap, one reused OffscreenCanvas and reused pixel buffers. */
export function canvasDecoder(): ImageDecoder {
  const reader = new PixelReader();
  return {
    photo: (photo, name) => decodePhoto(photo, name, reader),
    frame: (frame) => readFrame(frame, reader),
    reuse: (buffer) => reader.pool.give(buffer),
  };
}
