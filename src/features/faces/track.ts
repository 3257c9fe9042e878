/**
 * @file Faces on a live video at the camera's rate (src/shared/tracking/box-tracker.ts does the
 * following and the scheduling). A refresh runs the detector, then age, gender and expression
 * for new faces and for faces whose estimate is older than ESTIMATE_EVERY_MS — all on that
 * frame's pixels, in one batch — and blends the new estimate into the face's running one, so
 * labels do not flicker from frame to frame. A face's label is its latest blended estimate.
 */
import type { FeatureInput } from '../../shared/feature.ts';
import { scaleBox } from '../../shared/geometry.ts';
import { BoxTracker, type BoxTrackerOptions, type Detected, type Track } from '../../shared/tracking/box-tracker.ts';
import {
  detectFaces,
  estimateAt,
  estimateFaces,
  faceAnnotation,
  faceModelsOf,
  type AnalyzeOptions,
  type FaceEstimate,
} from './analyze.ts';
import type { PixelDetection } from './detection-boxes.ts';
import type { FaceAnnotation, QualityIssue } from './results.ts';

export { DETECT_EVERY_MS, LOST_BELOW, SAME_BOX_IOU, SCENE_CUT_BELOW } from '../../shared/tracking/box-tracker.ts';

/** How old a face's age/gender/expression estimate may get before it is refreshed (ms). */
export const ESTIMATE_EVERY_MS = 500;
/** Weight of a new estimate against the face's running one (age and probabilities). */
export const ESTIMATE_BLEND = 0.5;

/** A detected face: box (inference pixels), score and the quality gate's verdict. */
interface FaceItem extends PixelDetection {
  issue: QualityIssue | undefined;
}

type FaceLabels = NonNullable<AnalyzeOptions['labels']>;

/** What a face track keeps. */
interface FaceData {
  score: number;
  issue: QualityIssue | undefined;
  estimate: FaceEstimate | null;
  estimatedAt: number;
}

const blendArrays = (old: number[], now: number[], w: number) => old.map((v, i) => (1 - w) * v + w * (now[i] ?? v));

function blend(old: FaceEstimate | null, now: FaceEstimate): FaceEstimate {
  if (!old || old.gender.length !== now.gender.length || old.expression.length !== now.expression.length) return now;
  const w = ESTIMATE_BLEND;
  return {
    age: (1 - w) * old.age + w * now.age,
    gender: blendArrays(old.gender, now.gender, w),
    expression: blendArrays(old.expression, now.expression, w),
  };
}

/** How often the tracker refreshes (defaults: DETECT_EVERY_MS, ESTIMATE_EVERY_MS). */
export interface TrackerOptions extends BoxTrackerOptions {
  estimateEveryMs?: number;
}

/** Tracks the faces of one stream; make a new one per stream and per set of model versions. */
export class FaceTracker extends BoxTracker<FaceAnnotation[], FaceItem, FaceData, FaceEstimate> {
  private readonly estimateEveryMs: number;
  private labels: FaceLabels | null = null;

  constructor(options: TrackerOptions = {}) {
    super(options);
    this.estimateEveryMs = options.estimateEveryMs ?? ESTIMATE_EVERY_MS;
  }

  protected async detect(input: FeatureInput): Promise<Detected<FaceItem>> {
    const { models, preprocess, labels } = faceModelsOf(input.models);
    // A tracker serves one set of versions: their label order is fixed from its first frame.
    this.labels ??= labels;
    const found = await detectFaces(input.image, models.detector, { preprocess: preprocess.detector, now: input.now });
    return { items: found.detections.map((d, i) => ({ ...d, issue: found.issues[i] })), timings: { detect: found.ms } };
  }

  /** Estimates for the good faces that are new or whose estimate is stale, in one batch. */
  protected override async enrich(
    input: FeatureInput,
    now: number,
    items: readonly FaceItem[],
    continues: ReadonlyMap<number, Track<FaceData>>,
  ): Promise<{ extras: Map<number, FaceEstimate>; timings: Record<string, number> }> {
    const want = items.flatMap((item, i) => {
      if (item.issue) return [];
      const prior = continues.get(i)?.data;
      const stale = !prior?.estimate || now - prior.estimatedAt >= this.estimateEveryMs;
      return stale ? [i] : [];
    });
    const extras = new Map<number, FaceEstimate>();
    if (want.length === 0) return { extras, timings: {} };
    const { models, labels, preprocess } = faceModelsOf(input.models);
    const boxes = want.map((i) => items[i]!.box);
    const out = await estimateFaces(input.image, boxes, models, { labels, preprocess, now: input.now });
    want.forEach((i, slot) => extras.set(i, estimateAt(out, slot)));
    return { extras, timings: out.timings };
  }

  protected merge(prior: Track<FaceData> | null, item: FaceItem, estimate: FaceEstimate | undefined, at: number) {
    const before = prior?.data;
    return {
      score: item.score,
      issue: item.issue,
      estimate: item.issue ? null : estimate ? blend(before?.estimate ?? null, estimate) : (before?.estimate ?? null),
      estimatedAt: estimate ? at : (before?.estimatedAt ?? -Infinity),
    };
  }

  protected report(visible: readonly Track<FaceData>[], input: FeatureInput): FaceAnnotation[] {
    const labels = this.labels ?? {};
    return [...visible]
      .sort((a, b) => b.data.score - a.data.score)
      .map((t) =>
        faceAnnotation(scaleBox(t.box, input.scaleToOriginal), t.data.score, t.data.estimate, labels, t.data.issue),
      );
  }
}
