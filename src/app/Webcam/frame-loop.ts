/**
 * @file The webcam frame loop. Each new video frame (requestVideoFrameCallback) becomes a
 * WebCodecs VideoFrame transferred to the worker (no pixel copy on this thread: an ImageBitmap of
 * the video cost about 10 ms of it per frame; createImageBitmap remains where VideoFrame is
 * missing). At most one frame is in flight and one waits: a frame that arrives while the worker
 * is busy waits for it, replacing (and dropping) an older waiting one. A worker that is late now
 * and then (another app, a model swap) so loses no frame, and one that stays too slow sees only
 * the newest frames, never a growing queue. The result comes back with the picture that was
 * analysed, so boxes are drawn on exactly the frame they belong to. Every callback first reports
 * the camera frames delivered since the previous one (DeliveredCounter: from `presentedFrames`,
 * so frames the browser coalesced between callbacks count too), which is what the HUD's camera
 * rate is made of.
 */
import type { FrameResult } from '../../shared/worker-api.ts';
import { closeShown, type LiveFrame, type ShownFrame } from '../../inference/common/frames.ts';
import type { FrameSample } from '../../store/frame-stats.ts';
import { DeliveredCounter } from './delivered-counter.ts';

/** What the loop needs from the app. */
export interface FrameLoopDeps {
  analyse(frame: LiveFrame): Promise<FrameResult<ShownFrame>>;
  /** Draws the annotated frame; the loop releases the picture afterwards. */
  draw(result: FrameResult<ShownFrame>): void;
  /** Takes the picture once drawn (the client hands its buffer back to the worker); default closeShown. */
  release?(shown: ShownFrame): void;
  /** `frames` camera frames (≥ 1) reached the loop at `at` (performance.now), before that callback's frame is processed or dropped. */
  delivered(frames: number, at: number): void;
  processed(sample: FrameSample, result: FrameResult<ShownFrame>): void;
  dropped(): void;
  failed(err: unknown): void;
}

/** Drives analysis of a playing video element until stopped. */
export class FrameLoop {
  private running = false;
  private inFlight = false;
  /** The frame waiting for the one in flight, and when it was grabbed. */
  private waiting: Grabbed | null = null;
  private rvfc: number | null = null;
  private raf: number | null = null;
  private lastTime = -1;
  private readonly counter = new DeliveredCounter();

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly deps: FrameLoopDeps,
  ) {}

  /** Starts listening for frames. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.counter.restart();
    this.schedule();
  }

  /** Stops; a frame in flight is discarded when it returns, a waiting one at once. */
  stop(): void {
    this.running = false;
    discard(this.waiting);
    this.waiting = null;
    if (this.rvfc !== null) this.video.cancelVideoFrameCallback(this.rvfc);
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.rvfc = this.raf = null;
  }

  private schedule(): void {
    if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
      this.rvfc = this.video.requestVideoFrameCallback((_now, metadata) =>
        this.onFrame((metadata as Partial<VideoFrameCallbackMetadata> | undefined)?.presentedFrames),
      );
    } else {
      // Fallback: poll on animation frames and treat a new currentTime as one new frame.
      this.raf = requestAnimationFrame(() => {
        if (this.video.currentTime !== this.lastTime) {
          this.lastTime = this.video.currentTime;
          this.onFrame();
        } else if (this.running) this.schedule();
      });
    }
  }

  /** A new frame; `presentedFrames` from the callback's metadata when the browser gives it. */
  private onFrame(presentedFrames?: number): void {
    if (!this.running) return;
    this.schedule();
    this.deps.delivered(this.counter.next(presentedFrames), performance.now());
    const grabbed = { frame: grabFrame(this.video), at: performance.now() };
    if (this.inFlight) {
      if (this.waiting) {
        discard(this.waiting);
        this.deps.dropped();
      }
      this.waiting = grabbed;
      return;
    }
    void this.drain(grabbed);
  }

  /** Processes `first`, then each frame that came while it was in flight. */
  private async drain(first: Grabbed): Promise<void> {
    this.inFlight = true;
    try {
      for (let next: Grabbed | null = first; next; next = this.waiting) {
        this.waiting = null;
        await this.process(next);
      }
    } finally {
      this.inFlight = false;
    }
  }

  private async process({ frame, at: started }: Grabbed): Promise<void> {
    let result: FrameResult<ShownFrame>;
    try {
      result = await this.deps.analyse(await frame);
    } catch (err) {
      if (this.running) this.deps.failed(err);
      return;
    }
    try {
      if (!this.running) return;
      this.deps.draw(result);
      const at = performance.now();
      const { total, ...stages } = result.timings;
      this.deps.processed({ at, inferenceMs: total ?? at - started, roundTripMs: at - started, stages }, result);
    } finally {
      (this.deps.release ?? closeShown)(result.frame);
    }
  }
}

/** A frame grabbed from the video (a bitmap is made asynchronously) and when. */
interface Grabbed {
  frame: Promise<LiveFrame>;
  at: number;
}

/** Releases a grabbed frame that will not be analysed. */
function discard(grabbed: Grabbed | null): void {
  grabbed?.frame.then(
    (f) => f.close(),
    () => undefined,
  );
}

/** The video's current frame: a VideoFrame where the browser has one, else an ImageBitmap. */
export async function grabFrame(video: HTMLVideoElement): Promise<LiveFrame> {
  if (typeof VideoFrame === 'function') {
    try {
      return new VideoFrame(video);
    } catch {
      // This browser cannot make one from a video element: the bitmap below can.
    }
  }
  return createImageBitmap(video);
}
