/**
 * @file Small hand-built ONNX models for pipeline and publish tests: their outputs are simple
 * functions of the input (constants, mean brightness), so tests can predict them exactly and
 * they load in milliseconds. Built with the project's own graph builder.
 */
import { attr, GraphBuilder, type Dim } from '../../tools/convert/onnx/graph-builder.ts';

const OPSET = 18;

/** [b,1] mean of each face crop over channels and pixels, scaled to 0..1. */
function meanBrightness(g: GraphBuilder, input: string): string {
  const mean = g.node('ReduceMean', [input, g.i64('axes', [1, 2, 3])], { keepdims: attr.int(1) });
  const flat = g.node('Reshape', [mean, g.i64('shape', [-1, 1])]);
  return g.node('Div', [flat, g.f32('k255', [255], [])]);
}

/** A detector that ignores the picture and reports fixed boxes (x1,y1,x2,y2 in 0..1) and scores. */
export function constantDetector(opts: {
  size: number;
  boxes: number[][];
  scores: number[];
  inputDims?: Dim[];
}): Uint8Array {
  const g = new GraphBuilder('constant-detector');
  const image = g.input('image', 'float32', opts.inputDims ?? [1, 3, opts.size, opts.size]);
  // Tie the outputs to the input (a graph output must depend on something computed).
  const zero = g.node('Mul', [g.node('ReduceMean', [image], { keepdims: attr.int(0) }), g.f32('zero', [0], [])]);
  const boxes = g.node('Add', [g.f32('boxes_c', opts.boxes.flat(), [opts.boxes.length, 4]), zero]);
  const scores = g.node('Add', [g.f32('scores_c', opts.scores, [opts.scores.length]), zero]);
  g.output(boxes, 'boxes', 'float32', ['n', 4]);
  g.output(scores, 'scores', 'float32', ['n']);
  return g.toModel({ opset: OPSET });
}

/** age = 100 × mean brightness; gender = [brightness, 1 − brightness]. `nan` makes age NaN. */
export function brightnessAttributes(opts: { genderClasses?: number; nan?: boolean; name?: string } = {}): Uint8Array {
  const g = new GraphBuilder(opts.name ?? 'brightness-attributes');
  const faces = g.input('faces', 'float32', ['b', 3, 112, 112]);
  const m = meanBrightness(g, faces);
  let age = g.node('Mul', [m, g.f32('k100', [100], [])]);
  if (opts.nan) age = g.node('Sqrt', [g.node('Sub', [g.node('Neg', [age]), g.f32('one', [1], [])])]);
  const classes = opts.genderClasses ?? 2;
  const parts = [m, g.node('Sub', [g.f32('one_g', [1], []), m])];
  for (let i = 2; i < classes; i++) parts.push(g.node('Mul', [m, g.f32(`z${i}`, [0], [])]));
  const gender = g.node('Concat', parts, { axis: attr.int(1) });
  g.output(age, 'age', 'float32', ['b', 1]);
  g.output(gender, 'gender', 'float32', ['b', classes]);
  return g.toModel({ opset: OPSET });
}

/** expression = softmax(brightness × [1..7]): brighter faces lean to "surprised". */
export function brightnessExpression(opts: { classes?: number; outputName?: string; name?: string } = {}): Uint8Array {
  const classes = opts.classes ?? 7;
  const g = new GraphBuilder(opts.name ?? 'brightness-expression');
  const faces = g.input('faces', 'float32', ['b', 3, 112, 112]);
  const m = meanBrightness(g, faces);
  const weights = g.f32(
    'w',
    Array.from({ length: classes }, (_, i) => i + 1),
    [1, classes],
  );
  const logits = g.node('Mul', [m, weights]);
  const probs = g.node('Softmax', [logits], { axis: attr.int(1) });
  g.output(probs, opts.outputName ?? 'expression', 'float32', ['b', classes]);
  return g.toModel({ opset: OPSET });
}
