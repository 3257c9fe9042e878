/**
 * @file A stand-in for an Ultralytics YOLOv8/YOLO11 detect export, for testing the wrapper
 * without real weights: same input (`images` [1,3,S,S], RGB 0..1) and output (`output0`
 * [1,4+K,N]: cx, cy, w, h in input pixels, then K class scores), but the head is a tensor the
 * caller writes — known boxes and scores — instead of a network's prediction. The class rows
 * are multiplied by the mean of the input, so a wrapper that feeds the export 0..1 (an all-255
 * image → 1.0) leaves the scores as written, and one that forgets ÷255 multiplies them by 255.
 */
import { attr, GraphBuilder } from '../../convert/onnx/graph-builder.ts';

/** One candidate box of the head (pixels of the S×S input) and its non-zero class scores. */
export interface HeadBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
  /** class index → score; every other class scores `background`. */
  scores: Record<number, number>;
}

/** What the stand-in export looks like. */
export interface YoloStandinOptions {
  boxes: readonly HeadBox[];
  size?: number;
  classes?: number;
  /** Score of the classes a box does not list (real heads give small sigmoid values everywhere). */
  background?: number;
  opset?: number;
  inputName?: string;
  outputName?: string;
  /** metadata_props, e.g. Ultralytics' `task` and `names`. */
  metadata?: Record<string, string>;
}

/** The head tensor [1,4+K,N] as the stand-in's constants hold it (before the input-mean factor). */
export function headTensor(o: YoloStandinOptions): { boxRows: Float32Array; classRows: Float32Array } {
  const k = o.classes ?? 80;
  const n = o.boxes.length;
  const boxRows = new Float32Array(4 * n);
  const classRows = new Float32Array(k * n).fill(o.background ?? 0);
  o.boxes.forEach((b, i) => {
    [b.cx, b.cy, b.w, b.h].forEach((v, r) => (boxRows[r * n + i] = v));
    for (const [c, s] of Object.entries(b.scores)) {
      if (Number(c) >= k) throw new Error(`class ${c} is outside the ${k} classes`);
      classRows[Number(c) * n + i] = s;
    }
  });
  return { boxRows, classRows };
}

/** Serialises the stand-in export. */
export function yoloHeadStandin(o: YoloStandinOptions): Uint8Array {
  const size = o.size ?? 640;
  const k = o.classes ?? 80;
  const n = o.boxes.length;
  const { boxRows, classRows } = headTensor(o);
  const g = new GraphBuilder('main_graph');
  const images = g.input(o.inputName ?? 'images', 'float32', [1, 3, size, size]);
  const mean = g.node('ReduceMean', [images], { keepdims: attr.int(0) }, '/standin/input_mean');
  const scores = g.node('Mul', [g.f32('/standin/class_rows', classRows, [1, k, n]), mean], {}, '/standin/scores');
  const head = g.node(
    'Concat',
    [g.f32('/standin/box_rows', boxRows, [1, 4, n]), scores],
    { axis: attr.int(1) },
    '/standin/head',
  );
  g.output(head, o.outputName ?? 'output0', 'float32', [1, 4 + k, n]);
  return g.toModel({
    opset: o.opset ?? 17,
    producer: 'hotlens-standin',
    doc: 'Stand-in for an Ultralytics YOLO detect export: a constant head tensor, not a trained model.',
    metadata: o.metadata,
  });
}
