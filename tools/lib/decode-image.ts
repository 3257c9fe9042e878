/**
 * @file Decodes an image file for the Node tools the way the browser sees it: sharp (which
 * decodes bit-identically to Chromium) → interleaved RGB, alpha dropped, EXIF orientation
 * applied. The app decodes with createImageBitmap, which in Chromium applies EXIF orientation
 * always (measured on Chromium 156: a 40×20 JPEG with orientation 6 comes out 20×40 by
 * default and even with `imageOrientation: 'none'`), so the CLI rotates too. Photos above
 * MAX_INFERENCE_SIDE are shrunk with the shared downscaler, as in the app's worker, so both
 * run the models on identical pixels. Only raster photo formats are decoded: sharp would also
 * rasterise SVG (and read other vector or raw formats), which a photo tool has no use for and
 * the browser's pipeline refuses too.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { RgbImage } from '../../src/shared/image.ts';
import { checkDimensions, checkFileSize, ImageInputError, MAX_PIXELS } from '../../src/shared/pipeline/limits.ts';
import { prepareForInference, type InferenceImage } from '../../src/shared/pipeline/downscale.ts';

export { ImageInputError };

const UNSUPPORTED = 'not a supported image (expected JPEG, PNG, WebP, GIF, AVIF or TIFF)';

/** sharp's names of the formats {@link UNSUPPORTED} lists (AVIF is `heif` with AV1 compression). */
const RASTER_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff']);

function isSupported(meta: Metadata): boolean {
  return RASTER_FORMATS.has(meta.format ?? '') && (meta.format !== 'heif' || meta.compression === 'av1');
}

/** Decodes image bytes to RGB at full resolution; throws {@link ImageInputError} with a clear message. */
export async function decodeRgb(bytes: Uint8Array): Promise<RgbImage> {
  checkFileSize(bytes.length);
  let meta: Metadata;
  try {
    // Header only; our own pixel limit below gives the clearer message.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageInputError(UNSUPPORTED);
  }
  if (!isSupported(meta)) throw new ImageInputError(UNSUPPORTED);
  checkDimensions(meta.width ?? 0, meta.height ?? 0);
  try {
    // failOn 'truncated' rejects cut-off files instead of returning grey-filled pixels; the
    // pixel limit is ours (checked above), sharp's own default would be a different number.
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .autoOrient()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      channels: 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (err) {
    throw new ImageInputError(`the image data is corrupt or truncated (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Reads and decodes an image file, downscaled for inference when huge (see `scale`). */
export async function decodeImageFile(path: string): Promise<InferenceImage> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ImageInputError('not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof ImageInputError) throw err;
    throw new ImageInputError(
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  checkFileSize(size);
  const bytes = await readFile(path);
  return prepareForInference(await decodeRgb(bytes));
}
