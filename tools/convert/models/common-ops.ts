/**
 * @file Layer helpers shared by the face-api converters: TF.js convolutions, separable
 * convolutions, pooling and dense layers as ONNX nodes. Feature maps carry their static
 * spatial size so TF's 'SAME' padding can be written as explicit ONNX pads with the odd pixel
 * at the bottom/right, as TF puts it (ONNX's auto_pad SAME_UPPER would agree, but explicit pads
 * keep the graph self-evident and valid for every runtime).
 */
import { attr, type GraphBuilder } from '../onnx/graph-builder.ts';
import { weightValue } from '../layers.ts';
import { samePadding } from '../padding.ts';
import { requireWeight, type Weight } from '../weights.ts';
import type { WeightEncoding } from '../../../src/shared/manifest-types.ts';

/** An NCHW feature map: value name plus its static channel count and spatial size. */
export interface Feature {
  value: string;
  channels: number;
  height: number;
  width: number;
}

/** TF padding modes, plus an explicit symmetric pad applied before a 'valid' op. */
export type Padding = 'same' | 'valid' | { symmetric: number };

/** Everything a converter needs to read weights: the map, the encoding and the graph. */
export interface LayerContext {
  g: GraphBuilder;
  weights: Map<string, Weight>;
  encoding: WeightEncoding;
}

/** ONNX pads [top, left, bottom, right] and the output size for a TF-style window op. */
export function windowGeometry(
  x: Feature,
  kernel: number,
  stride: number,
  padding: Padding,
): { pads: number[]; height: number; width: number } {
  if (padding === 'same') {
    const h = samePadding(x.height, kernel, stride);
    const w = samePadding(x.width, kernel, stride);
    return { pads: [h.begin, w.begin, h.end, w.end], height: h.out, width: w.out };
  }
  const p = padding === 'valid' ? 0 : padding.symmetric;
  const size = (n: number) => Math.floor((n + 2 * p - kernel) / stride) + 1;
  return { pads: [p, p, p, p], height: size(x.height), width: size(x.width) };
}

function kernelSize(w: Weight): number {
  const [kh, kw] = w.shape;
  if (kh !== kw)
    throw new Error(`weight ${w.name} has a non-square kernel ${kh}x${kw}; the converter only handles square kernels`);
  return kh!;
}

/** Regular convolution with bias: TF `conv2d(x, prefix/filters) + prefix/bias`. */
export function conv2d(ctx: LayerContext, x: Feature, prefix: string, stride: number, padding: Padding): Feature {
  const filters = requireWeight(ctx.weights, `${prefix}/filters`);
  const bias = requireWeight(ctx.weights, `${prefix}/bias`);
  const k = kernelSize(filters);
  const geo = windowGeometry(x, k, stride, padding);
  const value = ctx.g.node(
    'Conv',
    [x.value, weightValue(ctx.g, filters, 'conv', ctx.encoding), weightValue(ctx.g, bias, 'as-is', ctx.encoding)],
    { kernel_shape: attr.ints([k, k]), strides: attr.ints([stride, stride]), pads: attr.ints(geo.pads) },
    prefix,
  );
  return { value, channels: filters.shape[3]!, height: geo.height, width: geo.width };
}

/**
 * TF `separableConv2d(x, depthwise_filter, pointwise_filter) + bias`: a grouped (depthwise)
 * convolution carrying the stride and padding, then a 1×1 convolution with the bias.
 */
export function separableConv2d(
  ctx: LayerContext,
  x: Feature,
  prefix: string,
  stride: number,
  padding: Padding,
): Feature {
  const depthwise = requireWeight(ctx.weights, `${prefix}/depthwise_filter`);
  const pointwise = requireWeight(ctx.weights, `${prefix}/pointwise_filter`);
  const bias = requireWeight(ctx.weights, `${prefix}/bias`);
  const k = kernelSize(depthwise);
  const geo = windowGeometry(x, k, stride, padding);
  const dw = ctx.g.node(
    'Conv',
    [x.value, weightValue(ctx.g, depthwise, 'depthwise', ctx.encoding)],
    {
      group: attr.int(x.channels),
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints(geo.pads),
    },
    `${prefix}/depthwise`,
  );
  const value = ctx.g.node(
    'Conv',
    [dw, weightValue(ctx.g, pointwise, 'conv', ctx.encoding), weightValue(ctx.g, bias, 'as-is', ctx.encoding)],
    { kernel_shape: attr.ints([1, 1]) },
    `${prefix}/pointwise`,
  );
  return { value, channels: pointwise.shape[3]!, height: geo.height, width: geo.width };
}

