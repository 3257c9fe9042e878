/**
 * @file Converts face-api's SSD MobileNetV1 face detector (TF.js weights) into one ONNX graph:
 * RGB 0..255 in, final face boxes and scores out, with normalisation, box decoding and
 * NonMaxSuppression inside the graph so any ONNX runtime reproduces face-api's detections.
 * Mirrors face-api's mobileNetV1.ts, predictionLayer.ts and boxPredictionLayer.ts; the tail
 * (decode, NMS, clipping) lives in ssd-postprocess.ts.
 */
import { attr, GraphBuilder } from '../onnx/graph-builder.ts';
import { weightValue } from '../layers.ts';
import { requireWeight, type Weight } from '../weights.ts';
import type { WeightEncoding } from '../../../src/shared/manifest-types.ts';
import { SSD_NMS, ssdPostprocess } from './ssd-postprocess.ts';

/** Side of the square network input (face-api's SsdMobilenetv1 always uses 512). */
export const SSD_INPUT_SIZE = 512;

/** face-api's batch-norm epsilon (float32 of 0.001). */
const BN_EPSILON = 0.0010000000474974513;

/** A value flowing through the backbone with its spatial size and channel count. */
interface Feature {
  value: string;
  size: number;
  channels: number;
}

/** Builder state shared by the layer helpers. */
interface Ctx {
  g: GraphBuilder;
  weights: Map<string, Weight>;
  encoding: WeightEncoding;
}

/** TF 'SAME' padding as explicit ONNX pads: the odd pixel goes bottom/right. */
function samePads(size: number, kernel: number, stride: number): number[] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, before, total - before, total - before];
}

function param(ctx: Ctx, name: string, layout: 'as-is' | 'conv' | 'depthwise'): { value: string; shape: number[] } {
  const w = requireWeight(ctx.weights, name);
  return { value: weightValue(ctx.g, w, layout, ctx.encoding), shape: w.shape };
}

function relu6(ctx: Ctx, x: string, hint: string): string {
  const { g } = ctx;
  return g.node('Clip', [x, g.f32(`${hint}/lo`, [0], []), g.f32(`${hint}/hi`, [6], [])], {}, `${hint}/relu6`);
}

/** conv2d('same') + bias, optionally followed by face-api's clipByValue(0, 6). */
function conv(ctx: Ctx, x: Feature, prefix: string, biasName: string, stride: number, clip: boolean): Feature {
  const filters = param(ctx, `${prefix}/weights`, 'conv');
  const bias = param(ctx, `${prefix}/${biasName}`, 'as-is');
  const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
  if (cin !== x.channels) throw new Error(`${prefix}: expects ${cin} input channels but receives ${x.channels}`);
  const out = ctx.g.node(
    'Conv',
    [x.value, filters.value, bias.value],
    {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints(samePads(x.size, kh, stride)),
    },
    `${prefix}/conv`,
  );
  return { value: clip ? relu6(ctx, out, prefix) : out, size: Math.ceil(x.size / stride), channels: cout };
}

/** face-api's pointwiseConvLayer: conv2d('same') + batch_norm_offset, relu6. */
function pointwise(ctx: Ctx, x: Feature, prefix: string, stride: number): Feature {
  return conv(ctx, x, prefix, 'convolution_bn_offset', stride, true);
}

/** face-api's depthwiseConvLayer: depthwiseConv2d('same'), batchNorm(eps 1e-3), relu6. */
function depthwise(ctx: Ctx, x: Feature, prefix: string, stride: number): Feature {
  const { g } = ctx;
  const filters = param(ctx, `${prefix}/depthwise_weights`, 'depthwise');
  const [kh, kw] = filters.shape as [number, number];
  const convOut = g.node(
    'Conv',
    [x.value, filters.value],
    {
      group: attr.int(x.channels),
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints(samePads(x.size, kh, stride)),
    },
    `${prefix}/conv`,
  );
  const bn = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map(
    (p) => param(ctx, `${prefix}/BatchNorm/${p}`, 'as-is').value,
  );
  const normed = g.node('BatchNormalization', [convOut, ...bn], { epsilon: attr.float(BN_EPSILON) }, `${prefix}/bn`);
  return { value: relu6(ctx, normed, prefix), size: Math.ceil(x.size / stride), channels: x.channels };
}

