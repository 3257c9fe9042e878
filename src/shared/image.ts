/**
 * @file Decoded pixels as plain data, independent of DOM (ImageData) and Node (sharp):
 * the browser worker and the Node tools both hand the pipeline an {@link RgbImage}.
 */

/** Interleaved 8-bit pixels, RGB (3 channels) or RGBA (4 channels, alpha ignored). */
export interface RgbImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}
