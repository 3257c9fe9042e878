/**
 * @file Size limits shared by the browser and the Node tools, so a photo that annotates in
 * one also annotates (identically) in the other.
 */

/**
 * Longer side above which a photo is downscaled for inference only (boxes are mapped back to
 * the original pixels). 2048 keeps ordinary camera exports such as face-api's 1920×1280
 * samples untouched, while bounding the work per photo: the detector input is at most 512²
 * anyway, and the quality gate and face crops scan the inference image.
 */
export const MAX_INFERENCE_SIDE = 2048;

/** Files larger than this are rejected before decoding (50 MiB; a 100 MP JPEG is ~30 MB). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Images with more pixels than this are rejected before decoding pixels (100 MP ≈ 300 MB of RGB). */
export const MAX_PIXELS = 100_000_000;

/** A file or image outside the limits above, or otherwise undecodable; the message says what to do. */
export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

/** Throws {@link ImageInputError} when a file of `bytes` bytes may not be decoded. */
export function checkFileSize(bytes: number): void {
  if (bytes === 0) throw new ImageInputError('the file is empty (0 bytes); choose an image file');
  if (bytes > MAX_FILE_BYTES) {
    throw new ImageInputError(
      `the file is ${(bytes / 1048576).toFixed(1)} MiB, above the ${MAX_FILE_BYTES / 1048576} MiB limit; export a smaller image`,
    );
  }
}

/** Throws {@link ImageInputError} when an image of these dimensions may not be decoded. */
export function checkDimensions(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new ImageInputError(`the image has no pixels (${width}×${height})`);
  if (width * height > MAX_PIXELS) {
    throw new ImageInputError(
      `the image is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} MP), above the ${MAX_PIXELS / 1e6} MP limit; export a smaller image`,
    );
  }
}

/** The inference size for an image: unchanged below {@link MAX_INFERENCE_SIDE}, else scaled to fit. */
export function inferenceSize(width: number, height: number): { width: number; height: number; scale: number } {
  const longer = Math.max(width, height);
  if (longer <= MAX_INFERENCE_SIDE) return { width, height, scale: 1 };
  const factor = MAX_INFERENCE_SIDE / longer;
  const w = Math.max(1, Math.round(width * factor));
  const h = Math.max(1, Math.round(height * factor));
  // One factor for both axes (boxes are scaled uniformly); taken from the longer side, where it is exact.
  return { width: w, height: h, scale: longer / MAX_INFERENCE_SIDE };
}
