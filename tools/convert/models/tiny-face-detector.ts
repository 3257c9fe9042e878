/**
 * @file Converts face-api's Tiny Face Detector (a separable-conv Tiny-YOLOv2, TF.js weights)
 * into one ONNX graph: RGB 0..255 in, final face boxes and scores out. Normalisation, the
 * YOLO box decoding and NonMaxSuppression are inside the graph so the app only maps boxes to
 * pixels. Mirrors face-api's TinyYolov2Base.runMobilenet / extractBoxes / detect with the
 * TinyFaceDetector config (first layer a plain conv, filter sizes 3..512, so no conv6/conv7).
 */
import { attr, GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weight } from '../weights.ts';
import type { WeightEncoding } from '../../../src/shared/manifest-types.ts';
import {
  conv2d,
  maxPool,
  normalizeRgb,
  separableConv2d,
  unary,
  type Feature,
  type LayerContext,
} from './common-ops.ts';

/** face-api's tinyFaceDetector/const.ts and TinyYolov2Options defaults. */
export const TINY_FACE_DETECTOR = {
  meanRgb: [117.001, 114.697, 97.404] as const,
  anchors: [
    [1.603231, 2.094468],
    [6.041143, 7.080126],
    [2.882459, 3.518061],
    [4.266906, 5.178857],
    [9.041765, 10.66308],
  ] as const,
  /** TinyYolov2Options default: keep boxes whose sigmoid score is strictly above this. */
  scoreThreshold: 0.5,
  /** TinyFaceDetector IOU_THRESHOLD: suppress boxes whose IoU with a kept box is above this. */
  iouThreshold: 0.4,
  /** Input sizes face-api accepts are multiples of 32. */
  sizeMultiple: 32,
} as const;

/** face-api's `leaky`: relu(x − 0.1x) + 0.1x, i.e. LeakyRelu with slope 0.1. */
function leaky(ctx: LayerContext, x: Feature, hint: string): Feature {
  return unary(ctx, x, 'LeakyRelu', `${hint}/leaky`, { alpha: attr.float(0.1) });
}

/** The backbone up to conv8: [1,25,cells,cells] raw YOLO encodings (5 anchors × 5 values). */
function backbone(ctx: LayerContext, input: Feature): Feature {
  let out = leaky(ctx, conv2d(ctx, input, 'conv0', 1, 'valid'), 'conv0');
  out = maxPool(ctx, out, 2, 2, 'same', 'pool0');
  for (let i = 1; i <= 5; i++) {
    out = leaky(ctx, separableConv2d(ctx, out, `conv${i}`, 1, { symmetric: 1 }), `conv${i}`);
    out = maxPool(ctx, out, 2, i === 5 ? 1 : 2, 'same', `pool${i}`);
  }
  return conv2d(ctx, out, 'conv8', 1, 'valid');
}

/**
 * Decodes [1,25,cells,cells] into boxes [M,4] (x1,y1,x2,y2 relative to the square input) and
 * scores [M], rows ordered (row, col, anchor) like face-api's loops.
 */
function decode(g: GraphBuilder, head: Feature): { boxes: string; scores: string; count: number } {
  const cells = head.height;
  const anchors = TINY_FACE_DETECTOR.anchors.length;
  const positions = cells * cells;
  const count = positions * anchors;
  // NCHW → NHWC first: face-api reshapes the NHWC tensor to [cells, cells, anchors, 5].
  const nhwc = g.node('Transpose', [head.value], { perm: attr.ints([0, 2, 3, 1]) }, 'decode/nhwc');
  const rows = g.node('Reshape', [nhwc, g.i64('decode/rows_shape', [positions, anchors, 5])], {}, 'decode/rows');
  const [tXy, tWh, tScore] = g.nodeN(
    'Split',
    [rows, g.i64('decode/split', [2, 2, 1])],
    3,
    { axis: attr.int(2) },
    'decode/split',
  );

  // Cell offsets [positions,1,2] and anchor sizes [1,anchors,2] broadcast against [positions,anchors,2].
  const grid = new Float32Array(positions * 2);
  for (let row = 0, i = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++, i++) {
      grid[2 * i] = col;
      grid[2 * i + 1] = row;
    }
  }
  const prior = TINY_FACE_DETECTOR.anchors.flatMap(([ax, ay]) => [ax, ay]);
  const numCells = g.f32('decode/cells', [cells], []);
  // face-api: ct = (col + sigmoid(t)) / numCells; size = exp(t) * anchor / numCells.
  const cellXy = g.node(
    'Add',
    [g.f32('decode/grid', grid, [positions, 1, 2]), g.node('Sigmoid', [tXy!], {}, 'decode/sig_xy')],
    {},
    'decode/cell_xy',
  );
  const centre = g.node('Div', [cellXy, numCells], {}, 'decode/centre');
  const anchorWh = g.node(
    'Mul',
    [g.node('Exp', [tWh!], {}, 'decode/exp_wh'), g.f32('decode/anchors', prior, [1, anchors, 2])],
    {},
    'decode/anchor_wh',
  );
  const size = g.node('Div', [anchorWh, numCells], {}, 'decode/size');
  const half = g.node('Div', [size, g.f32('decode/two', [2], [])], {}, 'decode/half');
  const topLeft = g.node('Sub', [centre, half], {}, 'decode/top_left');
  const bottomRight = g.node('Add', [topLeft, size], {}, 'decode/bottom_right');
  const corners = g.node('Concat', [topLeft, bottomRight], { axis: attr.int(2) }, 'decode/corners');
  const boxes = g.node('Reshape', [corners, g.i64('decode/boxes_shape', [count, 4])], {}, 'decode/boxes');
  const scores = g.node(
    'Reshape',
    [g.node('Sigmoid', [tScore!], {}, 'decode/sig_score'), g.i64('decode/scores_shape', [count])],
    {},
    'decode/scores',
  );
  return { boxes, scores, count };
}

