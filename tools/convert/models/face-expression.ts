/**
 * @file Converts face-api's FaceExpressionNet (FaceFeatureExtractor: four dense blocks of
 * separable convolutions, TF.js weights) into one ONNX graph: face crops [b,3,112,112] RGB
 * 0..255 → expression [b,7] softmax probabilities (neutral, happy, sad, angry, fearful,
 * disgusted, surprised). Mirrors faceFeatureExtractor/FaceFeatureExtractor.ts, denseBlock.ts
 * and faceExpressionNet/FaceExpressionNet.ts.
 */
import type { Weight } from '../weights.ts';
import type { WeightEncoding } from '../../../src/shared/manifest-types.ts';
import {
  add,
  conv2d,
  dense,
  globalAveragePool,
  separableConv2d,
  relu,
  type Feature,
  type LayerContext,
} from './common-ops.ts';
import { FACE_NET_INPUT, softmax, startFaceNet } from './face-net-input.ts';

/** face-api's expression classes in output order. */
export const EXPRESSION_CLASSES = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** denseBlock4: every conv sees the sum of all earlier outputs; sums keep face-api's nesting. */
function denseBlock4(ctx: LayerContext, x: Feature, prefix: string, isFirstLayer: boolean): Feature {
  const first = isFirstLayer
    ? conv2d(ctx, x, `${prefix}/conv0`, 2, 'same')
    : separableConv2d(ctx, x, `${prefix}/conv0`, 2, 'same');
  const out1 = relu(ctx, first, `${prefix}/conv0`);
  const out2 = separableConv2d(ctx, out1, `${prefix}/conv1`, 1, 'same');
  const in3 = relu(ctx, add(ctx, out1, out2, `${prefix}/in3`), `${prefix}/in3`);
  const out3 = separableConv2d(ctx, in3, `${prefix}/conv2`, 1, 'same');
  const in4 = relu(ctx, add(ctx, out1, add(ctx, out2, out3, `${prefix}/in4_23`), `${prefix}/in4`), `${prefix}/in4`);
  const out4 = separableConv2d(ctx, in4, `${prefix}/conv3`, 1, 'same');
  const tail = add(ctx, out2, add(ctx, out3, out4, `${prefix}/out_34`), `${prefix}/out_234`);
  return relu(ctx, add(ctx, out1, tail, `${prefix}/out`), `${prefix}/out`);
}

/** Builds the expression net as ONNX bytes (deterministic), batch dimension symbolic ('b'). */
export function buildFaceExpression(
  weights: Map<string, Weight>,
  encoding: WeightEncoding,
  metadata: Record<string, string> = {},
): Uint8Array {
  const { g, ctx, input } = startFaceNet('face_expression', weights, encoding);
  const size = FACE_NET_INPUT.size;
  let out = input;
  for (let i = 0; i < 4; i++) out = denseBlock4(ctx, out, `dense${i}`, i === 0);

  const logits = dense(ctx, globalAveragePool(ctx, out, 7, 'pool'), 'fc');
  const probabilities = softmax(g, logits, 'expression/softmax');
  g.output(probabilities, 'expression', 'float32', ['b', EXPRESSION_CLASSES.length]);
  return g.toModel({
    doc: `face-api FaceExpressionNet: faces [b,3,${size},${size}] RGB 0..255 → expression [b,7] probabilities (${EXPRESSION_CLASSES.join(', ')})`,
    metadata: { ...metadata, encoding, 'input-size': String(size), labels: EXPRESSION_CLASSES.join(',') },
  });
}
