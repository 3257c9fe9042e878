/**
 * @file Human's BlazeFace (MediaPipe "back" model, 256 px, 896 anchors, 6 landmarks) as a
 * hotlens `face-detection` model: the contract wants final boxes, so everything Human does
 * between the graph and its box list that does not depend on the image size goes into the ONNX
 * graph (tools/parity/HUMAN-FACE-PIPELINE.md §2, Human 3.3.6 `src/face/blazeface.ts`):
 *
 *   input  `image`      float32 [1,3,256,256], RGB 0..255, NCHW — the whole picture STRETCHED to
 *                       256×256 by the app (manifest `preprocess.fit: "stretch"`, TF.js legacy
 *                       bilinear), as Human feeds it (`detector.square` unset);
 *   graph               v / 127.5 − 1 (Human's two float32 ops) → BlazeFace → the two heads
 *                       concatenated 512-anchor head first (Human pairs the four outputs by size)
 *                       → anchor decode exactly as Human's `decodeBoxes` (float32, same op order)
 *                       → sigmoid → NMS (IoU 0.1, score > 0.2, at most 100) → Human's final gate
 *                       (score rounded to 0.01 must exceed 0.2);
 *   output `boxes`      float32 [n,4] x1,y1,x2,y2 divided by 256 (exact: a power of two), i.e.
 *                       relative to the stretched input, so ×width / ×height gives Human's pixels;
 *          `scores`     float32 [n], best first (NMS order);
 *          `landmarks`  float32 [n,6,2] (x, y) / 256 — eyes, nose, mouth, ears in Human's order.
 *                       An extra output: the contract ignores it.
 *
 * Not in the graph because it needs the image size: Human's enlargement (×1.4) and squaring of
 * the box, which the attribute models' `preprocess.crop` describes. ORT's NonMaxSuppression
 * suppresses at IoU > 0.1 where tfjs-core suppresses at IoU ≥ 0.1 (ties of exactly 0.1 only).
 */
import { attr } from '../../onnx/graph-builder.ts';
import type { WeightStorage } from '../context.ts';
import { translateGraph } from '../translate.ts';
import { humanPackage, readHumanModel } from './packages.ts';
import type { ConvertedTaskModel } from './task-model.ts';

/** Human 3.3.6 `config.face.detector` values baked into the graph (hotlens raises maxDetected from 1). */
export const BLAZEFACE_POSTPROCESS = { minConfidence: 0.2, iouThreshold: 0.1, maxDetected: 100 } as const;

/** Options of {@link convertBlazeface}. */
export interface BlazefaceOptions {
  weights?: WeightStorage;
}

const INPUT = 'input';
const OUTPUTS = ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'];

