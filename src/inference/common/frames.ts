/**
 * @file The two sides of a webcam frame's trip through the pipeline worker. The page sends a
 * {@link LiveFrame}: a WebCodecs VideoFrame made from the playing video (no pixel copy on the
 * page's thread), or an ImageBitmap where VideoFrame is missing. The worker reads its pixels and
 * sends back a {@link ShownFrame}: those same pixels as a plain RGBA array (or the bitmap it was
 * given), which the page puts on its canvas under the frame's boxes.
 */

/** A webcam frame on its way to the pipeline worker (transferred). */
export type LiveFrame = ImageBitmap | VideoFrame;

/**
 * RGBA pixels, row-major. Not an ImageData on the wire: structured clone copies an ImageData's
 * pixels into the message even when its buffer is in the transfer list (about 4 ms per 640×480
 * frame on the page's thread), while a typed array over a transferred buffer moves without a copy.
 */
export interface FramePixels {
  data: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

/** The analysed picture on its way back to the page (transferred). */
export type ShownFrame = ImageBitmap | FramePixels;

/** What to transfer to move `shown` between threads without a copy. */
export function transferablesOf(shown: ShownFrame): Transferable[] {
  return 'data' in shown ? [shown.data.buffer as ArrayBuffer] : [shown];
}

/** Releases what a shown frame holds (a bitmap's memory; plain pixels need nothing). */
export function closeShown(shown: ShownFrame): void {
  if (!('data' in shown)) shown.close();
}
