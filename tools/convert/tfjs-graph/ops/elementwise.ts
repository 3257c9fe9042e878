/**
 * @file Element-wise ops. They keep their input's layout (an NCHW map stays NCHW) and
 * broadcast as TF does, whatever the operands' layouts. Integer FloorDiv/FloorMod and float
 * FloorMod are written so they round exactly as TF.js's kernels do, not just for positives.
 */
import { attr, DataType } from '../../onnx/graph-builder.ts';
import type { TfDtype } from '../node-attrs.ts';
import { applyActivation, elementwiseOperands, type Activation, type OpTranslator } from './op-scope.ts';

function unary(onnxOp: string): OpTranslator {
  return (op) => {
    const x = op.input(0);
    const onnx = op.ctx.value(x);
    return [{ ...x, weight: undefined, onnx: op.g.node(onnxOp, [onnx], {}, op.hint()) }];
  };
}

function activation(act: Activation): OpTranslator {
  return (op) => {
    const x = op.input(0);
    const base = { ...x, weight: undefined, onnx: op.ctx.value(x) };
    return [applyActivation(op, base, act, act === 'prelu' ? op.input(1) : undefined)];
  };
}

/** A binary op with TF broadcasting; `dtype` overrides the result type (comparisons → bool). */
function binary(onnxOp: string, dtype?: TfDtype): OpTranslator {
  return (op) => {
    const a = op.input(0);
    const b = op.input(1);
    if (a.dtype !== b.dtype) op.fail(`operand types differ (${a.dtype}, ${b.dtype})`);
    const { onnx, layout, shape } = elementwiseOperands(op, [a, b]);
    return [op.out(op.g.node(onnxOp, onnx, {}, op.hint()), dtype ?? a.dtype, shape, layout)];
  };
}

/** TF.js floorDiv: floor(a / b). Integers: (a − floormod(a, b)) / b is exact for every sign. */
const floorDiv: OpTranslator = (op) => {
  const a = op.input(0);
  const b = op.input(1);
  const { onnx, layout, shape } = elementwiseOperands(op, [a, b]);
  const [x, y] = onnx as [string, string];
  let value: string;
  if (a.dtype === 'int32') {
    const mod = op.g.node('Mod', [x, y], { fmod: attr.int(0) }, op.hint('mod'));
    value = op.g.node('Div', [op.g.node('Sub', [x, mod], {}, op.hint('sub')), y], {}, op.hint());
  } else if (a.dtype === 'float32') {
    value = op.g.node('Floor', [op.g.node('Div', [x, y], {}, op.hint('div'))], {}, op.hint());
  } else {
    return op.fail(`type ${a.dtype} is not supported`);
  }
  return [op.out(value, a.dtype, shape, layout)];
};

/**
 * TF.js mod: integers take the divisor's sign (ONNX Mod fmod=0). Floats follow TF.js's cpu
 * kernel: rem = fmod(a, b); if a and b differ in sign, fmod(rem + b, b).
 */
const floorMod: OpTranslator = (op) => {
  const a = op.input(0);
  const b = op.input(1);
  const { onnx, layout, shape } = elementwiseOperands(op, [a, b]);
  const [x, y] = onnx as [string, string];
  let value: string;
  if (a.dtype === 'int32') {
    value = op.g.node('Mod', [x, y], { fmod: attr.int(0) }, op.hint());
  } else if (a.dtype === 'float32') {
    const g = op.g;
    const zero = g.f32(op.hint('zero'), [0], []);
    const rem = g.node('Mod', [x, y], { fmod: attr.int(1) }, op.hint('rem'));
    const wrapped = g.node(
      'Mod',
      [g.node('Add', [rem, y], {}, op.hint('shift')), y],
      { fmod: attr.int(1) },
      op.hint('wrap'),
    );
    const aNeg = g.node('Less', [x, zero], {}, op.hint('a_neg'));
    const bNeg = g.node('Less', [y, zero], {}, op.hint('b_neg'));
    const sameSign = g.node('Equal', [aNeg, bNeg], {}, op.hint('same_sign'));
    value = g.node('Where', [sameSign, rem, wrapped], {}, op.hint());
  } else {
    return op.fail(`type ${a.dtype} is not supported`);
  }
  return [op.out(value, a.dtype, shape, layout)];
};

const cast: OpTranslator = (op) => {
  const x = op.input(0);
  const to = op.attrs.dtype('DstT');
  if (x.dtype === to) return [x];
  const onnx = op.ctx.value(x);
  const value = op.g.node('Cast', [onnx], { to: attr.int(DataType[to]) }, op.hint());
  return [{ ...x, weight: undefined, dtype: to, onnx: value }];
};

const identity: OpTranslator = (op) => [op.input(0)];

const biasAdd: OpTranslator = (op) => {
  const format = op.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') op.fail(`data_format ${format} is not supported`);
  if (op.input(1).shape.length !== 1) op.fail('bias must be rank 1');
  return binary('Add')(op);
};

/** Element-wise translators by TF op name. */
export const ELEMENTWISE_OPS: Record<string, OpTranslator> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  BiasAdd: biasAdd,
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Minimum: binary('Min'),
  Maximum: binary('Max'),
  Equal: binary('Equal', 'bool'),
  FloorDiv: floorDiv,
  FloorMod: floorMod,
  Relu: activation('relu'),
  Relu6: activation('relu6'),
  Elu: activation('elu'),
  LeakyRelu: (op) => {
    const x = op.input(0);
    const onnx = op.ctx.value(x);
    const alpha = op.attrs.float('alpha', 0.2);
    return [{ ...x, weight: undefined, onnx: op.g.node('LeakyRelu', [onnx], { alpha: attr.float(alpha) }, op.hint()) }];
  },
  Prelu: activation('prelu'),
  Sigmoid: activation('sigmoid'),
  Tanh: unary('Tanh'),
  Cast: cast,
  Identity: identity,
};
