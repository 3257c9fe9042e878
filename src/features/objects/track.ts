/**
 * @file Objects on a live video at the camera's rate: the detector runs in the background on a
 * schedule and every frame in between follows each object's appearance
 * (src/shared/tracking/box-tracker.ts). An object keeps the class name and score of its latest
 * detection.
 */
import type { FeatureInput } from '../../shared/feature.ts';
import { roundBox, scaleBox } from '../../shared/geometry.ts';
import { BoxTracker, type Detected, type Track } from '../../shared/tracking/box-tracker.ts';
import { analyzeObjects } from './analyze.ts';
import type { ObjectAnnotation } from './results.ts';

/** What an object track keeps: its latest detection's class name and score. */
type ObjectData = Pick<ObjectAnnotation, 'label' | 'score'>;

/** Tracks the objects of one stream; make a new one per stream and per detector version. */
export class ObjectTracker extends BoxTracker<ObjectAnnotation[], ObjectAnnotation, ObjectData> {
  protected async detect(input: FeatureInput): Promise<Detected<ObjectAnnotation>> {
    const detector = input.models.detector;
    if (!detector) throw new Error('the objects feature needs a detector model');
    // Boxes in inference pixels: the tracker maps them to the original when it reports.
    const out = await analyzeObjects(input.image, detector, { scaleToOriginal: 1, now: input.now });
    // The unrounded boxes: the report rounds once, after scaling, as `analyze` does.
    return { items: out.objects.map((o, i) => ({ ...o, box: out.raw[i]!.box })), timings: out.timings };
  }

  protected merge(_prior: Track<ObjectData> | null, item: ObjectAnnotation): ObjectData {
    return { label: item.label, score: item.score };
  }

  protected report(visible: readonly Track<ObjectData>[], input: FeatureInput): ObjectAnnotation[] {
    return [...visible]
      .sort((a, b) => b.data.score - a.data.score)
      .map((t) => ({
        box: roundBox(scaleBox(t.box, input.scaleToOriginal)),
        score: t.data.score,
        label: t.data.label,
      }));
  }
}
