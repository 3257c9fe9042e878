/**
 * @file Inference-only downscaling of very large photos. Shared by the browser worker and
 * `npm run annotate` (instead of canvas or sharp resizing, which differ from each other) so
 * both run the models on identical pixels; boxes go back to original pixels via `scale`.
 */
import type { RgbImage } from '../image.ts';
import { areaResizeRgb } from './area-resample.ts';
import { inferenceSize } from './limits.ts';

/** An image ready for inference plus the factor from its pixels back to the original's. */
export interface InferenceImage {
  image: RgbImage;
  /** Multiply inference-pixel boxes by this to get original pixels (1 when not downscaled). */
  scale: number;
  original: { width: number; height: number };
}

/** Returns `img` unchanged when within MAX_INFERENCE_SIDE, else an area-averaged smaller copy. */
export function prepareForInference(img: RgbImage): InferenceImage {
  const original = { width: img.width, height: img.height };
  const target = inferenceSize(img.width, img.height);
  if (target.scale === 1) return { image: img, scale: 1, original };
  return { image: areaResizeRgb(img, target.width, target.height), scale: target.scale, original };
}
