/**
 * @file Human's MB3-CenterNet (COCO-80) as a hotlens `object-detection` model. The TF.js graph
 * already decodes its heatmap into `tower_0/detections` [1,100,6] (x1, y1, x2, y2 in input
 * pixels, score, class); this wrapper appends Human's post-processing (src/object/centernet.ts,
 * `process`) so the ONNX file returns final detections:
 *
 *   input  `image`   float32 [1,3,512,512], RGB 0..255, NCHW — the whole picture stretched to
 *                    512×512 by the app (bilinear, align_corners=false, half_pixel_centers=false,
 *                    TF.js `resizeBilinear`'s default, which is what Human feeds the model);
 *   output `boxes`   float32 [n,4] x1,y1,x2,y2 divided by the input size (Human's `boxRaw`,
 *                    not clipped: Human does not clip either),
 *          `scores`  float32 [n] (raw; Human truncates to 2 decimals only for display),
 *          `classes` int32 [n], 0-based index into the labels,
 *   sorted by score, best first.
 *
 * Values from Human 3.3.6 `src/config.ts` (`object`): minConfidence 0.2 (kept: score > 0.2, as
 * tf.image.nonMaxSuppression's scoreThreshold), iouThreshold 0.4, maxDetected 10. Human runs
 * one class-agnostic NMS over all 100 candidates; the hotlens contract asks for class-aware NMS
 * (overlapping boxes of different classes both survive), so that is the default here; `nms:
 * 'class-agnostic'` reproduces Human exactly. Either way at most 10 detections are returned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, DataType } from '../../onnx/graph-builder.ts';
import type { WeightStorage } from '../context.ts';
import { translateGraph } from '../translate.ts';
import { humanPackage, readHumanModel } from './packages.ts';
import type { ConvertedTaskModel } from './task-model.ts';

/** Human 3.3.6 `config.object` defaults (src/config.ts) that shape the detections. */
export const CENTERNET_POSTPROCESS = { minConfidence: 0.2, iouThreshold: 0.4, maxDetected: 10 } as const;

/** NMS across all classes (Human's own) or per class (the hotlens object-detection contract). */
export type NmsMode = 'class-aware' | 'class-agnostic';

/** Options for {@link convertCenternet}. */
export interface CenternetOptions {
  nms?: NmsMode;
  /** 'compact' (default) keeps the float16 weights as float16; 'float32' widens them. */
  weights?: WeightStorage;
}

const DETECTIONS = 'tower_0/detections';
const INPUT = 'tower_0/images';

