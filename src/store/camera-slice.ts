/**
 * @file Actions of the camera slice: phase changes and per-frame counters (camera frames
 * delivered, annotated, dropped, failed) with the windowed samples the HUD summarises. The frame
 * loop in the Webcam view calls these; `window.hotlens.status().frames` reads them, and
 * `window.hotlens.frameTimes()` the time of each annotated frame (frame-times.ts).
 */
import { patchCamera } from './app-store.ts';
import { addSample, type FrameSample } from './frame-stats.ts';
import { annotatedFrames } from './frame-times.ts';
import { toUserError } from './user-error.ts';
import { announce } from './ui-slice.ts';

/** getUserMedia was called. */
export function cameraStarting(): void {
  patchCamera(() => ({ phase: 'starting', error: null }));
}

/** The camera streams at this size. */
export function cameraOn(video: { width: number; height: number }): void {
  patchCamera(() => ({ phase: 'on', error: null, video }));
  announce(`Camera on (${video.width}×${video.height}); frames are annotated live.`);
}

/** The camera was stopped by the user. */
export function cameraOff(): void {
  patchCamera(() => ({ phase: 'off', video: null, summary: {}, found: '' }));
  announce('Camera off; it is released.');
}

/** The camera could not start or stopped on its own. */
export function cameraFailed(err: unknown): void {
  const error = toUserError(err);
  patchCamera(() => ({ phase: 'error', error, video: null, summary: {}, found: '' }));
  announce(`${error.title}. ${error.message}`);
}

/** Count changes are announced at most this often, so a flickering count is not read out per frame. */
const ANNOUNCE_EVERY_MS = 3000;
let announced = { counts: '', at: -Infinity };

/** The `frames.byModels` key of a frame annotated by `models` (id → version). */
export function modelsKey(models: Readonly<Record<string, string>>): string {
  return Object.entries(models)
    .map(([id, version]) => `${id}@${version}`)
    .sort()
    .join(' ');
}

/**
 * A frame was annotated. `counts` is what it found ("2 faces, 1 object"; empty when no feature
 * counts things), `summary` one line per feature for the HUD, `models` the versions that
 * annotated it (counted in `frames.byModels`). Its time and versions join the frame-time log.
 */
export function frameProcessed(
  sample: FrameSample,
  counts: string,
  summary: Record<string, string>,
  found = '',
  models: Readonly<Record<string, string>> = {},
): void {
  const key = modelsKey(models);
  annotatedFrames.record(Date.now(), key);
  if (counts !== '' && counts !== announced.counts && sample.at - announced.at >= ANNOUNCE_EVERY_MS) {
    announced = { counts, at: sample.at };
    announce(`${counts} in view`);
  }
  patchCamera((c) => ({
    frames: {
      ...c.frames,
      processed: c.frames.processed + 1,
      byModels: { ...c.frames.byModels, [key]: (c.frames.byModels[key] ?? 0) + 1 },
    },
    samples: addSample(c.samples, sample),
    firstFrameAt: c.firstFrameAt ?? sample.at,
    earlyInferenceMs: c.earlyInferenceMs.length < 5 ? [...c.earlyInferenceMs, sample.inferenceMs] : c.earlyInferenceMs,
    firstStages: c.firstStages ?? sample.stages ?? null,
    summary,
    found,
  }));
}

/** `frames` camera frames reached the frame loop at `at` (performance.now); see DeliveredCounter. */
export function framesDelivered(frames: number, at: number): void {
  patchCamera((c) => ({
    frames: { ...c.frames, delivered: c.frames.delivered + frames },
    deliveries: addSample(c.deliveries, { at, frames }),
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