/** TF `maxPool` (padding never wins: ONNX pads MaxPool with −∞ like TF). */
export function maxPool(
  ctx: LayerContext,
  x: Feature,
  kernel: number,
  stride: number,
  padding: Padding,
  hint: string,
): Feature {
  const geo = windowGeometry(x, kernel, stride, padding);
  const value = ctx.g.node(
    'MaxPool',
    [x.value],
    { kernel_shape: attr.ints([kernel, kernel]), strides: attr.ints([stride, stride]), pads: attr.ints(geo.pads) },
    hint,
  );
  return { ...x, value, height: geo.height, width: geo.width };
}

/** An element-wise op that keeps the feature's shape (Relu, LeakyRelu, ...). */
export function unary(ctx: LayerContext, x: Feature, op: string, hint: string, attrs = {}): Feature {
  return { ...x, value: ctx.g.node(op, [x.value], attrs, hint) };
}

/** Element-wise sum of two same-shaped features. */
/** ReLU, named after the layer it follows. */
export function relu(ctx: LayerContext, x: Feature, hint: string): Feature {
  return unary(ctx, x, 'Relu', `${hint}/relu`);
}

export function add(ctx: LayerContext, a: Feature, b: Feature, hint: string): Feature {
  if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width) {
    throw new Error(
      `${hint}: cannot add ${a.channels}x${a.height}x${a.width} and ${b.channels}x${b.height}x${b.width}`,
    );
  }
  return { ...a, value: ctx.g.node('Add', [a.value, b.value], {}, hint) };
}

/**
 * Converts RGB 0..255 input to TF's `(x − mean) / 255`, keeping face-api's operation order
 * (subtract, then divide) so rounding matches.
 */
export function normalizeRgb(
  ctx: LayerContext,
  input: Feature,
  meanRgb: readonly [number, number, number],
  hint: string,
): Feature {
  const mean = ctx.g.f32(`${hint}/mean`, [...meanRgb], [1, 3, 1, 1]);
  const centred = ctx.g.node('Sub', [input.value, mean], {}, `${hint}/centre`);
  return { ...input, value: ctx.g.node('Div', [centred, ctx.g.f32(`${hint}/scale`, [255], [])], {}, `${hint}/scale`) };
}

/** TF `avgPool` over the whole (valid) map followed by a flatten → [b, channels]. */
export function globalAveragePool(ctx: LayerContext, x: Feature, kernel: number, hint: string): string {
  if (x.height !== kernel || x.width !== kernel) {
    throw new Error(
      `${hint}: a ${kernel}x${kernel} valid pool on a ${x.height}x${x.width} map is not global; extend the converter`,
    );
  }
  const pooled = ctx.g.node('GlobalAveragePool', [x.value], {}, hint);
  return ctx.g.node('Flatten', [pooled], { axis: attr.int(1) }, `${hint}/flatten`);
}

/** TF `matMul(x, prefix/weights) + prefix/bias` on a [b, in] value → [b, out]. */
export function dense(ctx: LayerContext, x: string, prefix: string): string {
  const w = requireWeight(ctx.weights, `${prefix}/weights`);
  const b = requireWeight(ctx.weights, `${prefix}/bias`);
  const product = ctx.g.node('MatMul', [x, weightValue(ctx.g, w, 'as-is', ctx.encoding)], {}, `${prefix}/matmul`);
  return ctx.g.node('Add', [product, weightValue(ctx.g, b, 'as-is', ctx.encoding)], {}, prefix);
}
