/**
 * @file The objects feature: COCO-80 (or any labelled) object detection — a box, class name and
 * score per object. Everything the app, the worker and the tools need about objects is reached
 * through this one object.
 *
 * Model `object-detector` 1.0.0 is Human 3.3.6's MB3-CenterNet converted from its TF.js graph
 * (tools/convert/tfjs-graph/models/centernet.ts) with Human's post-processing in the graph:
 * score > 0.2, NMS IoU 0.4, at most 10 detections. The NMS is class-agnostic, like Human's:
 * measured on the 13 parity photos (face-api's six samples, Human's samples.jpg, Debian
 * darknet's six), class-aware NMS returned 74 detections against 66, and all 8 extra ones were a
 * second label on the same object (IoU with a better-scored box of another class ≥ 0.92, 1.00 in
 * 7 of 8 — e.g. person.jpg: "sheep" and "cow" on the horse, "cow" and "horse" on the dog). Only
 * one of the 8 was the better label (dog.jpg: "truck" under "car"). Class-agnostic it is.
 */
import type { Feature } from '../../shared/feature.ts';
import { analyzeObjects } from './analyze.ts';
import { objectsPreprocess } from './preprocess.ts';
import { OBJECT_PROBES } from './probes.ts';
import { objectDetails, objectOverlay, objectSummary } from './present.ts';
import type { ObjectAnnotation } from './results.ts';
import { OBJECT_DETECTION } from './tasks.ts';
import { ObjectTracker } from './track.ts';

export type { ObjectAnnotation } from './results.ts';

/** Objects: box, class name and score of every object the detector knows. */
export const objects: Feature<ObjectAnnotation[]> = {
  id: 'objects',
  label: 'Objects',
  description: 'Box, class name and score of every object (COCO-80)',
  noun: ['object', 'objects'],
  models: { detector: { id: 'object-detector', task: OBJECT_DETECTION.id } },
  tasks: [OBJECT_DETECTION],
  probes: OBJECT_PROBES,
  preprocess: objectsPreprocess,
  async analyze(input) {
    const detector = input.models.detector;
    if (!detector) throw new Error('the objects feature needs a detector model');
    const out = await analyzeObjects(input.image, detector, { scaleToOriginal: input.scaleToOriginal, now: input.now });
    return { result: out.objects, timings: out.timings };
  },
  track: () => new ObjectTracker(),
  overlay: objectOverlay,
  details: objectDetails,
  summary: objectSummary,
  count: (result) => result.length,
};
