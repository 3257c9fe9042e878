/**
 * @file What face-api's 112×112 face nets share: the input convention (FaceFeatureExtractor
 * and TinyXception both normalise with these means before dividing by 255), the graph prologue
 * that declares and normalises the `faces` input, and the softmax head they end with.
 */
import { attr, GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weight } from '../weights.ts';
import type { WeightEncoding } from '../../../src/shared/manifest-types.ts';
import { normalizeRgb, type Feature, type LayerContext } from './common-ops.ts';

/** Side of the square face crop and the per-channel means subtracted in-graph. */
export const FACE_NET_INPUT = {
  size: 112,
  meanRgb: [122.782, 117.001, 104.298] as const,
} as const;

/** A face net's graph with `faces` [b,3,112,112] (RGB 0..255) declared and normalised. */
export interface FaceNetStart {
  g: GraphBuilder;
  ctx: LayerContext;
  /** The normalised input, ready for the first layer. */
  input: Feature;
}

/** Starts the graph `name`: the prologue every face net shares. */
export function startFaceNet(name: string, weights: Map<string, Weight>, encoding: WeightEncoding): FaceNetStart {
  const g = new GraphBuilder(name);
  const ctx: LayerContext = { g, weights, encoding };
  const { size, meanRgb } = FACE_NET_INPUT;
  const faces = g.input('faces', 'float32', ['b', 3, size, size]);
  const input = normalizeRgb(ctx, { value: faces, channels: 3, height: size, width: size }, meanRgb, 'pre');
  return { g, ctx, input };
}

/** Softmax over the last axis of `logits`. */
export function softmax(g: GraphBuilder, logits: string, name: string): string {
  return g.node('Softmax', [logits], { axis: attr.int(-1) }, name);
}
