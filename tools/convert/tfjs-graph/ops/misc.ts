/**
 * @file The remaining ops: ResizeBilinear (ONNX Resize, linear, with the coordinate mode TF's
 * align_corners / half_pixel_centers select), TopKV2 (indices back to int32, ties to the lower
 * index as in TF.js) and MatMul / _FusedMatMul (transposes of constant operands done at
 * conversion time; BiasAdd and the activation after the product, as TF.js's fused kernel).
 */
import { attr, DataType } from '../../onnx/graph-builder.ts';
import { applyActivation, fusedOps, type OpTranslator } from './op-scope.ts';

const resizeBilinear: OpTranslator = (op) => {
  const x = op.input(0);
  if (x.shape.length !== 4) op.fail('images must be rank 4');
  const size = op.constNumbers(1, 'size');
  if (size.length !== 2 || size.some((d) => d <= 0)) op.fail(`size [${size}] must be two positive sizes`);
  const alignCorners = op.attrs.bool('align_corners', false);
  const halfPixel = op.attrs.bool('half_pixel_centers', false);
  if (alignCorners && halfPixel) op.fail('align_corners and half_pixel_centers cannot both be set');
  // TF: src = dst·(in/out) | dst·(in−1)/(out−1) | (dst+0.5)·(in/out)−0.5, clamped to the edges.
  const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  const g = op.g;
  const [n, , , c] = x.shape as [number, number, number, number];
  let sizes: string;
  if (n >= 0 && c >= 0) {
    sizes = g.i64(op.hint('sizes'), [n, c, size[0]!, size[1]!]);
  } else {
    // Batch or channels unknown: N and C come from the input's shape at run time.
    const nc = g.node(
      'Slice',
      [
        g.node('Shape', [op.ctx.nchw(x)], {}, op.hint('shape')),
        g.i64(op.hint('nc_start'), [0]),
        g.i64(op.hint('nc_end'), [2]),
      ],
      {},
      op.hint('nc'),
    );
    sizes = g.node('Concat', [nc, g.i64(op.hint('hw'), size)], { axis: attr.int(0) }, op.hint('sizes'));
  }
  const value = g.node(
    'Resize',
    [op.ctx.nchw(x), '', '', sizes],
    { coordinate_transformation_mode: attr.str(mode), mode: attr.str('linear') },
    op.hint(),
  );
  return [op.out(value, 'float32', [n, size[0]!, size[1]!, c], 'nchw')];
};

const topK: OpTranslator = (op) => {
  const x = op.input(0);
  const k = op.constScalar(1, 'k');
  const last = x.shape[x.shape.length - 1]!;
  if (last >= 0 && k > last) op.fail(`k ${k} exceeds the last dimension ${last}`);
  if (!op.attrs.bool('sorted', true)) op.fail('sorted=false is not supported');
  const [values, indices] = op.g.nodeN(
    'TopK',
    [op.ctx.plain(x), op.g.i64(op.hint('k'), [k])],
    2,
    { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
    op.hint(),
  ) as [string, string];
  const shape = [...x.shape.slice(0, -1), k];
  const indices32 = op.g.node('Cast', [indices], { to: attr.int(DataType.int32) }, op.hint('indices'));
  return [op.out(values, x.dtype, shape), op.out(indices32, 'int32', shape)];
};

function matMul(fused: boolean): OpTranslator {
  return (op) => {
    const a = op.input(0);
    const b = op.input(1);
    if (a.shape.length !== 2 || b.shape.length !== 2) op.fail('only rank-2 operands are supported');
    const ta = op.attrs.bool('transpose_a', false);
    const tb = op.attrs.bool('transpose_b', false);
    const g = op.g;
    const operand = (v: typeof a, transposed: boolean, which: string) => {
      if (!transposed) return op.ctx.plain(v);
      if (v.weight) return op.ctx.weightValue(v.weight, [1, 0]);
      return g.node('Transpose', [op.ctx.plain(v)], { perm: attr.ints([1, 0]) }, op.hint(which));
    };
    const m = ta ? a.shape[1]! : a.shape[0]!;
    const n = tb ? b.shape[0]! : b.shape[1]!;
    const extra = fused ? fusedOps(op, 2) : { act: null };
    const last = !extra.bias && !extra.act;
    let value = g.node(
      'MatMul',
      [operand(a, ta, 'a_t'), operand(b, tb, 'b_t')],
      {},
      last ? op.hint() : op.hint('matmul'),
    );
    if (extra.bias) {
      value = g.node('Add', [value, op.ctx.plain(extra.bias)], {}, extra.act ? op.hint('bias') : op.hint());
    }
    return [applyActivation(op, op.out(value, 'float32', [m, n]), extra.act, extra.alpha)];
  };
}

/** Resize, TopK and MatMul translators by TF op name. */
export const MISC_OPS: Record<string, OpTranslator> = {
  ResizeBilinear: resizeBilinear,
  TopKV2: topK,
  MatMul: matMul(false),
  _FusedMatMul: matMul(true),
};
