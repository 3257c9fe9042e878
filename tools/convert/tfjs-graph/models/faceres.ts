/**
 * @file Human's FaceRes (HSE faceres: age distribution, gender sigmoid, 1024-d descriptor) as a
 * hotlens `face-attributes` model. The contract wants age in years [b,1] and gender
 * probabilities [b,2] (male, female), so Human's read-out of the two heads goes into the graph
 * (tools/parity/HUMAN-FACE-PIPELINE.md §4, Human 3.3.6 `src/face/faceres.ts`):
 *
 *   input  `faces`       float32 [b,3,224,224], RGB 0..255, NCHW: Human's face crop (the
 *                        detector box enlarged ×1.4 and squared, cut at 256 px, resized to 224 —
 *                        described by the manifest's `preprocess.crop`, done by the app);
 *   output `age`         float32 [b,1]: Human's age rule on the 100-bin distribution — NOT its
 *                        expectation: i = first argmax, then i − 10·p[i−1] when p[i−1] > p[i+1],
 *                        else i + 10·p[i+1] (a missing neighbour counts as −1, so bin 0 uses
 *                        p[1]; Human reports no age for bin 99 (NaN), the graph i − 10·p[98]);
 *          `gender`      float32 [b,2] = [p, 1 − p] with p = FaceRes's sigmoid = P(male), so the
 *                        arg-max picks male exactly when p > 0.5 (Human: female when p ≤ 0.5);
 *          `descriptor`  float32 [b,1024], FaceRes's embedding (extra; the contract ignores it).
 *
 * Human rounds the age to 0.1 year and reports only a truncated genderScore; the graph keeps
 * the unrounded values and the app rounds for display. Weights are float16 in the TF.js file
 * and stay float16 here (Cast in the graph, bit-identical to TF.js's decoding).
 */
import { attr, DataType } from '../../onnx/graph-builder.ts';
import type { WeightStorage } from '../context.ts';
import { declareOutput, translateGraph } from '../translate.ts';
import { humanPackage, readHumanModel } from './packages.ts';
import { humanFaceCrop } from './human-face-crop.ts';
import type { ConvertedTaskModel } from './task-model.ts';

/** Options of {@link convertFaceres}. */
export interface FaceresOptions {
  weights?: WeightStorage;
}

const INPUT = 'input_1';
const AGE = 'age_pred/Softmax';
const GENDER = 'gender_pred/Sigmoid';
const DESCRIPTOR = 'global_pooling/Mean';

/** Converts Human's faceres.json to the face-attributes contract. */
export function convertFaceres(options: FaceresOptions = {}): ConvertedTaskModel {
  const pkg = humanPackage();
  const t = translateGraph(readHumanModel('faceres'), [AGE, GENDER, DESCRIPTOR], {
    inputNames: { [INPUT]: 'faces' },
    batchName: 'b',
    reservedNames: ['age', 'gender', 'descriptor'],
    graphName: 'faceres-face-attributes',
    weights: options.weights ?? 'compact',
  });
  const g = t.g;
  const size = t.tensor(INPUT).shape[1]!;
  const bins = t.tensor(AGE).shape[1]!;
  const dist = t.ctx.plain(t.tensor(AGE)); // [b,100]
  const probMale = t.ctx.plain(t.tensor(GENDER)); // [b,1]

  // Age: pad the distribution with −1 on both sides so neighbours of bins 0 and 99 exist and never win.
  const shape = g.node('Shape', [dist], {}, 'age/shape');
  const rowsShape = g.node(
    'Concat',
    [g.node('Slice', [shape, g.i64('age/s0', [0]), g.i64('age/s1', [1])], {}, 'age/batch'), g.i64('age/one', [1])],
    { axis: attr.int(0) },
    'age/pad_shape',
  );
  const pad = g.node(
    'ConstantOfShape',
    [rowsShape],
    { value: attr.tensor({ type: 'float32', dims: [1], data: [-1] }) },
    'age/pad',
  );
  const padded = g.node('Concat', [pad, dist, pad], { axis: attr.int(1) }, 'age/padded'); // [b, bins+2]
  const argmax = g.node(
    'ArgMax',
    [dist],
    { axis: attr.int(1), keepdims: attr.int(1), select_last_index: attr.int(0) },
    'age/argmax',
  );
  const prev = g.node('GatherElements', [padded, argmax], { axis: attr.int(1) }, 'age/prev');
  const next = g.node(
    'GatherElements',
    [padded, g.node('Add', [argmax, g.i64('age/two', [2], [])], {}, 'age/next_index')],
    { axis: attr.int(1) },
    'age/next',
  );
  const bin = g.node('Cast', [argmax], { to: attr.int(DataType.float32) }, 'age/bin');
  const ten = g.f32('age/ten', [10], []);
  const age = g.node(
    'Where',
    [
      g.node('Greater', [prev, next], {}, 'age/prev_wins'),
      g.node('Sub', [bin, g.node('Mul', [prev, ten], {}, 'age/prev_tenths')], {}, 'age/minus'),
      g.node('Add', [bin, g.node('Mul', [next, ten], {}, 'age/next_tenths')], {}, 'age/plus'),
    ],
    {},
    'age/years',
  );
  g.output(age, 'age', 'float32', ['b', 1]);
  const gender = g.node(
    'Concat',
    [probMale, g.node('Sub', [g.f32('gender/one', [1], []), probMale], {}, 'gender/female')],
    { axis: attr.int(1) },
    'gender/probabilities',
  );
  g.output(gender, 'gender', 'float32', ['b', 2]);
  declareOutput(t, t.tensor(DESCRIPTOR), 'descriptor');

  const source =
    `converted from ${pkg.name} ${pkg.version} models/faceres.json (HSE FaceRes; package licence ${pkg.license}); ` +
    `float16 weights kept as float16; Human's read-out in the graph: age = argmax bin ∓ 10 × the larger neighbour ` +
    `of the ${bins}-bin distribution, gender = [sigmoid, 1 − sigmoid] (male, female); ${size} px face crops`;
  const preprocess = { crop: humanFaceCrop() };
  const onnx = g.toModel({ doc: source, metadata: { labels: 'male,female', preprocess: JSON.stringify(preprocess) } });
  return { onnx, preprocess, labels: ['male', 'female'], source, inputSize: size };
}
