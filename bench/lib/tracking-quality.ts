/**
 * @file How close webcam tracking stays to running every model on every frame, on the same
 * video: the faces feature's tracker (src/features/faces/track.ts) steps through the frames at
 * the camera's rate in real time, its background model work landing when it really finishes, and
 * the full pipeline (`faces.analyze`) runs on each of the same frames. Per frame, every face of
 * the full result must be matched one-to-one by a tracked face at IoU ≥ 0.5 (and no extra face
 * may be tracked); over matched faces, the mean absolute age difference. Runs in Node with the
 * real models and onnxruntime-web, the same code the worker runs.
 */
import type { FaceAnnotation } from '../../src/features/faces/results.ts';
import type { Feature, FeatureInput, FeatureRunner } from '../../src/shared/feature.ts';
import { MATCH_IOU, matchBoxes } from '../../src/shared/compare/counts.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import { median, percentile, round } from './stats.ts';

/** A frame matches when every face of both results pairs up at least this well (the shadow comparison's bar). */
export { MATCH_IOU };

/** One frame's comparison. */
export interface FrameMatch {
  matched: boolean;
  /** |tracked age − full age| of each matched pair where both have an age. */
  ageDiffs: number[];
}

/** Pairs full and tracked faces one-to-one, best IoU first (the shadow comparison's `matchBoxes`). */
export function matchFrame(full: readonly FaceAnnotation[], tracked: readonly FaceAnnotation[]): FrameMatch {
  const pairs = matchBoxes(full, tracked, { threshold: MATCH_IOU });
  const ageDiffs: number[] = [];
  for (const p of pairs) {
    const a = full[p.serving]!.age;
    const b = tracked[p.candidate]!.age;
    if (a !== null && b !== null) ageDiffs.push(Math.abs(a - b));
  }
  return { matched: pairs.length === full.length && pairs.length === tracked.length, ageDiffs };
}

/** Match figures over a run of frames. */
export interface MatchFigures {
  frames: number;
  /** Share of frames whose tracked faces match the full pipeline's. */
  tracking_match_ratio: number | null;
  /**
   * Reference: share of frames whose full result matches the full result of the frame before —
   * what any answer one frame late could reach (the detector's own frame-to-frame flicker).
   */
  full_vs_previous_frame_match_ratio: number | null;
  age_mae_vs_full: number | null;
}

/** What {@link measureTracking} reports. */
export interface TrackingQuality {
  frames: number;
  tracking_match_ratio: number | null;
  full_vs_previous_frame_match_ratio: number | null;
  age_mae_vs_full: number | null;
  age_pairs: number;
  /** The same figures per scene of the video. */
  by_scene: Record<string, MatchFigures>;
  /** Share of frames on which a detector result was adopted (tracked pass). */
  detector_share: number | null;
  faces_per_frame_full: number | null;
  faces_per_frame_tracked: number | null;
  /** Time to answer one frame: tracked (step) and full pipeline, ms. */
  tracked_ms_p50: number | null;
  tracked_ms_p95: number | null;
  full_ms_p50: number | null;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs `faces` tracked (paced at `fps`) and full on `frames`, and compares them frame by frame. */
export async function measureTracking(
  faces: Feature<FaceAnnotation[]>,
  models: Readonly<Record<string, FeatureRunner>>,
  frames: readonly RgbImage[],
  fps: number,
  scenes: readonly { name: string; from: number; to: number }[] = [],
): Promise<TrackingQuality> {
  if (!faces.track) throw new Error(`feature ${faces.id} has no tracker`);
  const now = () => performance.now();
  const input = (image: RgbImage): FeatureInput => ({ image, scaleToOriginal: 1, models, now });
  const tracker = faces.track();
  const tracked: FaceAnnotation[][] = [];
  const trackedMs: number[] = [];
  let detected = 0;
  const t0 = now();
  for (const [i, image] of frames.entries()) {
    await sleep(t0 + (i * 1000) / fps - now());
    const started = now();
    const out = await tracker.step(input(image));
    trackedMs.push(now() - started);
    if (out.timings.detect !== undefined) detected += 1;
    tracked.push(out.result);
  }
  await tracker.settled();
  const full: FaceAnnotation[][] = [];
  const fullMs: number[] = [];
  for (const image of frames) {
    const started = now();
    full.push((await faces.analyze(input(image))).result);
    fullMs.push(now() - started);
  }
  const matches = full.map((f, i) => matchFrame(f, tracked[i]!));
  // Frame 0 has no previous frame: it counts as matched (every run starts with a full frame).
  const previous = full.map((f, i) => (i === 0 ? true : matchFrame(f, full[i - 1]!).matched));
  const figures = (from: number, to: number): MatchFigures => {
    const n = to - from;
    const share = (xs: boolean[]) => (n > 0 ? round(xs.slice(from, to).filter(Boolean).length / n, 3) : null);
    return {
      frames: n,
      tracking_match_ratio: share(matches.map((m) => m.matched)),
      full_vs_previous_frame_match_ratio: share(previous),
      age_mae_vs_full: round(mean(matches.slice(from, to).flatMap((m) => m.ageDiffs)), 2),
    };
  };
  const diffs = matches.flatMap((m) => m.ageDiffs);
  const n = frames.length;
  return {
    ...figures(0, n),
    age_pairs: diffs.length,
    by_scene: Object.fromEntries(scenes.map((s) => [s.name, figures(s.from, Math.min(s.to, n))])),
    detector_share: n ? round(detected / n, 3) : null,
    faces_per_frame_full: round(mean(full.map((f) => f.length)), 2),
    faces_per_frame_tracked: round(mean(tracked.map((f) => f.length)), 2),
    tracked_ms_p50: round(median(trackedMs)),
    tracked_ms_p95: round(percentile(trackedMs, 95)),
    full_ms_p50: round(median(fullMs)),
  };
}