/**
 * Greedy NMS with face-api's rules (score > threshold, suppress IoU > threshold, best first);
 * IoU does not depend on the coordinate order, so (x1,y1,x2,y2) rows work with center_point_box 0.
 */
function suppress(g: GraphBuilder, boxes: string, scores: string, count: number): { boxes: string; scores: string } {
  const selected = g.node(
    'NonMaxSuppression',
    [
      g.node('Unsqueeze', [boxes, g.i64('nms/batch_axis', [0])], {}, 'nms/boxes'),
      g.node('Reshape', [scores, g.i64('nms/scores_shape', [1, 1, count])], {}, 'nms/scores'),
      g.i64('nms/max_boxes', [count]),
      g.f32('nms/iou_threshold', [TINY_FACE_DETECTOR.iouThreshold]),
      g.f32('nms/score_threshold', [TINY_FACE_DETECTOR.scoreThreshold]),
    ],
    { center_point_box: attr.int(0) },
    'nms',
  );
  const keep = g.node('Gather', [selected, g.i64('nms/box_column', [2], [])], { axis: attr.int(1) }, 'nms/keep');
  return {
    boxes: g.node('Gather', [boxes, keep], { axis: attr.int(0) }, 'nms/kept_boxes'),
    scores: g.node('Gather', [scores, keep], { axis: attr.int(0) }, 'nms/kept_scores'),
  };
}

/** Builds the Tiny Face Detector for a square input of `inputSize` as ONNX bytes (deterministic). */
export function buildTinyFaceDetector(
  weights: Map<string, Weight>,
  encoding: WeightEncoding,
  inputSize: number,
  metadata: Record<string, string> = {},
): Uint8Array {
  if (!Number.isInteger(inputSize) || inputSize <= 0 || inputSize % TINY_FACE_DETECTOR.sizeMultiple !== 0) {
    throw new Error(
      `tiny face detector input size ${inputSize} is invalid; use a positive multiple of 32 (e.g. 416, 320, 224)`,
    );
  }
  const g = new GraphBuilder('tiny_face_detector');
  const ctx: LayerContext = { g, weights, encoding };
  const image = g.input('image', 'float32', [1, 3, inputSize, inputSize]);
  const input = normalizeRgb(
    ctx,
    { value: image, channels: 3, height: inputSize, width: inputSize },
    TINY_FACE_DETECTOR.meanRgb,
    'pre',
  );
  const head = backbone(ctx, input);
  const expected = TINY_FACE_DETECTOR.anchors.length * 5;
  if (head.channels !== expected)
    throw new Error(`conv8 has ${head.channels} output channels, expected ${expected} (5 anchors × 5)`);
  const decoded = decode(g, head);
  const result = suppress(g, decoded.boxes, decoded.scores, decoded.count);
  g.output(result.boxes, 'boxes', 'float32', ['n', 4]);
  g.output(result.scores, 'scores', 'float32', ['n']);
  return g.toModel({
    doc: `face-api Tiny Face Detector: image [1,3,${inputSize},${inputSize}] RGB 0..255 → boxes [n,4] (x1,y1,x2,y2 relative to the square input), scores [n]`,
    metadata: {
      ...metadata,
      encoding,
      'input-size': String(inputSize),
      'score-threshold': String(TINY_FACE_DETECTOR.scoreThreshold),
      'iou-threshold': String(TINY_FACE_DETECTOR.iouThreshold),
    },
  });
}
