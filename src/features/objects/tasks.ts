/**
 * @file The task contract of the objects feature (DESIGN.md "Task contracts"): an image in,
 * final detections out — the decode, score threshold and NMS live inside the graph (Human's
 * centernet post-processing is appended by the TF.js-graph converter; raw YOLO exports are
 * wrapped by `npm run adapt-model`).
 */
import type { TaskContract } from '../../shared/tasks.ts';

/**
 * One image input [1,3,S,S] (RGB 0..255); boxes [n,4] (x1,y1,x2,y2 normalised to the input),
 * scores [n] and classes [n] (int32 indices into the labels), best first.
 */
export const OBJECT_DETECTION: TaskContract = {
  id: 'object-detection',
  summary:
    'one image input [1,3,S,S]; outputs boxes [n,4] (x1,y1,x2,y2 normalised), scores [n] and classes [n] (int32); labels required',
  inputs: [{ role: 'image', type: 'float32', dims: [1, 3, 'S', 'S'] }],
  outputs: [
    { name: 'boxes', role: 'boxes', type: 'float32', dims: ['n', 4] },
    { name: 'scores', role: 'scores', type: 'float32', dims: ['n'] },
    { name: 'classes', role: 'class indices', type: 'int32', dims: ['n'] },
  ],
  fixed: ['S'],
  // The class count is not in the signature: the pipeline checks every index against the labels.
  labels: { output: 'classes', required: true },
};
