/**
 * @file What an op translator sees: the node, its attributes, its translated inputs and the
 * context, plus the helpers most ops need — constant inputs read as numbers, TF broadcasting
 * across layouts, fused activations. An op translator returns one Value per TF output.
 */
import { attr, type GraphBuilder } from '../../onnx/graph-builder.ts';
import { NodeAttrs, type TfDtype } from '../node-attrs.ts';
import type { TfNode } from '../model-source.ts';
import type { Layout, TranslationContext, Value } from '../context.ts';

/** Translates one TF node; returns its outputs in TF output order. */
export type OpTranslator = (op: OpScope) => Value[];

/** One node being translated. */
export class OpScope {
  readonly attrs: NodeAttrs;

  constructor(
    readonly ctx: TranslationContext,
    readonly node: TfNode,
    readonly inputs: readonly Value[],
  ) {
    this.attrs = new NodeAttrs(node);
  }

  get g(): GraphBuilder {
    return this.ctx.g;
  }

  /** Throws a translation error naming this node. */
  fail(message: string): never {
    return this.attrs.fail(message);
  }

  /** Input `i`, failing clearly when the node has fewer inputs. */
  input(i: number): Value {
    const v = this.inputs[i];
    if (!v) this.fail(`expects at least ${i + 1} inputs, has ${this.inputs.length}`);
    return v;
  }

  /** A name for a value this node creates (`suffix` for intermediate ones). */
  hint(suffix?: string): string {
    return suffix ? `${this.node.name}/${suffix}` : this.node.name;
  }

  /** The numbers held by constant input `i` (what TF.js would read at run time). */
  constNumbers(i: number, what: string): number[] {
    const v = this.input(i);
    if (!v.weight) this.fail(`${what} (input ${i}) must be a constant; computed values are not supported`);
    return Array.from(v.weight.values);
  }

  /** A constant scalar input (a 1-element tensor is accepted too). */
  constScalar(i: number, what: string): number {
    const values = this.constNumbers(i, what);
    if (values.length !== 1) this.fail(`${what} (input ${i}) must be a scalar, has ${values.length} values`);
    return values[0]!;
  }

  /** Normalises a possibly negative axis against `rank`, failing when out of range. */
  axis(axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) this.fail(`axis ${axis} is out of range for rank ${rank}`);
    return a;
  }

  /** A new value produced by this node. */
  out(onnx: string, dtype: TfDtype, shape: number[], layout: Layout = 'tf'): Value {
    return { onnx, dtype, shape, layout: shape.length === 4 ? layout : 'tf' };
  }
}

/** TF's broadcast of static shapes (-1 unknown); fails on incompatible sizes. */
export function broadcastShape(op: OpScope, shapes: readonly number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const known = [...new Set(dims.filter((d) => d !== 1 && d !== -1))];
    if (known.length > 1) op.fail(`cannot broadcast shapes ${shapes.map((x) => `[${x}]`).join(' and ')}`);
    const d = known.length === 1 ? known[0]! : dims.includes(-1) ? -1 : 1;
    out.push(d);
  }
  return out;
}

/**
 * The ONNX operands of an element-wise op with TF broadcasting: in NCHW when the result is a
 * rank-4 map and some operand already is NCHW (the others are adapted), else in TF layout.
 */
export function elementwiseOperands(
  op: OpScope,
  values: readonly Value[],
): { onnx: string[]; layout: Layout; shape: number[] } {
  const shape = broadcastShape(
    op,
    values.map((v) => v.shape),
  );
  const nchw = shape.length === 4 && values.some((v) => v.layout === 'nchw');
  if (!nchw) return { onnx: values.map((v) => op.ctx.plain(v)), layout: 'tf', shape };
  return { onnx: values.map((v) => op.ctx.broadcastNchw(v)), layout: 'nchw', shape };
}

/** Activations TF fuses into convolutions and matmuls (TF.js's `fused` activation names). */
export type Activation = 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'prelu' | 'leakyrelu';

/** Applies `act` to `x` (already produced by this node); `alpha` is PReLU's slope tensor. */
export function applyActivation(op: OpScope, x: Value, act: Activation | null, alpha?: Value): Value {
  if (!act) return x;
  const g = op.g;
  const onnx = x.onnx!;
  const name = op.hint();
  switch (act) {
    case 'relu':
      return { ...x, onnx: g.node('Relu', [onnx], {}, name) };
    case 'relu6':
      return {
        ...x,
        onnx: g.node('Clip', [onnx, g.f32(`${name}/zero`, [0], []), g.f32(`${name}/six`, [6], [])], {}, name),
      };
    case 'elu':
      return { ...x, onnx: g.node('Elu', [onnx], { alpha: attr.float(1) }, name) };
    case 'sigmoid':
      return { ...x, onnx: g.node('Sigmoid', [onnx], {}, name) };
    case 'leakyrelu':
      return {
        ...x,
        onnx: g.node('LeakyRelu', [onnx], { alpha: attr.float(op.attrs.float('leakyrelu_alpha', 0.2)) }, name),
      };
    case 'prelu': {
      if (!alpha) return op.fail('PReLU needs an alpha input');
      const slope = x.layout === 'nchw' ? op.ctx.broadcastNchw(alpha) : op.ctx.plain(alpha);
      return { ...x, onnx: g.node('PRelu', [onnx, slope], {}, name) };
    }
  }
}

/**
 * Reads `fused_ops` of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul: BiasAdd
 * optionally followed by one activation. Returns the bias and activation (with PReLU's alpha).
 */
export function fusedOps(op: OpScope, firstArg: number): { bias?: Value; act: Activation | null; alpha?: Value } {
  const ops = op.attrs.strings('fused_ops', []).map((s) => s.toLowerCase());
  const numArgs = op.attrs.int('num_args', op.inputs.length - firstArg);
  const [extra, activation] = ops;
  if (extra !== 'biasadd') {
    op.fail(`fused_ops [${ops.join(', ')}] is not supported (only BiasAdd, optionally followed by an activation)`);
  }
  const supported: readonly string[] = ['relu', 'relu6', 'elu', 'sigmoid', 'prelu', 'leakyrelu'];
  if (activation !== undefined && !supported.includes(activation)) {
    op.fail(`fused activation "${activation}" is not supported (supported: ${supported.join(', ')})`);
  }
  if (ops.length > 2) op.fail(`fused_ops [${ops.join(', ')}] has more than BiasAdd and one activation`);
  const act = (activation ?? null) as Activation | null;
  const expectedArgs = act === 'prelu' ? 2 : 1;
  if (numArgs !== expectedArgs)
    op.fail(`fused_ops [${ops.join(', ')}] needs ${expectedArgs} extra inputs, has ${numArgs}`);
  return {
    bias: op.input(firstArg),
    act,
    ...(act === 'prelu' ? { alpha: op.input(firstArg + 1) } : {}),
  };
}
