/**
 * @file When each webcam frame was drawn annotated (wall-clock ms, `Date.now()`) and by which
 * model versions: a bounded ring outside the reactive store (no subscriber runs for it), read by
 * `window.hotlens.frameTimes()`. Tests and the bench measure frame gaps from these, the page's own
 * timestamps, instead of polling its counters from a timer on the thread that draws the frames
 * (which cost that thread about 5% of a core and added its own delay to every measured gap).
 */

/** One annotated webcam frame: when it was drawn and the `frames.byModels` key of its versions. */
export interface AnnotatedFrameTime {
  /** Epoch ms (`Date.now()`, the clock of the update log's records). */
  at: number;
  /** "id@version id@version …" (sorted), as in `status().frames.byModels`. */
  models: string;
}

/** Frames kept: 20 minutes at 15 fps, 10 at 30 (about 180 KB). */
export const FRAME_TIMES_KEPT = 18_000;

/** A ring of the latest `capacity` annotated frames. */
export class FrameTimeLog {
  private readonly times: Float64Array;
  private readonly keyIds: Uint16Array;
  /** Distinct model keys, so a frame stores an index rather than its own string. */
  private readonly keys: string[] = [];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity = FRAME_TIMES_KEPT) {
    this.times = new Float64Array(capacity);
    this.keyIds = new Uint16Array(capacity);
  }

  /** Records a frame drawn at `at` (epoch ms) by the versions `models`. */
  record(at: number, models: string): void {
    let id = this.keys.indexOf(models);
    if (id < 0) {
      // A tab sees a handful of version sets; past the index range, forget the table and restart.
      if (this.keys.length > 0xffff) this.clear();
      id = this.keys.push(models) - 1;
    }
    this.times[this.next] = at;
    this.keyIds[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The frames drawn after `since` (epoch ms; all kept when omitted), oldest first. */
  since(since = -Infinity): AnnotatedFrameTime[] {
    const out: AnnotatedFrameTime[] = [];
    const first = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const slot = (first + i) % this.capacity;
      const at = this.times[slot]!;
      if (at > since) out.push({ at, models: this.keys[this.keyIds[slot]!]! });
    }
    return out;
  }

  clear(): void {
    this.keys.length = 0;
    this.next = 0;
    this.size = 0;
  }
}

/** The page's log of annotated webcam frames. */
export const annotatedFrames = new FrameTimeLog();
