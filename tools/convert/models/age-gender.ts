/**
 * @file Converts face-api's AgeGenderNet (TinyXception backbone with two main blocks, TF.js
 * weights) into one ONNX graph: face crops [b,3,112,112] RGB 0..255 → age [b,1] (years) and
 * gender [b,2] (P(male), P(female)). Mirrors face-api's xception/TinyXception.ts and
 * ageGenderNet/AgeGenderNet.ts layer for layer.
 */
import type { Weight } from '../weights.ts';
import type { WeightEncoding } from '../../../src/shared/manifest-types.ts';
import {
  add,
  conv2d,
  dense,
  globalAveragePool,
  maxPool,
  separableConv2d,
  relu,
  type Feature,
  type LayerContext,
} from './common-ops.ts';
import { FACE_NET_INPUT, softmax, startFaceNet } from './face-net-input.ts';

/** AgeGenderNet uses TinyXception(2): two middle-flow main blocks. */
const MAIN_BLOCKS = 2;

const sep = (ctx: LayerContext, x: Feature, prefix: string): Feature => separableConv2d(ctx, x, prefix, 1, 'same');

function reductionBlock(ctx: LayerContext, x: Feature, prefix: string, activateInput: boolean): Feature {
  let out = activateInput ? relu(ctx, x, `${prefix}/in`) : x;
  out = sep(ctx, out, `${prefix}/separable_conv0`);
  out = sep(ctx, relu(ctx, out, `${prefix}/separable_conv0`), `${prefix}/separable_conv1`);
  out = maxPool(ctx, out, 3, 2, 'same', `${prefix}/pool`);
  // The shortcut takes the block input before its activation.
  return add(ctx, out, conv2d(ctx, x, `${prefix}/expansion_conv`, 2, 'same'), `${prefix}/sum`);
}

function mainBlock(ctx: LayerContext, x: Feature, prefix: string): Feature {
  let out = sep(ctx, relu(ctx, x, `${prefix}/in`), `${prefix}/separable_conv0`);
  out = sep(ctx, relu(ctx, out, `${prefix}/separable_conv0`), `${prefix}/separable_conv1`);
  out = sep(ctx, relu(ctx, out, `${prefix}/separable_conv1`), `${prefix}/separable_conv2`);
  return add(ctx, out, x, `${prefix}/sum`);
}

/** Builds the age/gender net as ONNX bytes (deterministic), batch dimension symbolic ('b'). */
export function buildAgeGender(
  weights: Map<string, Weight>,
  encoding: WeightEncoding,
  metadata: Record<string, string> = {},
): Uint8Array {
  const { g, ctx, input } = startFaceNet('age_gender', weights, encoding);
  const size = FACE_NET_INPUT.size;
  let out = input;

  out = relu(ctx, conv2d(ctx, out, 'entry_flow/conv_in', 2, 'same'), 'entry_flow/conv_in');
  out = reductionBlock(ctx, out, 'entry_flow/reduction_block_0', false);
  out = reductionBlock(ctx, out, 'entry_flow/reduction_block_1', true);
  for (let i = 0; i < MAIN_BLOCKS; i++) out = mainBlock(ctx, out, `middle_flow/main_block_${i}`);
  out = reductionBlock(ctx, out, 'exit_flow/reduction_block', true);
  out = relu(ctx, sep(ctx, out, 'exit_flow/separable_conv'), 'exit_flow/separable_conv');

  const pooled = globalAveragePool(ctx, out, 7, 'pool');
  const age = dense(ctx, pooled, 'fc/age');
  const gender = softmax(g, dense(ctx, pooled, 'fc/gender'), 'gender/softmax');
  g.output(age, 'age', 'float32', ['b', 1]);
  g.output(gender, 'gender', 'float32', ['b', 2]);
  return g.toModel({
    doc: `face-api AgeGenderNet: faces [b,3,${size},${size}] RGB 0..255 → age [b,1] years, gender [b,2] probabilities (male, female)`,
    metadata: { ...metadata, encoding, 'input-size': String(size), labels: 'male,female' },
  });
}