/** MobileNetV1 backbone; returns conv_11 (32×32×512) and the final 16×16×1024 map. */
function mobileNetV1(ctx: Ctx, input: Feature): { conv11: Feature; out: Feature } {
  let out = pointwise(ctx, input, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: Feature | undefined;
  for (let i = 1; i <= 13; i++) {
    const stride = [2, 4, 6, 12].includes(i) ? 2 : 1;
    out = depthwise(ctx, out, `MobilenetV1/Conv2d_${i}_depthwise`, stride);
    out = pointwise(ctx, out, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = out;
  }
  if (!conv11) throw new Error('MobileNetV1 has no conv_11 output');
  return { conv11, out };
}

/** One BoxPredictor: 1×1 convs, NHWC-ordered reshapes to [1, H·W·k, 4] and [1, H·W·k, 3]. */
function boxPredictor(ctx: Ctx, x: Feature, idx: number): { enc: string; cls: string; anchors: number } {
  const { g } = ctx;
  const prefix = `Prediction/BoxPredictor_${idx}`;
  const toRows = (f: Feature, width: number, hint: string): string => {
    const nhwc = g.node('Transpose', [f.value], { perm: attr.ints([0, 2, 3, 1]) }, `${hint}/nhwc`);
    return g.node('Reshape', [nhwc, g.i64(`${hint}/shape`, [1, -1, width])], {}, `${hint}/rows`);
  };
  const enc = conv(ctx, x, `${prefix}/BoxEncodingPredictor`, 'biases', 1, false);
  const cls = conv(ctx, x, `${prefix}/ClassPredictor`, 'biases', 1, false);
  return {
    enc: toRows(enc, 4, `${prefix}/enc`),
    cls: toRows(cls, 3, `${prefix}/cls`),
    anchors: (x.size * x.size * enc.channels) / 4,
  };
}

/** Builds the 512×512 SSD MobileNetV1 face detector as ONNX bytes (deterministic). */
export function buildSsdMobilenetV1(weights: Map<string, Weight>, encoding: WeightEncoding): Uint8Array {
  const g = new GraphBuilder('ssd_mobilenetv1');
  const ctx: Ctx = { g, weights, encoding };
  const size = SSD_INPUT_SIZE;
  const image = g.input('image', 'float32', [1, 3, size, size]);

  // face-api: tf.sub(tf.div(x, 127.5), 1); kept as Div then Sub for bit-equal inputs.
  const scaled = g.node('Div', [image, g.f32('pre/divisor', [127.5], [])], {}, 'pre/scaled');
  const normed = g.node('Sub', [scaled, g.f32('pre/one', [1], [])], {}, 'pre/normed');

  const { conv11, out } = mobileNetV1(ctx, { value: normed, size, channels: 3 });
  const p: Feature[] = [];
  let x = out;
  for (let i = 0; i < 8; i++) {
    x = pointwise(ctx, x, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    p.push(x);
  }
  const sources = [conv11, out, p[1]!, p[3]!, p[5]!, p[7]!];
  const heads = sources.map((f, i) => boxPredictor(ctx, f, i));
  const anchors = heads.reduce((n, h) => n + h.anchors, 0);

  const priorsWeight = requireWeight(weights, 'Output/extra_dim');
  if (priorsWeight.shape.join() !== `1,${anchors},4`) {
    throw new Error(
      `Output/extra_dim has shape [${priorsWeight.shape.join(', ')}] but the heads produce ${anchors} anchors`,
    );
  }
  const concatRows = (rows: string[], hint: string): string => g.node('Concat', rows, { axis: attr.int(1) }, hint);
  const boxEncodings = concatRows(
    heads.map((h) => h.enc),
    'heads/box_encodings',
  );
  const classLogits = concatRows(
    heads.map((h) => h.cls),
    'heads/class_logits',
  );
  const priors = weightValue(g, priorsWeight, 'as-is', encoding);
  const result = ssdPostprocess(g, { boxEncodings, classLogits, anchors }, priors);
  g.output(result.boxes, 'boxes', 'float32', ['n', 4]);
  g.output(result.scores, 'scores', 'float32', ['n']);
  return g.toModel({
    doc: 'face-api SSD MobileNetV1 face detector: image [1,3,512,512] RGB 0..255 → boxes [n,4] (x1,y1,x2,y2 relative to the square input), scores [n]',
    metadata: {
      source: '@vladmandic/face-api ssd_mobilenetv1_model',
      encoding,
      'input-size': String(size),
      'min-confidence': String(SSD_NMS.minConfidence),
      'iou-threshold': String(SSD_NMS.iouThreshold),
      'max-results': String(SSD_NMS.maxResults),
    },
  });
}
