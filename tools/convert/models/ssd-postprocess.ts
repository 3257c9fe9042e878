/**
 * @file The tail of the SSD MobileNetV1 graph: anchor box decoding, sigmoid scores,
 * NonMaxSuppression and face-api's final clipping, written so the ONNX graph reproduces
 * face-api's `outputLayer` + `nonMaxSuppression` + `locateFaces` step for step (same float32
 * operations in the same order, same strict `>` thresholds, same greedy order).
 */
import { attr, type GraphBuilder } from '../onnx/graph-builder.ts';

/** face-api's SsdMobilenetv1Options defaults and its fixed NMS IoU threshold. */
export const SSD_NMS = { minConfidence: 0.5, maxResults: 100, iouThreshold: 0.5 } as const;

/** Names of the concatenated head outputs, NHWC order: encodings [1,A,4] and class logits [1,A,3]. */
export interface SsdHeads {
  boxEncodings: string;
  classLogits: string;
  anchors: number;
}

function sliceCols(g: GraphBuilder, x: string, start: number, end: number, hint: string): string {
  return g.node(
    'Slice',
    [x, g.i64(`${hint}/starts`, [start]), g.i64(`${hint}/ends`, [end]), g.i64(`${hint}/axes`, [1])],
    {},
    hint,
  );
}

/**
 * Decodes encodings against the priors exactly as face-api's decodeBoxesLayer:
 * size = max - min, centre = min + size / 2, half = exp(t_hw / 5) * size / 2,
 * c = t_yx / 10 * size + centre → [A,4] boxes as (ymin, xmin, ymax, xmax), unclipped.
 */
function decodeBoxes(g: GraphBuilder, priors: string, encodings: string): string {
  const two = g.f32('decode/two', [2], []);
  const pMin = sliceCols(g, priors, 0, 2, 'decode/prior_min');
  const pMax = sliceCols(g, priors, 2, 4, 'decode/prior_max');
  const size = g.node('Sub', [pMax, pMin], {}, 'decode/prior_size');
  const centre = g.node('Add', [pMin, g.node('Div', [size, two], {}, 'decode/prior_half')], {}, 'decode/prior_centre');

  const tYx = sliceCols(g, encodings, 0, 2, 'decode/t_yx');
  const tHw = sliceCols(g, encodings, 2, 4, 'decode/t_hw');
  const scaledHw = g.node('Div', [tHw, g.f32('decode/scale_hw', [5], [])], {}, 'decode/t_hw_scaled');
  const grown = g.node('Mul', [g.node('Exp', [scaledHw], {}, 'decode/exp'), size], {}, 'decode/size');
  const half = g.node('Div', [grown, two], {}, 'decode/half');
  const scaledYx = g.node('Div', [tYx, g.f32('decode/scale_yx', [10], [])], {}, 'decode/t_yx_scaled');
  const centreOut = g.node('Add', [g.node('Mul', [scaledYx, size], {}, 'decode/offset'), centre], {}, 'decode/centre');
  const lo = g.node('Sub', [centreOut, half], {}, 'decode/min');
  const hi = g.node('Add', [centreOut, half], {}, 'decode/max');
  return g.node('Concat', [lo, hi], { axis: attr.int(1) }, 'decode/boxes');
}

/**
 * Adds decoding, scoring, NMS and clipping; returns `boxes` [n,4] (x1,y1,x2,y2 relative to the
 * square input) and `scores` [n], best first.
 */
export function ssdPostprocess(
  g: GraphBuilder,
  heads: SsdHeads,
  priorsValue: string,
): { boxes: string; scores: string } {
  const a = heads.anchors;
  const priors = g.node('Reshape', [priorsValue, g.i64('post/anchor_shape', [a, 4])], {}, 'post/priors');
  const encodings = g.node('Reshape', [heads.boxEncodings, g.i64('post/enc_shape', [a, 4])], {}, 'post/encodings');
  const decoded = decodeBoxes(g, priors, encodings);

  // face-api: sigmoid over classes 1.. of the [1,A,3] logits, then keeps class 1 (face).
  const faceLogit = g.node(
    'Slice',
    [heads.classLogits, g.i64('post/face_start', [1]), g.i64('post/face_end', [2]), g.i64('post/face_axis', [2])],
    {},
    'post/face_logit',
  );
  const scores = g.node(
    'Reshape',
    [g.node('Sigmoid', [faceLogit], {}, 'post/sigmoid'), g.i64('post/scores_shape', [a])],
    {},
    'post/scores',
  );

  // ONNX NMS (center_point_box 0) reads (y1,x1,y2,x2) like face-api, keeps score > threshold
  // and suppresses IoU > threshold, selecting greedily by descending score: face-api's rules.
  const selected = g.node(
    'NonMaxSuppression',
    [
      g.node('Unsqueeze', [decoded, g.i64('post/batch_axis', [0])], {}, 'post/nms_boxes'),
      g.node('Reshape', [scores, g.i64('post/nms_scores_shape', [1, 1, a])], {}, 'post/nms_scores'),
      g.i64('post/max_results', [SSD_NMS.maxResults]),
      g.f32('post/iou_threshold', [SSD_NMS.iouThreshold]),
      g.f32('post/score_threshold', [SSD_NMS.minConfidence]),
    ],
    { center_point_box: attr.int(0) },
    'post/nms',
  );
  const keep = g.node('Gather', [selected, g.i64('post/box_index_col', [2], [])], { axis: attr.int(1) }, 'post/keep');
  const keptBoxes = g.node('Gather', [decoded, keep], { axis: attr.int(0) }, 'post/kept_boxes');
  const keptScores = g.node('Gather', [scores, keep], { axis: attr.int(0) }, 'post/kept_scores');

  // locateFaces clips only top/left at 0 and bottom/right at 1 (relative to the padded square).
  const lo = g.node(
    'Max',
    [sliceCols(g, keptBoxes, 0, 2, 'post/kept_min'), g.f32('post/zero', [0], [])],
    {},
    'post/clip_min',
  );
  const hi = g.node(
    'Min',
    [sliceCols(g, keptBoxes, 2, 4, 'post/kept_max'), g.f32('post/one', [1], [])],
    {},
    'post/clip_max',
  );
  const yx = g.node('Concat', [lo, hi], { axis: attr.int(1) }, 'post/clipped');
  const xy = g.node('Gather', [yx, g.i64('post/yx_to_xy', [1, 0, 3, 2])], { axis: attr.int(1) }, 'post/xyxy');
  return { boxes: xy, scores: keptScores };
}
