/**
 * @file FrameLoop with a scripted video element and worker: one frame in flight, one waiting
 * (the newest), older waiting frames dropped and released, and nothing left open after stop().
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameLoop, type FrameLoopDeps } from '../../../src/app/Webcam/frame-loop.ts';
import type { LiveFrame, ShownFrame } from '../../../src/inference/common/frames.ts';
import type { FrameResult } from '../../../src/shared/worker-api.ts';
import { deferred } from '../../helpers/face-frames.ts';

/** Every VideoFrame the loop made in the current test. */
const made: FakeVideoFrame[] = [];

/** A VideoFrame stand-in: which video frame it holds, and whether it was released. */
class FakeVideoFrame {
  closed = false;
  readonly shows: number;
  constructor(video: FakeVideo) {
    this.shows = video.presented;
    made.push(this);
  }
  close() {
    this.closed = true;
  }
}

/** A playing video whose frames the test presents one by one. */
class FakeVideo {
  presented = 0;
  private callback: ((now: number, meta: { presentedFrames: number }) => void) | null = null;
  requestVideoFrameCallback(cb: (now: number, meta: { presentedFrames: number }) => void) {
    this.callback = cb;
    return 1;
  }
  cancelVideoFrameCallback() {
    this.callback = null;
  }
  /** The next camera frame reaches the page. */
  present() {
    this.presented += 1;
    const cb = this.callback;
    this.callback = null;
    cb?.(performance.now(), { presentedFrames: this.presented });
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** A loop on a fake video whose worker answers each frame when the test says. */
function rig() {
  const video = new FakeVideo();
  const sent: FakeVideoFrame[] = [];
  const answers: ((r: FrameResult<ShownFrame>) => void)[] = [];
  const deps = {
    analyse: vi.fn((frame: LiveFrame) => {
      sent.push(frame as unknown as FakeVideoFrame);
      const d = deferred<FrameResult<ShownFrame>>();
      answers.push(d.resolve);
      return d.promise;
    }),
    draw: vi.fn(),
    release: vi.fn(),
    delivered: vi.fn(),
    processed: vi.fn(),
    dropped: vi.fn(),
    failed: vi.fn(),
  } satisfies FrameLoopDeps;
  const loop = new FrameLoop(video as unknown as HTMLVideoElement, deps);
  /** The worker answers the oldest unanswered frame. */
  const answer = async () => {
    const i = deps.draw.mock.calls.length + deps.failed.mock.calls.length;
    const frame = sent[i]!;
    frame.close(); // the worker reads and releases it
    const picture = { data: new Uint8ClampedArray(4), width: 1, height: 1 };
    answers[i]!({ frame: picture, width: 1, height: 1, models: {}, timings: { total: 5 } });
    await settle();
  };
  return { video, sent, deps, loop, answer };
}

describe('FrameLoop', () => {
  beforeEach(() => {
    made.length = 0;
    vi.stubGlobal('HTMLVideoElement', FakeVideo);
    vi.stubGlobal('VideoFrame', FakeVideoFrame);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('analyses a frame that arrives while the worker is busy right after, instead of dropping it', async () => {
    const { video, sent, deps, loop, answer } = rig();
    loop.start();
    video.present();
    await settle();
    video.present(); // the worker still has frame 1
    await settle();
    expect(sent.map((f) => f.shows)).toEqual([1]);
    await answer();
    expect(sent.map((f) => f.shows)).toEqual([1, 2]);
    await answer();
    expect(deps.draw).toHaveBeenCalledTimes(2);
    // Each picture is handed back once drawn (its buffer returns to the worker).
    expect(deps.release.mock.calls.map(([shown]) => shown)).toEqual(deps.draw.mock.calls.map(([r]) => r.frame));
    expect(deps.release.mock.invocationCallOrder[0]).toBeGreaterThan(deps.draw.mock.invocationCallOrder[0]!);
    expect(deps.processed).toHaveBeenCalledTimes(2);
    expect(deps.dropped).not.toHaveBeenCalled();
    expect(deps.delivered).toHaveBeenCalledTimes(2);
  });

  it('keeps only the newest waiting frame: an older one is dropped and released', async () => {
    const { video, sent, deps, loop, answer } = rig();
    loop.start();
    video.present();
    await settle();
    video.present();
    await settle();
    video.present();
    await settle();
    expect(deps.dropped).toHaveBeenCalledTimes(1);
    await answer();
    // Frame 2 never reached the worker; frame 3, the newest, did.
    expect(sent.map((f) => f.shows)).toEqual([1, 3]);
    await answer();
    expect(deps.processed).toHaveBeenCalledTimes(2);
  });

  it('releases the waiting frame on stop and draws nothing after it', async () => {
    const { video, deps, loop, answer } = rig();
    loop.start();
    video.present();
    await settle();
    video.present();
    await settle();
    loop.stop();
    await settle();
    expect(made[1]!.closed).toBe(true);
    await answer();
    expect(deps.draw).not.toHaveBeenCalled();
    expect(deps.analyse).toHaveBeenCalledTimes(1);
    expect(made.every((f) => f.closed)).toBe(true);
  });
});