/** COCO labels in class-index order, read from Human's src/object/labels.ts. */
export function centernetLabels(humanDir = humanPackage().dir): string[] {
  const text = readFileSync(join(humanDir, 'src', 'object', 'labels.ts'), 'utf8');
  const entries = [...text.matchAll(/\{\s*class:\s*(\d+),\s*label:\s*'([^']+)'\s*\}/g)];
  entries.forEach((m, i) => {
    if (Number(m[1]) !== i + 1) throw new Error(`Human's labels.ts: entry ${i} has class ${m[1]}, expected ${i + 1}`);
  });
  if (entries.length !== 80) throw new Error(`Human's labels.ts lists ${entries.length} labels, expected 80`);
  return entries.map((m) => m[2]!);
}

/** Converts Human's centernet.json to the object-detection contract. */
export function convertCenternet(options: CenternetOptions = {}): ConvertedTaskModel {
  const nms = options.nms ?? 'class-aware';
  const pkg = humanPackage();
  const model = readHumanModel('centernet');
  const labels = centernetLabels(pkg.dir);
  const t = translateGraph(model, [DETECTIONS], {
    inputNames: { [INPUT]: 'image' },
    reservedNames: ['boxes', 'scores', 'classes'],
    graphName: 'centernet-object-detection',
    weights: options.weights ?? 'compact',
  });
  const g = t.g;
  // Human takes the input size from the model's input shape (dim 2: width; the graph is square).
  const size = t.tensor(INPUT).shape[2]!;
  const { minConfidence, iouThreshold, maxDetected } = CENTERNET_POSTPROCESS;
  const detections = t.tensor(DETECTIONS);
  const count = detections.shape[1]!;
  const rows = g.node('Reshape', [t.ctx.plain(detections), g.i64('post/rows_shape', [count, 6])], {}, 'post/rows');
  const columns = (start: number, end: number, hint: string) =>
    g.node(
      'Slice',
      [rows, g.i64(`${hint}/start`, [start]), g.i64(`${hint}/end`, [end]), g.i64(`${hint}/axis`, [1])],
      {},
      hint,
    );
  const corners = columns(0, 4, 'post/corners'); // x1, y1, x2, y2 in input pixels
  const flat = (v: string, hint: string) => g.node('Reshape', [v, g.i64(`${hint}/shape`, [count])], {}, hint);
  const score = flat(columns(4, 5, 'post/score_column'), 'post/score');
  const cls = flat(columns(5, 6, 'post/class_column'), 'post/class');

  // tf.image.nonMaxSuppression reads (y1, x1, y2, x2) like ONNX's center_point_box=0 (either
  // diagonal pair of corners), keeps score > threshold and selects greedily by score.
  const yxyx = g.node('Gather', [corners, g.i64('post/yx_order', [1, 0, 3, 2])], { axis: attr.int(1) }, 'post/yxyx');
  const nmsBoxes = g.node('Unsqueeze', [yxyx, g.i64('post/batch_axis', [0])], {}, 'post/nms_boxes');
  let nmsScores: string;
  if (nms === 'class-agnostic') {
    nmsScores = g.node('Reshape', [score, g.i64('post/nms_scores_shape', [1, 1, count])], {}, 'post/nms_scores');
  } else {
    // [1, C, N]: each candidate scores only in its own class row (0 elsewhere, below threshold).
    const classIds = g.f32(
      'post/class_ids',
      labels.map((_, i) => i),
      [labels.length, 1],
    );
    const own = g.node('Equal', [cls, classIds], {}, 'post/own_class');
    const perClass = g.node('Where', [own, score, g.f32('post/zero', [0], [])], {}, 'post/class_scores');
    nmsScores = g.node('Unsqueeze', [perClass, g.i64('post/nms_batch_axis', [0])], {}, 'post/nms_scores');
  }
  const selected = g.node(
    'NonMaxSuppression',
    [
      nmsBoxes,
      nmsScores,
      g.i64('post/max_detected', [maxDetected]),
      g.f32('post/iou_threshold', [iouThreshold]),
      g.f32('post/score_threshold', [minConfidence]),
    ],
    { center_point_box: attr.int(0) },
    'post/nms',
  );
  let keep = g.node('Gather', [selected, g.i64('post/box_column', [2], [])], { axis: attr.int(1) }, 'post/keep');
  if (nms === 'class-aware') {
    // Per-class selections come class by class: order them by score and keep the best maxDetected.
    const keptScores = g.node('Gather', [score, keep], { axis: attr.int(0) }, 'post/kept_scores');
    const k = g.node(
      'Min',
      [g.node('Shape', [keptScores], {}, 'post/kept_count'), g.i64('post/max_total', [maxDetected])],
      {},
      'post/k',
    );
    const [, order] = g.nodeN(
      'TopK',
      [keptScores, k],
      2,
      { axis: attr.int(0), largest: attr.int(1), sorted: attr.int(1) },
      'post/rank',
    );
    keep = g.node('Gather', [keep, order!], { axis: attr.int(0) }, 'post/ranked');
  }
  const pick = (v: string, hint: string) => g.node('Gather', [v, keep], { axis: attr.int(0) }, hint);
  const boxes = g.node(
    'Div',
    [pick(corners, 'post/kept_corners'), g.f32('post/input_size', [size], [])],
    {},
    'post/boxes',
  );
  const classes = g.node('Cast', [pick(cls, 'post/kept_classes')], { to: attr.int(DataType.int32) }, 'post/classes');
  g.output(boxes, 'boxes', 'float32', ['n', 4]);
  g.output(pick(score, 'post/scores'), 'scores', 'float32', ['n']);
  g.output(classes, 'classes', 'int32', ['n']);

  const weights =
    options.weights === 'float32' ? 'float16 weights widened to float32' : 'float16 weights kept as float16';
  const source =
    `converted from ${pkg.name} ${pkg.version} models/centernet.json (MB3-CenterNet, github.com/610265158/mobilenetv3_centernet, ` +
    `COCO-80; package licence ${pkg.license}); ${weights}; Human's post-processing in the graph ` +
    `(score > ${minConfidence}, ${nms} NMS IoU ${iouThreshold}, at most ${maxDetected} detections)`;
  const onnx = g.toModel({
    doc: source,
    metadata: {
      postprocess: JSON.stringify({ ...CENTERNET_POSTPROCESS, nms }),
      labels: JSON.stringify(labels),
    },
  });
  return { onnx, labels, source, inputSize: size };
}
