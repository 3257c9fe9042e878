/**
 * @file Ops that move data between shapes: Reshape, Squeeze, ExpandDims, ConcatV2, Pad/PadV2,
 * Transpose, GatherV2. Those with a natural NCHW form (concat on channels, pad, squeeze of H/W)
 * stay in NCHW; the rest work in TF layout. Static shapes are tracked for every result.
 */
import { attr, type Attr } from '../../onnx/graph-builder.ts';
import { NHWC_TO_NCHW_AXIS, TO_NCHW } from '../context.ts';
import { afterDroppingNchwAxes } from './reduce.ts';
import type { OpScope, OpTranslator } from './op-scope.ts';

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Resolves a TF reshape target against the input's static shape (one -1 may be inferred). */
function reshapeTarget(op: OpScope, input: readonly number[], target: readonly number[]): number[] {
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1) op.fail(`shape [${target}] has more than one -1`);
  if (unknown === 0 || input.includes(-1)) return [...target];
  const known = product(target.filter((d) => d !== -1));
  const total = product(input);
  if (known === 0 || total % known !== 0) op.fail(`cannot reshape [${input}] to [${target}]`);
  return target.map((d) => (d === -1 ? total / known : d));
}

const reshape: OpTranslator = (op) => {
  const x = op.input(0);
  const shapeInput = op.input(1);
  let shape: number[];
  let target: string;
  if (shapeInput.weight) {
    const requested = op.constNumbers(1, 'shape');
    shape = reshapeTarget(op, x.shape, requested);
    target = op.g.i64(op.hint('shape'), requested);
  } else {
    if (shapeInput.shape.length !== 1 || shapeInput.shape[0]! < 0)
      op.fail('a computed shape must be a 1-D tensor of known length');
    shape = Array<number>(shapeInput.shape[0]!).fill(-1);
    target = op.g.node('Cast', [op.ctx.plain(shapeInput)], { to: attr.int(7) }, op.hint('shape'));
  }
  // TF has no "0 copies the input dimension" rule; allowzero makes ONNX agree.
  const attrs: Record<string, Attr> = shape.includes(0) ? { allowzero: attr.int(1) } : {};
  return [op.out(op.g.node('Reshape', [op.ctx.plain(x), target], attrs, op.hint()), x.dtype, shape)];
};

const squeeze: OpTranslator = (op) => {
  const x = op.input(0);
  const rank = x.shape.length;
  let axes = op.attrs.ints('squeeze_dims', op.attrs.ints('axis', [])).map((a) => op.axis(a, rank));
  if (axes.length === 0) {
    if (x.shape.includes(-1)) op.fail(`squeezing every size-1 axis needs a static shape, got [${x.shape}]`);
    axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  }
  axes = [...new Set(axes)].sort((a, b) => a - b);
  for (const a of axes) if (x.shape[a] !== 1 && x.shape[a] !== -1) op.fail(`axis ${a} of [${x.shape}] is not 1`);
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const nchw = x.layout === 'nchw';
  const onnxAxes = nchw ? axes.map((a) => NHWC_TO_NCHW_AXIS[a]!).sort((a, b) => a - b) : axes;
  const squeezed = op.g.node(
    'Squeeze',
    [op.ctx.value(x), op.g.i64(op.hint('axes'), onnxAxes)],
    {},
    nchw ? op.hint('squeezed') : op.hint(),
  );
  return [op.out(nchw ? afterDroppingNchwAxes(op, squeezed, axes) : squeezed, x.dtype, shape)];
};

const expandDims: OpTranslator = (op) => {
  const x = op.input(0);
  const rank = x.shape.length + 1;
  const axis = op.axis(op.constScalar(1, 'dim'), rank);
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  const value = op.g.node('Unsqueeze', [op.ctx.plain(x), op.g.i64(op.hint('axes'), [axis])], {}, op.hint());
  return [op.out(value, x.dtype, shape)];
};

