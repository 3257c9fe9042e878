/**
 * @file Reductions (Mean, Sum, Max, Min) and Softmax. On an NCHW map the TF axes are mapped to
 * NCHW positions; when dropping axes leaves the survivors in an order other than TF's, one
 * Transpose restores it (dropping H and W, the global-pooling case, needs none).
 */
import { attr } from '../../onnx/graph-builder.ts';
import { NHWC_TO_NCHW_AXIS, type Value } from '../context.ts';
import type { OpScope, OpTranslator } from './op-scope.ts';

/**
 * After an ONNX op dropped the NCHW positions of TF axes `removed` from a rank-4 NCHW value,
 * returns the result in TF order.
 */
export function afterDroppingNchwAxes(op: OpScope, onnx: string, removed: readonly number[]): string {
  const kept = [0, 1, 2, 3].filter((a) => !removed.includes(a));
  const onnxOrder = [...kept].sort((a, b) => NHWC_TO_NCHW_AXIS[a]! - NHWC_TO_NCHW_AXIS[b]!);
  const perm = kept.map((a) => onnxOrder.indexOf(a));
  if (perm.every((p, i) => p === i)) return onnx;
  return op.g.node('Transpose', [onnx], { perm: attr.ints(perm) }, op.hint('tf_order'));
}

/** Reduction axes from constant input 1: normalised, unique, ascending. */
function reductionAxes(op: OpScope, rank: number): number[] {
  const axes = op.constNumbers(1, 'reduction_indices').map((a) => op.axis(a, rank));
  return [...new Set(axes)].sort((a, b) => a - b);
}

/** `axesAsInput`: ReduceSum takes axes as an input from opset 13, the others from opset 18. */
function reduce(onnxOp: string, axesAsInput: boolean): OpTranslator {
  return (op) => {
    const x = op.input(0);
    const rank = x.shape.length;
    const axes = reductionAxes(op, rank);
    const keep = op.attrs.bool('keep_dims', false);
    if (axes.length === 0) return [x];
    const nchw = x.layout === 'nchw';
    const onnxAxes = nchw ? axes.map((a) => NHWC_TO_NCHW_AXIS[a]!).sort((a, b) => a - b) : axes;
    const inputs = [op.ctx.value(x)];
    const attrs: Record<string, ReturnType<typeof attr.int>> = { keepdims: attr.int(keep ? 1 : 0) };
    if (axesAsInput) inputs.push(op.g.i64(op.hint('axes'), onnxAxes));
    else attrs.axes = attr.ints(onnxAxes);
    const reduced = op.g.node(onnxOp, inputs, attrs, keep || !nchw ? op.hint() : op.hint('reduced'));
    const shape = keep
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    if (keep) return [op.out(reduced, x.dtype, shape, x.layout)];
    return [op.out(nchw ? afterDroppingNchwAxes(op, reduced, axes) : reduced, x.dtype, shape)];
  };
}

const softmax: OpTranslator = (op) => {
  const x = op.input(0);
  const axis = x.layout === 'nchw' ? 1 : -1;
  const value = op.g.node('Softmax', [op.ctx.value(x)], { axis: attr.int(axis) }, op.hint());
  return [{ ...x, weight: undefined, onnx: value } satisfies Value];
};

/** Reduction and softmax translators by TF op name. */
export const REDUCE_OPS: Record<string, OpTranslator> = {
  Mean: reduce('ReduceMean', false),
  Sum: reduce('ReduceSum', true),
  Max: reduce('ReduceMax', false),
  Min: reduce('ReduceMin', false),
  Softmax: softmax,
};
