/**
 * @file Window ops on NHWC feature maps, emitted as NCHW ONNX ops: Conv2D and depthwise
 * convolutions (plain and fused with BiasAdd + activation) and max/average pooling. Filters are
 * laid out once at conversion time (HWIO → OIHW; depthwise [kh,kw,C,M] → [C·M,1,kh,kw]) and TF's
 * SAME/VALID/EXPLICIT padding becomes explicit ONNX pads computed from the static input size.
 */
import { attr } from '../../onnx/graph-builder.ts';
import { explicitPadding, samePadding, type AxisGeometry } from '../../padding.ts';
import type { Value } from '../context.ts';
import { applyActivation, fusedOps, type OpScope, type OpTranslator } from './op-scope.ts';

const OIHW = [3, 2, 0, 1] as const; // [kh,kw,I,O] → [O,I,kh,kw]
const DEPTHWISE = [2, 3, 0, 1] as const; // [kh,kw,C,M] → [C,M,kh,kw]

/** Reads data_format (NHWC only) and a 4-element NHWC attribute's spatial pair. */
function spatial(op: OpScope, name: string, fallback?: number[]): [number, number] {
  const v = op.attrs.ints(name, fallback);
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) op.fail(`${name} [${v}] must be [1, h, w, 1]`);
  return [v[1]!, v[2]!];
}

function requireNhwc(op: OpScope): void {
  const format = op.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') op.fail(`data_format ${format} is not supported (only NHWC, as TF.js)`);
}

/** Output sizes and ONNX pads [top, left, bottom, right] of a window op on `x`. */
function geometry(
  op: OpScope,
  x: Value,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): { pads: number[]; height: number; width: number } {
  const padding = op.attrs.string('padding');
  const [h, w] = [x.shape[1]!, x.shape[2]!];
  if (h < 0 || w < 0) op.fail(`input height/width must be known statically, got [${x.shape}]`);
  let gh: AxisGeometry;
  let gw: AxisGeometry;
  if (padding === 'SAME') {
    gh = samePadding(h, kernel[0], strides[0], dilations[0]);
    gw = samePadding(w, kernel[1], strides[1], dilations[1]);
  } else if (padding === 'VALID') {
    gh = explicitPadding(h, kernel[0], strides[0], dilations[0]);
    gw = explicitPadding(w, kernel[1], strides[1], dilations[1]);
  } else if (padding === 'EXPLICIT') {
    const p = op.attrs.ints('explicit_paddings');
    if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) op.fail(`explicit_paddings [${p}] must pad only H and W`);
    gh = explicitPadding(h, kernel[0], strides[0], dilations[0], p[2], p[3]);
    gw = explicitPadding(w, kernel[1], strides[1], dilations[1], p[4], p[5]);
  } else {
    return op.fail(`padding "${padding}" is not supported (SAME, VALID, EXPLICIT)`);
  }
  if (gh.out <= 0 || gw.out <= 0) op.fail(`the window does not fit the ${h}x${w} input`);
  return { pads: [gh.begin, gw.begin, gh.end, gw.end], height: gh.out, width: gw.out };
}

/** The filter in ONNX layout: constants are rearranged now, computed filters by a Transpose. */
function filterValue(op: OpScope, filter: Value, depthwise: boolean): string {
  const [kh, kw, c, m] = filter.shape as [number, number, number, number];
  const perm = depthwise ? DEPTHWISE : OIHW;
  const dims = depthwise ? [c * m, 1, kh, kw] : [m, c, kh, kw];
  if (filter.weight) return op.ctx.weightValue(filter.weight, perm, dims);
  const t = op.g.node('Transpose', [op.ctx.plain(filter)], { perm: attr.ints(perm) }, op.hint('filter'));
  return depthwise ? op.g.node('Reshape', [t, op.g.i64(op.hint('filter_shape'), dims)], {}, op.hint('filter')) : t;
}

function convolution(op: OpScope, depthwise: boolean, fused: boolean): Value[] {
  requireNhwc(op);
  const x = op.input(0);
  const filter = op.input(1);
  if (x.shape.length !== 4 || filter.shape.length !== 4) op.fail('input and filter must be rank 4');
  if (x.dtype !== 'float32') op.fail(`input type ${x.dtype} is not supported`);
  const [kh, kw, inC, mult] = filter.shape as [number, number, number, number];
  const channels = x.shape[3]!;
  if (channels !== -1 && channels !== inC) {
    op.fail(`input has ${channels} channels but the filter expects ${inC} (grouped convolutions are not supported)`);
  }
  const strides = spatial(op, 'strides');
  const dilations = spatial(op, 'dilations', [1, 1, 1, 1]);
  const geo = geometry(op, x, [kh, kw], strides, dilations);
  const extra = fused ? fusedOps(op, 2) : { act: null };
  const inputs = [op.ctx.nchw(x), filterValue(op, filter, depthwise)];
  if (extra.bias) inputs.push(op.ctx.plain(extra.bias));
  const attrs = {
    dilations: attr.ints(dilations),
    kernel_shape: attr.ints([kh, kw]),
    pads: attr.ints(geo.pads),
    strides: attr.ints(strides),
    ...(depthwise ? { group: attr.int(inC) } : {}),
  };
  const outC = depthwise ? inC * mult : mult;
  const conv = op.g.node('Conv', inputs, attrs, extra.act ? op.hint('conv') : op.hint());
  const value = op.out(conv, 'float32', [x.shape[0]!, geo.height, geo.width, outC], 'nchw');
  return [applyActivation(op, value, extra.act, extra.alpha)];
}

function pool(op: OpScope, onnxOp: 'MaxPool' | 'AveragePool'): Value[] {
  requireNhwc(op);
  const x = op.input(0);
  if (x.shape.length !== 4) op.fail('input must be rank 4');
  const kernel = spatial(op, 'ksize');
  const strides = spatial(op, 'strides');
  const geo = geometry(op, x, kernel, strides, [1, 1]);
  // TF pools ignore padded cells (max: never chosen; average: not counted) — ONNX's defaults.
  const value = op.g.node(
    onnxOp,
    [op.ctx.nchw(x)],
    { kernel_shape: attr.ints(kernel), pads: attr.ints(geo.pads), strides: attr.ints(strides) },
    op.hint(),
  );
  return [op.out(value, x.dtype, [x.shape[0]!, geo.height, geo.width, x.shape[3]!], 'nchw')];
}

/** Convolution and pooling translators by TF op name. */
export const CONV_OPS: Record<string, OpTranslator> = {
  Conv2D: (op) => convolution(op, false, false),
  _FusedConv2D: (op) => convolution(op, false, true),
  DepthwiseConv2dNative: (op) => convolution(op, true, false),
  DepthwiseConv2d: (op) => convolution(op, true, false),
  FusedDepthwiseConv2dNative: (op) => convolution(op, true, true),
  MaxPool: (op) => pool(op, 'MaxPool'),
  AvgPool: (op) => pool(op, 'AveragePool'),
};