/** Anchor centres in input pixels, [x, y] per anchor (Human's `generateAnchors`, facemeshutil.ts). */
export function blazefaceAnchors(inputSize: number): number[] {
  const out: number[] = [];
  for (const [stride, count] of [
    [inputSize / 16, 2],
    [inputSize / 8, 6],
  ] as const) {
    const grid = Math.floor((inputSize + stride - 1) / stride);
    for (let y = 0; y < grid; y++)
      for (let x = 0; x < grid; x++) for (let n = 0; n < count; n++) out.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return out;
}

/** Converts Human's blazeface.json to the face-detection contract. */
export function convertBlazeface(
  options: BlazefaceOptions = {},
): Omit<ConvertedTaskModel, 'labels'> & { labels: null } {
  const pkg = humanPackage();
  const t = translateGraph(readHumanModel('blazeface'), OUTPUTS, {
    inputNames: { [INPUT]: 'image' },
    reservedNames: ['boxes', 'scores', 'landmarks'],
    graphName: 'blazeface-face-detection',
    weights: options.weights ?? 'compact',
    // blazeface.ts: tf.div(resized, 127.5), then tf.sub(…, 1).
    preprocess: (g, input) =>
      g.node(
        'Sub',
        [g.node('Div', [input, g.f32('pre/127.5', [127.5], [])], {}, 'pre/div'), g.f32('pre/one', [1], [])],
        {},
        'pre/normalized',
      ),
  });
  const g = t.g;
  const size = t.tensor(INPUT).shape[1]!;
  const anchors = blazefaceAnchors(size);
  const count = anchors.length / 2;
  // Human sorts the four outputs by element count: [384×1, 512×1, 384×16, 512×16].
  const heads = OUTPUTS.map((ref) => ({ ref, value: t.tensor(ref) })).sort(
    (a, b) => a.value.shape.reduce((n, d) => n * d, 1) - b.value.shape.reduce((n, d) => n * d, 1),
  );
  const [s384, s512, r384, r512] = heads.map((h) => t.ctx.plain(h.value)) as [string, string, string, string];
  const concat = (parts: string[], axis: number, hint: string) =>
    g.node('Concat', parts, { axis: attr.int(axis) }, hint);
  const reshape = (v: string, dims: number[], hint: string) =>
    g.node('Reshape', [v, g.i64(`${hint}/shape`, dims)], {}, hint);
  const rows = reshape(
    concat([concat([s512, r512], 2, 'post/concat512'), concat([s384, r384], 2, 'post/concat384')], 1, 'post/concat'),
    [count, 17],
    'post/rows',
  );
  const columns = (start: number, end: number, hint: string) =>
    g.node(
      'Slice',
      [rows, g.i64(`${hint}/start`, [start]), g.i64(`${hint}/end`, [end]), g.i64(`${hint}/axis`, [1])],
      {},
      hint,
    );
  const sizeT = g.f32('post/input_size', [size], []);
  const anchorT = g.f32('post/anchors', anchors, [count, 2]);
  // decodeBoxes, op for op: centres = (starts + anchors) / size; half = (sizes / size) / 2.
  const centres = g.node(
    'Div',
    [g.node('Add', [columns(1, 3, 'post/box_starts'), anchorT], {}, 'post/centers'), sizeT],
    {},
    'post/centers_normalized',
  );
  const half = g.node(
    'Div',
    [
      g.node('Div', [columns(3, 5, 'post/box_sizes'), sizeT], {}, 'post/box_sizes_normalized'),
      g.f32('post/two', [2], []),
    ],
    {},
    'post/half_box_size',
  );
  const starts = g.node('Mul', [g.node('Sub', [centres, half], {}, 'post/starts'), sizeT], {}, 'post/start_px');
  const ends = g.node('Mul', [g.node('Add', [centres, half], {}, 'post/ends'), sizeT], {}, 'post/end_px');
  const corners = concat([starts, ends], 1, 'post/corners'); // [896,4] x1,y1,x2,y2 in input pixels
  const scores = reshape(g.node('Sigmoid', [columns(0, 1, 'post/logits')], {}, 'post/sigmoid'), [count], 'post/scores');

  const { minConfidence, iouThreshold, maxDetected } = BLAZEFACE_POSTPROCESS;
  const selected = g.node(
    'NonMaxSuppression',
    [
      g.node('Unsqueeze', [corners, g.i64('post/batch_axis', [0])], {}, 'post/nms_boxes'),
      reshape(scores, [1, 1, count], 'post/nms_scores'),
      g.i64('post/max_detected', [maxDetected]),
      g.f32('post/iou_threshold', [iouThreshold]),
      g.f32('post/score_threshold', [minConfidence]),
    ],
    { center_point_box: attr.int(0) },
    'post/nms',
  );
  const nms = g.node('Gather', [selected, g.i64('post/box_column', [2], [])], { axis: attr.int(1) }, 'post/nms_keep');
  // facemesh.ts keeps a face when its score rounded to 0.01 exceeds minConfidence:
  // round(100·s) ≥ 100·minConfidence + 1 ⇔ 100·s ≥ 100·minConfidence + 0.5 (Math.round rounds .5 up).
  const nmsScores = g.node('Gather', [scores, nms], { axis: attr.int(0) }, 'post/nms_scores_kept');
  const gate = g.node(
    'GreaterOrEqual',
    [
      g.node('Mul', [nmsScores, g.f32('post/hundred', [100], [])], {}, 'post/percent'),
      g.f32('post/gate', [Math.round(100 * minConfidence) + 0.5], []),
    ],
    {},
    'post/gate_ok',
  );
  const keep = g.node('Compress', [nms, gate], { axis: attr.int(0) }, 'post/keep');
  const pick = (v: string, hint: string) => g.node('Gather', [v, keep], { axis: attr.int(0) }, hint);
  g.output(g.node('Div', [pick(corners, 'post/kept_corners'), sizeT], {}, 'post/boxes'), 'boxes', 'float32', ['n', 4]);
  g.output(pick(scores, 'post/kept_scores'), 'scores', 'float32', ['n']);
  const points = reshape(columns(5, 17, 'post/landmark_columns'), [count, 6, 2], 'post/landmark_points');
  const landmarks = g.node(
    'Div',
    [g.node('Add', [points, reshape(anchorT, [count, 1, 2], 'post/landmark_anchors')], {}, 'post/landmarks_px'), sizeT],
    {},
    'post/landmarks',
  );
  g.output(pick(landmarks, 'post/kept_landmarks'), 'landmarks', 'float32', ['n', 6, 2]);

  const source =
    `converted from ${pkg.name} ${pkg.version} models/blazeface.json (MediaPipe BlazeFace back model; package licence ` +
    `${pkg.license}); Human's decode in the graph (v/127.5−1, anchors, sigmoid, NMS IoU ${iouThreshold}, ` +
    `score > ${minConfidence}, at most ${maxDetected} faces); input stretched to ${size}×${size}`;
  const preprocess = { fit: 'stretch' as const };
  const onnx = g.toModel({
    doc: source,
    metadata: { postprocess: JSON.stringify(BLAZEFACE_POSTPROCESS), preprocess: JSON.stringify(preprocess) },
  });
  return { onnx, preprocess, labels: null, source, inputSize: size };
}
