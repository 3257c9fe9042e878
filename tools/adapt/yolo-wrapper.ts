/**
 * @file Wraps an Ultralytics YOLOv8 / YOLO11 detect export (input `images` [1,3,S,S] RGB 0..1;
 * output [1,4+K,N]: rows cx, cy, w, h in input pixels, then K sigmoid class scores) so it meets
 * the `object-detection` contract: input RGB 0..255, outputs `boxes` [n,4] (x1,y1,x2,y2
 * normalised to the input), `scores` [n], `classes` [n] int32, final detections best first.
 *
 * The added graph reproduces Ultralytics' `non_max_suppression` as `predict` calls it
 * (ultralytics/utils/nms.py; multi_label and agnostic off): each box keeps only its best class;
 * boxes whose best score is not above `score` are dropped; boxes suppress each other only
 * within a class when IoU > `iou`; the survivors are sorted by score and cut to `max`. ONNX
 * NonMaxSuppression (opset ≥ 11) gets scores [1,K,N] in which every box scores zero outside
 * its best class, so its per-class passes are exactly that class-aware NMS. Boxes are clipped
 * to the image last, as Ultralytics clips after NMS.
 */
import { attr, GraphBuilder } from '../convert/onnx/graph-builder.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import type { OnnxModel, SplicePlan } from './onnx-splice.ts';
import {
  ADDED,
  AdaptError,
  checkOutputNamesFree,
  describeSpec,
  newInputName,
  singleOutput,
  squareImageInput,
} from './raw-model.ts';

/**
 * Ultralytics' predict defaults: conf 0.25, iou 0.7, max_det 300 (docs/macros/predict-args.md
 * and ultralytics/cfg/default.yaml, Ultralytics 8.4).
 */
export const YOLO_DEFAULTS = { score: 0.25, iou: 0.7, max: 300 } as const;

/** NonMaxSuppression with a class dimension and GatherElements need opset 11. */
export const YOLO_MIN_OPSET = 11;

/** The contract's output names. */
export const DETECTION_OUTPUTS = ['boxes', 'scores', 'classes'] as const;

/** Thresholds of the added post-processing. */
export interface YoloOptions {
  score: number;
  iou: number;
  max: number;
}

/** What the raw export looks like. */
export interface YoloShape {
  input: TensorSpec;
  output: TensorSpec;
  size: number;
  classes: number;
}

const EXPECTED_INPUT = 'a YOLO detect export takes one float32 image [1,3,S,S]';
const EXPECTED_OUTPUT = 'a YOLO detect export has one output [1,4+K,N] (box rows, then K class rows)';

/**
 * Boxes a YOLO head predicts for an S×S input: one per cell of its stride 8, 16 and 32 grids
 * (8400 at 640). YOLOv5 predicts three per cell. A real head never has N = 6 (at least 21).
 */
function anchorCount(size: number): number {
  return [8, 16, 32].reduce((sum, stride) => sum + Math.ceil(size / stride) ** 2, 0);
}

/** Checks the raw model is a YOLOv8/YOLO11-style detect export; reads S and K from its signature. */
export function inspectYolo(model: OnnxModel): YoloShape {
  const task = model.metadata.task;
  if (task !== undefined && task !== 'detect') {
    throw new AdaptError(`the model is an Ultralytics "${task}" export; only "detect" exports can be wrapped`);
  }
  const { spec: input, size, batch } = squareImageInput(model, EXPECTED_INPUT);
  if (typeof batch === 'number' && batch !== 1) {
    throw new AdaptError(`input "${input.name}" has batch ${batch} (${describeSpec(input)}); ${EXPECTED_INPUT}`);
  }
  const output = singleOutput(model, EXPECTED_OUTPUT);
  const [b, rows, n] = output.dims;
  if (output.type !== 'float32' || output.dims.length !== 3 || (typeof b === 'number' && b !== 1)) {
    throw new AdaptError(`output "${output.name}" is ${describeSpec(output)}; ${EXPECTED_OUTPUT}`);
  }
  if (n === 6) {
    throw new AdaptError(
      `output "${output.name}" is ${describeSpec(output)}, final detections of an end-to-end (NMS-free or nms=True) export; export the raw head [1,4+K,N] instead`,
    );
  }
  if (typeof rows !== 'number' || rows < 5) {
    throw new AdaptError(`output "${output.name}" is ${describeSpec(output)}; ${EXPECTED_OUTPUT}`);
  }
  const anchors = anchorCount(size);
  if (rows === anchors || rows === 3 * anchors) {
    throw new AdaptError(
      `output "${output.name}" is ${describeSpec(output)}, one row per box (as YOLOv5 and transposed exports write it); ${EXPECTED_OUTPUT}`,
    );
  }
  return { input, output, size, classes: rows - 4 };
}

