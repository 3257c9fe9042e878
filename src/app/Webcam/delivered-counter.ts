/**
 * @file Counts the camera frames delivered to the webcam frame loop from the video element's
 * cumulative `presentedFrames` (requestVideoFrameCallback metadata), so frames the browser
 * presented between two callbacks (coalesced: the page was busy) are counted too. Pure: the
 * frame loop feeds it one value per callback.
 */

/** Turns per-callback `presentedFrames` values into counts of delivered frames. */
export class DeliveredCounter {
  private last: number | null = null;
  /** Frames counted since the counter was made (restarts included). */
  total = 0;

  /**
   * One frame callback. `presentedFrames` is the element's cumulative count, or undefined when
   * the browser gives no metadata (then each callback counts one frame, as in the polling
   * fallback). Returns the frames this callback stands for:
   * - the first callback (and the first after a callback without metadata) counts its own frame
   *   and takes its value as the baseline;
   * - later ones count the increase since the previous value, and at least one (the callback is
   *   a frame the loop handles, so the count never falls below the frames it processed or dropped);
   * - a value below the previous one (the element was reset, e.g. a new stream) counts one and
   *   becomes the new baseline.
   */
  next(presentedFrames?: number): number {
    let frames = 1;
    if (presentedFrames === undefined || !Number.isFinite(presentedFrames)) this.last = null;
    else {
      if (this.last !== null && presentedFrames >= this.last) frames = Math.max(1, presentedFrames - this.last);
      this.last = presentedFrames;
    }
    this.total += frames;
    return frames;
  }

  /** The loop (re)starts: the next callback is a first one again (frames presented meanwhile are not counted). */
  restart(): void {
    this.last = null;
  }
}
