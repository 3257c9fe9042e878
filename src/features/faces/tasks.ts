/**
 * @file The task contracts of the faces feature: the detector,
 * the age/gender net and the expression net.
 */
import type { TaskContract } from '../../shared/tasks.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from './results.ts';

/** One image input [1,3,S,S]; boxes [n,4] (x1,y1,x2,y2 normalised to the square input) and scores [n]. */
export const FACE_DETECTION: TaskContract = {
  id: 'face-detection',
  summary: 'one image input [1,3,S,S]; outputs boxes [n,4] (x1,y1,x2,y2 normalised) and scores [n]',
  inputs: [{ role: 'image', type: 'float32', dims: [1, 3, 'S', 'S'] }],
  outputs: [
    { name: 'boxes', role: 'boxes', type: 'float32', dims: ['n', 4] },
    { name: 'scores', role: 'scores', type: 'float32', dims: ['n'] },
  ],
  fixed: ['S'],
  labels: null,
};

/**
 * Face crops [b,3,C,C] (C fixed per model, read from its input and the manifest's
 * `preprocess.size`: 112 for face-api's net, 224 for FaceRes); age [b,1] in years and gender
 * [b,2] probabilities (male, female). How a crop is cut is the manifest's `preprocess.crop`.
 */
export const FACE_ATTRIBUTES: TaskContract = {
  id: 'face-attributes',
  summary: 'input faces [b,3,C,C] (C fixed); outputs age [b,1] (years) and gender [b,2] (male, female)',
  inputs: [{ role: 'faces', type: 'float32', dims: ['b', 3, 'C', 'C'] }],
  outputs: [
    { name: 'age', role: 'age', type: 'float32', dims: ['b', 1] },
    { name: 'gender', role: 'gender probabilities', type: 'float32', dims: ['b', 2] },
  ],
  fixed: ['C'],
  labels: { output: 'gender', vocabulary: GENDER_LABELS, required: false },
};

/** Face crops [b,3,C,C] (C fixed per model: 112 face-api, 64 Human's emotion net); expression probabilities [b,7] in the manifest's label order. */
export const FACE_EXPRESSION: TaskContract = {
  id: 'face-expression',
  summary: 'input faces [b,3,C,C] (C fixed); output expression [b,7] probabilities',
  inputs: [{ role: 'faces', type: 'float32', dims: ['b', 3, 'C', 'C'] }],
  outputs: [{ name: 'expression', role: 'expression probabilities', type: 'float32', dims: ['b', 7] }],
  fixed: ['C'],
  labels: { output: 'expression', vocabulary: EXPRESSION_LABELS, required: true },
};