const concat: OpTranslator = (op) => {
  const n = op.attrs.int('N', op.inputs.length - 1);
  const parts = op.inputs.slice(0, n);
  if (parts.length !== n || n < 1) op.fail(`expects ${n} tensors and an axis`);
  const rank = parts[0]!.shape.length;
  const axis = op.axis(op.constScalar(n, 'axis'), rank);
  if (parts.some((p) => p.shape.length !== rank || p.dtype !== parts[0]!.dtype)) {
    op.fail('all inputs must have the same rank and type');
  }
  const nchw = rank === 4 && parts.some((p) => p.layout === 'nchw');
  const onnx = parts.map((p) => (nchw ? op.ctx.nchw(p) : op.ctx.plain(p)));
  const shape = parts[0]!.shape.map((d, i) => {
    if (i !== axis) return parts.map((p) => p.shape[i]!).find((e) => e !== -1) ?? d;
    return parts.some((p) => p.shape[i] === -1) ? -1 : parts.reduce((s, p) => s + p.shape[i]!, 0);
  });
  const onnxAxis = nchw ? NHWC_TO_NCHW_AXIS[axis]! : axis;
  const value = op.g.node('Concat', onnx, { axis: attr.int(onnxAxis) }, op.hint());
  return [op.out(value, parts[0]!.dtype, shape, nchw ? 'nchw' : 'tf')];
};

function pad(withValue: boolean): OpTranslator {
  return (op) => {
    const x = op.input(0);
    const rank = x.shape.length;
    const paddings = op.constNumbers(1, 'paddings');
    if (paddings.length !== rank * 2) op.fail(`paddings hold ${paddings.length} values for rank ${rank}`);
    const before = Array.from({ length: rank }, (_, i) => paddings[i * 2]!);
    const after = Array.from({ length: rank }, (_, i) => paddings[i * 2 + 1]!);
    const nchw = x.layout === 'nchw';
    const order = (a: number[]) => (nchw ? TO_NCHW.map((p) => a[p]!) : a);
    const inputs = [op.ctx.value(x), op.g.i64(op.hint('pads'), [...order(before), ...order(after)])];
    if (withValue) {
      const v = op.constScalar(2, 'constant_values');
      inputs.push(op.g.constant(op.hint('value'), { type: x.dtype, dims: [], data: [v] }));
    }
    const shape = x.shape.map((d, i) => (d === -1 ? -1 : d + before[i]! + after[i]!));
    return [op.out(op.g.node('Pad', inputs, { mode: attr.str('constant') }, op.hint()), x.dtype, shape, x.layout)];
  };
}

const transpose: OpTranslator = (op) => {
  const x = op.input(0);
  const perm = op.constNumbers(1, 'perm');
  if (perm.length !== x.shape.length || [...perm].sort().some((p, i) => p !== i)) {
    op.fail(`perm [${perm}] is not a permutation of rank ${x.shape.length}`);
  }
  const shape = perm.map((p) => x.shape[p]!);
  // On an NCHW value, TF axis a sits at position NHWC_TO_NCHW_AXIS[a]: compose the perms.
  const onnxPerm = x.layout === 'nchw' ? perm.map((p) => NHWC_TO_NCHW_AXIS[p]!) : perm;
  const value = op.g.node('Transpose', [op.ctx.value(x)], { perm: attr.ints(onnxPerm) }, op.hint());
  return [op.out(value, x.dtype, shape)];
};

const gather: OpTranslator = (op) => {
  const params = op.input(0);
  const indices = op.input(1);
  if (op.attrs.int('batch_dims', 0) !== 0) op.fail('batch_dims other than 0 is not supported');
  const axis = op.axis(op.inputs.length > 2 ? op.constScalar(2, 'axis') : 0, params.shape.length);
  if (indices.dtype !== 'int32') op.fail(`indices of type ${indices.dtype} are not supported`);
  const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
  const value = op.g.node('Gather', [op.ctx.plain(params), op.ctx.plain(indices)], { axis: attr.int(axis) }, op.hint());
  return [op.out(value, params.dtype, shape)];
};

/** Shape-changing translators by TF op name. */
export const SHAPE_OPS: Record<string, OpTranslator> = {
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  ConcatV2: concat,
  Pad: pad(false),
  PadV2: pad(true),
  Transpose: transpose,
  GatherV2: gather,
};
