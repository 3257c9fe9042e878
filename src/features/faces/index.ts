/**
 * @file The faces feature: a detector, then age/gender and expression for every face good
 * enough to estimate. Everything the app, the worker and the tools need about faces is reached
 * through this one object.
 */
import type { Feature } from '../../shared/feature.ts';
import { analyzeFaces, faceModelsOf } from './analyze.ts';
import { compareFaces } from './compare.ts';
import { facePreprocess } from './preprocess.ts';
import { FACE_PROBES } from './probes.ts';
import { FaceTracker } from './track.ts';
import { faceDetails, faceOverlay, faceSummary } from './present.ts';
import type { FaceAnnotation } from './results.ts';
import { FACE_ATTRIBUTES, FACE_DETECTION, FACE_EXPRESSION } from './tasks.ts';

export type { FaceAnnotation } from './results.ts';

/** Faces: box, age, gender, expression. */
export const faces: Feature<FaceAnnotation[]> = {
  id: 'faces',
  label: 'Faces',
  description: 'Box, age, gender and expression of every face',
  noun: ['face', 'faces'],
  models: {
    detector: { id: 'face-detector', task: FACE_DETECTION.id },
    attributes: { id: 'face-attributes', task: FACE_ATTRIBUTES.id },
    expression: { id: 'face-expression', task: FACE_EXPRESSION.id },
  },
  tasks: [FACE_DETECTION, FACE_ATTRIBUTES, FACE_EXPRESSION],
  probes: FACE_PROBES,
  preprocess: facePreprocess,
  async analyze(input) {
    const { models, labels, preprocess } = faceModelsOf(input.models);
    const out = await analyzeFaces(input.image, models, {
      scaleToOriginal: input.scaleToOriginal,
      labels,
      preprocess,
      now: input.now,
    });
    return { result: out.faces, timings: out.timings };
  },
  track: () => new FaceTracker(),
  overlay: faceOverlay,
  details: faceDetails,
  summary: faceSummary,
  count: (result) => result.length,
  compare: compareFaces,
};