/** Checks thresholds the way Ultralytics asserts them (0..1) and `max` as a positive count. */
export function checkYoloOptions(o: YoloOptions): void {
  if (!(o.score >= 0 && o.score <= 1)) throw new AdaptError(`--score must be a number from 0 to 1, got ${o.score}`);
  if (!(o.iou >= 0 && o.iou <= 1)) throw new AdaptError(`--iou must be a number from 0 to 1, got ${o.iou}`);
  if (!(Number.isInteger(o.max) && o.max >= 1)) throw new AdaptError(`--max must be a whole number ≥ 1, got ${o.max}`);
}

/** The prologue: RGB 0..255 → the export's 0..1 (Ultralytics divides by 255: `im /= 255`). */
function prologue(model: OnnxModel, shape: YoloShape): GraphBuilder {
  const g = new GraphBuilder(`${ADDED}_yolo_prologue`);
  const image = g.input(newInputName(model), 'float32', [1, 3, shape.size, shape.size]);
  const scaled = g.node('Div', [image, g.f32(`${ADDED}/k255`, [255], [])], {}, `${ADDED}/to_unit_range`);
  g.output(scaled, shape.input.name, 'float32', shape.input.dims);
  return g;
}

/** The epilogue: decode, best class, class-aware NMS, sort, cut, normalise; see the file comment. */
function epilogue(shape: YoloShape, o: YoloOptions): GraphBuilder {
  const g = new GraphBuilder(`${ADDED}_yolo_epilogue`);
  const P = `${ADDED}/`;
  const k = shape.classes;
  const slice = (x: string, start: number, end: number, axis: number, hint: string): string =>
    g.node(
      'Slice',
      [x, g.i64(`${P}${hint}/starts`, [start]), g.i64(`${P}${hint}/ends`, [end]), g.i64(`${P}${hint}/axes`, [axis])],
      {},
      `${P}${hint}`,
    );
  const head = g.input(shape.output.name, 'float32', shape.output.dims);

  // [1,4,N] box rows → [1,N,4] (cx,cy,w,h) → x1,y1,x2,y2 in pixels, as Ultralytics' xywh2xyxy.
  const xywh = g.node('Transpose', [slice(head, 0, 4, 1, 'box_rows')], { perm: attr.ints([0, 2, 1]) }, `${P}xywh`);
  const half = g.node('Div', [slice(xywh, 2, 4, 2, 'wh'), g.f32(`${P}two`, [2], [])], {}, `${P}half_wh`);
  const centre = slice(xywh, 0, 2, 2, 'xy');
  const corners = g.node(
    'Concat',
    [g.node('Sub', [centre, half], {}, `${P}x1y1`), g.node('Add', [centre, half], {}, `${P}x2y2`)],
    { axis: attr.int(2) },
    `${P}xyxy`,
  );

  // Best class per box; NMS scores are zero outside it, so a box competes in one class only.
  const scores = slice(head, 4, 4 + k, 1, 'class_rows');
  const best = g.node('ArgMax', [scores], { axis: attr.int(1), keepdims: attr.int(1) }, `${P}best_class`);
  const bestScore = g.node('GatherElements', [scores, best], { axis: attr.int(1) }, `${P}best_score`);
  const classIds = g.i64(
    `${P}class_ids`,
    Array.from({ length: k }, (_, i) => i),
    [1, k, 1],
  );
  const isBest = g.node('Equal', [best, classIds], {}, `${P}is_best`);
  const nmsScores = g.node('Where', [isBest, scores, g.f32(`${P}zero`, [0], [])], {}, `${P}nms_scores`);
  const selected = g.node(
    'NonMaxSuppression',
    [
      corners,
      nmsScores,
      g.i64(`${P}max_per_class`, [o.max]),
      g.f32(`${P}iou_threshold`, [o.iou]),
      g.f32(`${P}score_threshold`, [o.score]),
    ],
    { center_point_box: attr.int(0) },
    `${P}nms`,
  );

  // selected [M,3] = (batch, class, box) → per detection: box, score, class.
  const column = (i: number, hint: string) =>
    g.node('Gather', [selected, g.i64(`${P}${hint}_col`, [i], [])], { axis: attr.int(1) }, `${P}${hint}`);
  const classOf = column(1, 'kept_class');
  const boxOf = column(2, 'kept_box');
  const allBoxes = g.node('Reshape', [corners, g.i64(`${P}boxes_2d`, [-1, 4])], {}, `${P}all_boxes`);
  const allScores = g.node('Reshape', [bestScore, g.i64(`${P}scores_1d`, [-1])], {}, `${P}all_scores`);
  const keptBoxes = g.node('Gather', [allBoxes, boxOf], { axis: attr.int(0) }, `${P}kept_boxes`);
  const keptScores = g.node('Gather', [allScores, boxOf], { axis: attr.int(0) }, `${P}kept_scores`);

  // NMS lists detections class by class: sort them all by score, best first, then keep `max`.
  const count = g.node('Shape', [keptScores], {}, `${P}kept_count`);
  const [sortedScores, order] = g.nodeN(
    'TopK',
    [keptScores, count],
    2,
    { axis: attr.int(0), largest: attr.int(1), sorted: attr.int(1) },
    `${P}sort`,
  );
  const firstMax = (x: string, hint: string) => slice(x, 0, o.max, 0, hint);
  const sortedBoxes = g.node('Gather', [keptBoxes, order!], { axis: attr.int(0) }, `${P}sorted_boxes`);
  const sortedClasses = g.node('Gather', [classOf, order!], { axis: attr.int(0) }, `${P}sorted_classes`);

  const pixels = firstMax(sortedBoxes, 'top_boxes');
  const unit = g.node('Div', [pixels, g.f32(`${P}input_size`, [shape.size], [])], {}, `${P}normalised`);
  const clipped = g.node(
    'Min',
    [g.node('Max', [unit, g.f32(`${P}lo`, [0], [])], {}, `${P}clip_lo`), g.f32(`${P}hi`, [1], [])],
    {},
    `${P}clip_hi`,
  );
  const classes = g.node('Cast', [firstMax(sortedClasses, 'top_classes')], { to: attr.int(6) }, `${P}int32`);
  g.output(clipped, 'boxes', 'float32', ['n', 4]);
  g.output(firstMax(sortedScores!, 'top_scores'), 'scores', 'float32', ['n']);
  g.output(classes, 'classes', 'int32', ['n']);
  return g;
}

/** The splice that turns a raw YOLO export into an object-detection model. */
export function yoloPlan(
  model: OnnxModel,
  shape: YoloShape,
  options: YoloOptions,
  metadata: Record<string, string>,
): SplicePlan {
  checkYoloOptions(options);
  checkOutputNamesFree(model, DETECTION_OUTPUTS);
  return {
    prologue: prologue(model, shape),
    rawInput: shape.input.name,
    epilogue: epilogue(shape, options),
    rawOutputs: [shape.output.name],
    minOpset: YOLO_MIN_OPSET,
    metadata,
  };
}
