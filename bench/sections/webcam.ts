/**
 * @file Section 9, the webcam at the camera's rate. (a) Live: the app with the moving fake
 * camera (lib/moving-video.ts, 15 fps), after a warm-up, for `--webcam-seconds` (default 30):
 * annotated frames ÷ camera frames delivered (the page's own counters, `hotlens.status().frames`),
 * inference p50/p95 and the detector's share of frames from `hotlens.metrics().webcam` — on a
 * quiet machine and with one core kept busy. (b) Quality: the faces tracker against the full
 * pipeline on every frame of the same video (lib/tracking-quality.ts, in Node with the same
 * code and models), per scene, beside the detector's own frame-to-frame agreement.
 */
import type { Page } from '@playwright/test';
import { faces } from '../../src/features/faces/index.ts';
import { TASKS } from '../../src/features/index.ts';
import { loadModels } from '../../tools/lib/registry-models.ts';
import { appMetrics, appReady, appStatus } from '../lib/app-page.ts';
import { launch } from '../lib/browser.ts';
import { withBusyCore } from '../lib/busy-core.ts';
import type { BenchContext } from '../lib/context.ts';
import {
  ensureMovingVideo,
  MOVING_VIDEO_HOW,
  MOVING_VIDEO_SIZE,
  movingVideoFrames,
  sceneFrames,
} from '../lib/moving-video.ts';
import { REGISTRY } from '../lib/paths.ts';
import { median, round } from '../lib/stats.ts';
import { measureTracking } from '../lib/tracking-quality.ts';

type Json = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Warm-up after the first annotated frame, before counting (JIT, caches, the first refreshes). */
const WARM_UP_MS = 5000;
/** How often the HUD's 5-second window is sampled for p50/p95 and the detector share. */
const SAMPLE_EVERY_MS = 5000;

/** One live run of the app on the moving camera. */
export interface LiveRun {
  seconds: number;
  delivered: number;
  annotated: number;
  dropped: number;
  errors: number;
  annotated_ratio: number | null;
  camera_fps: number | null;
  annotated_fps: number | null;
  inference_ms_p50: number | null;
  inference_ms_p95: number | null;
  detector_share: number | null;
}

async function frames(page: Page) {
  return (await appStatus(page)).frames;
}

/** Opens the app on the moving camera and counts frames over `seconds` of steady state. */
async function liveRun(ctx: BenchContext, seconds: number): Promise<LiveRun> {
  const browser = await launch({ cameraFile: ensureMovingVideo() });
  try {
    const context = await browser.newContext({ permissions: ['camera'], viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(ctx.server.url('/?camera=on'), { timeout: 60_000 });
    await appReady(page);
    const deadline = Date.now() + 60_000;
    while ((await frames(page)).processed === 0) {
      if (Date.now() > deadline) throw new Error('no webcam frame was annotated within 60 s');
      await sleep(200);
    }
    await sleep(WARM_UP_MS);
    const before = await frames(page);
    const started = Date.now();
    const windows: { p50: number | null; p95: number | null; share: number | null; camera: number }[] = [];
    while (Date.now() - started < seconds * 1000) {
      await sleep(Math.min(SAMPLE_EVERY_MS, seconds * 1000 - (Date.now() - started)));
      const w = (await appMetrics(page)).webcam;
      windows.push({ p50: w.p50, p95: w.p95, share: w.detectorShare, camera: w.cameraFps });
    }
    const after = await frames(page);
    const elapsed = (Date.now() - started) / 1000;
    const delivered = after.delivered - before.delivered;
    const annotated = after.processed - before.processed;
    const med = (xs: (number | null)[]) => median(xs.filter((x): x is number => x !== null));
    return {
      seconds: round(elapsed, 1)!,
      delivered,
      annotated,
      dropped: after.dropped - before.dropped,
      errors: after.errors - before.errors,
      // A frame delivered just before the window may be annotated inside it: the share is capped at 1.
      annotated_ratio: delivered > 0 ? round(Math.min(1, annotated / delivered), 3) : null,
      camera_fps: round(delivered / elapsed, 1),
      annotated_fps: round(annotated / elapsed, 1),
      inference_ms_p50: round(med(windows.map((w) => w.p50))),
      inference_ms_p95: round(med(windows.map((w) => w.p95))),
      detector_share: round(med(windows.map((w) => w.share)), 3),
    };
  } finally {
    await browser.close();
  }
}

/** Tracking against the full pipeline on the same video, in Node. */
async function quality(): Promise<Json> {
  const loaded = await loadModels(REGISTRY, [faces], TASKS);
  try {
    const models = {
      detector: loaded.runners['face-detector']!,
      attributes: loaded.runners['face-attributes']!,
      expression: loaded.runners['face-expression']!,
    };
    const q = await measureTracking(faces, models, movingVideoFrames(), MOVING_VIDEO_SIZE.fps, sceneFrames());
    return { ...q, models: loaded.versions };
  } finally {
    await loaded.release();
  }
}

/** The section: live quiet, live busy, then quality. */
export async function runWebcam(ctx: BenchContext): Promise<Json> {
  const seconds = ctx.options.quick ? 8 : ctx.options.webcamSeconds;
  ctx.log(`live, quiet: ${seconds} s`);
  const quiet = await liveRun(ctx, seconds);
  ctx.log(`live, quiet: ${quiet.annotated}/${quiet.delivered} frames annotated`);
  const boundMs = (seconds + 120) * 1000;
  ctx.log(`live, one core busy: ${seconds} s`);
  const { result: busy, busy: busyCore } = await withBusyCore(boundMs, () => liveRun(ctx, seconds));
  ctx.log(`live, one core busy: ${busy.annotated}/${busy.delivered} frames annotated`);
  ctx.log('tracking vs full pipeline on the same video (Node)');
  const q = await quality();
  return {
    annotated_ratio: quiet.annotated_ratio,
    annotated_ratio_busy: busy.annotated_ratio,
    camera_fps: quiet.camera_fps,
    annotated_fps: quiet.annotated_fps,
    inference_ms_p50: quiet.inference_ms_p50,
    inference_ms_p95: quiet.inference_ms_p95,
    detector_share: quiet.detector_share,
    tracking_match_ratio: q.tracking_match_ratio,
    full_vs_previous_frame_match_ratio: q.full_vs_previous_frame_match_ratio,
    age_mae_vs_full: q.age_mae_vs_full,
    live: { quiet, busy: { ...busy, busy_core: busyCore } },
    quality: q,
    video: MOVING_VIDEO_HOW,
    how: 'live: the production app with ?camera=on on the moving fake camera; after the first annotated frame and a 5 s warm-up, annotated ÷ delivered camera frames from hotlens.status().frames (delivered = the video’s presentedFrames), p50/p95 and detector share = medians of hotlens.metrics().webcam’s 5 s windows. quality: the faces tracker stepped through every frame of the same video in real time at 15 fps (its background detector and attribute runs landing when they finish) vs the full pipeline on each frame; a frame matches when every face pairs one-to-one at IoU ≥ 0.5; age MAE over matched faces; Node + onnxruntime-web, the code the worker runs',
  };
}
