/**
 * @file Actions of the camera slice: phase changes and per-frame counters. The frame loop in
 * the Webcam view calls these; `window.hotlens.status().frames` reads them.
 */
import { patchCamera } from './app-store.ts';
import { addSample, type FrameSample } from './frame-stats.ts';
import { toUserError } from './user-error.ts';
import { announce } from './ui-slice.ts';

/** getUserMedia was called. */
export function cameraStarting(): void {
  patchCamera(() => ({ phase: 'starting', error: null }));
}

/** The camera streams at this size. */
export function cameraOn(video: { width: number; height: number }): void {
  patchCamera(() => ({ phase: 'on', error: null, video }));
  announce(`Camera on (${video.width}×${video.height}); faces are annotated live.`);
}

/** The camera was stopped by the user. */
export function cameraOff(): void {
  patchCamera(() => ({ phase: 'off', video: null, faces: 0 }));
  announce('Camera off; it is released.');
}

/** The camera could not start or stopped on its own. */
export function cameraFailed(err: unknown): void {
  const error = toUserError(err);
  patchCamera(() => ({ phase: 'error', error, video: null, faces: 0 }));
  announce(`${error.title}. ${error.message}`);
}

/** Face-count changes are announced at most this often, so a flickering count is not read out per frame. */
const ANNOUNCE_EVERY_MS = 3000;
let announced = { faces: -1, at: -Infinity };

/** A frame was annotated. */
export function frameProcessed(sample: FrameSample, faces: number): void {
  if (faces !== announced.faces && sample.at - announced.at >= ANNOUNCE_EVERY_MS) {
    announced = { faces, at: sample.at };
    announce(faces === 1 ? '1 face in view' : `${faces} faces in view`);
  }
  patchCamera((c) => ({
    frames: { ...c.frames, processed: c.frames.processed + 1 },
    samples: addSample(c.samples, sample),
    firstFrameAt: c.firstFrameAt ?? sample.at,
    earlyInferenceMs: c.earlyInferenceMs.length < 5 ? [...c.earlyInferenceMs, sample.inferenceMs] : c.earlyInferenceMs,
    firstStages: c.firstStages ?? sample.stages ?? null,
    faces,
  }));
}

/** A new frame arrived while one was still being analysed; it was skipped. */
export function frameDropped(): void {
  patchCamera((c) => ({ frames: { ...c.frames, dropped: c.frames.dropped + 1 } }));
}

/** Analysing a frame failed. */
export function frameFailed(): void {
  patchCamera((c) => ({ frames: { ...c.frames, errors: c.frames.errors + 1 } }));
}
