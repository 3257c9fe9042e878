/**
 * @file Per-op parity for the window ops: Conv2D, _FusedConv2D, DepthwiseConv2dNative,
 * FusedDepthwiseConv2dNative, MaxPool, AvgPool — every stride/padding/dilation/fused-activation
 * variant the five target models use (and the neighbours TF can emit), plus filters stored in
 * each compact weight encoding. TF.js cpu backend vs onnxruntime-web, seeded random inputs.
 */
import { a, type GraphFixture, type WeightEncoding } from './helpers/graph-fixture.ts';
import type { OpCase } from './helpers/op-harness.ts';
import { opSuite, randomFeed, randomValues } from './helpers/op-suite.ts';

interface ConvSpec {
  input: [number, number, number, number];
  kernel: [number, number];
  outChannels: number;
  stride?: number;
  padding?: 'SAME' | 'VALID' | 'EXPLICIT';
  explicit?: number[];
  dilation?: number;
  fused?: string[];
  encoding?: WeightEncoding;
  /** Declare the batch as unknown (-1) in the graph; 2 images are fed. */
  dynamicBatch?: boolean;
}

let seed = 100;

function convCase(
  op: 'Conv2D' | '_FusedConv2D' | 'DepthwiseConv2dNative' | 'FusedDepthwiseConv2dNative',
  s: ConvSpec,
): OpCase {
  const depthwise = op.includes('Depthwise');
  const c = s.input[3];
  const filterShape = [s.kernel[0], s.kernel[1], c, s.outChannels];
  const outC = depthwise ? c * s.outChannels : s.outChannels;
  const stride = s.stride ?? 1;
  const dilation = s.dilation ?? 1;
  const padding = s.padding ?? 'SAME';
  const act = s.fused?.[1];
  const name =
    `${op} ${s.kernel.join('x')} s${stride}${dilation > 1 ? ` d${dilation}` : ''} ${padding}` +
    `${s.fused ? ` [${s.fused.join('+')}]` : ''} in [${s.input}]${depthwise ? ` ×${s.outChannels}` : ` → ${outC}`}` +
    `${s.encoding && s.encoding !== 'float32' ? ` ${s.encoding} filter` : ''}${s.dynamicBatch ? ' batch -1' : ''}`;
  const base = seed;
  seed += 10;
  return {
    name,
    feeds: { x: randomFeed(base, s.dynamicBatch ? [2, ...s.input.slice(1)] : s.input) },
    graph: (f: GraphFixture) => {
      f.placeholder('x', s.dynamicBatch ? [-1, ...s.input.slice(1)] : s.input);
      const inputs = ['x', f.const('w', filterShape, randomValues(base + 1, filterShape), 'float32', s.encoding)];
      if (s.fused) inputs.push(f.const('b', [outC], randomValues(base + 2, [outC], -0.5, 0.5)));
      if (act === 'Prelu') inputs.push(f.const('alpha', [outC], randomValues(base + 3, [outC], 0, 0.5)));
      const attrs = {
        strides: a.ints([1, stride, stride, 1]),
        dilations: a.ints([1, dilation, dilation, 1]),
        padding: a.s(padding),
        data_format: a.s('NHWC'),
        explicit_paddings: a.ints(s.explicit ?? []),
        ...(s.fused ? { fused_ops: a.strs(s.fused), num_args: a.i(inputs.length - 2) } : {}),
        ...(act === 'LeakyRelu' ? { leakyrelu_alpha: a.f(0.1) } : {}),
      };
      return [f.node('conv', op, inputs, attrs)];
    },
  };
}

function poolCase(
  op: 'MaxPool' | 'AvgPool',
  input: [number, number, number, number],
  k: number,
  stride: number,
  padding: 'SAME' | 'VALID',
): OpCase {
  const base = seed;
  seed += 10;
  return {
    name: `${op} ${k}x${k} s${stride} ${padding} in [${input}]`,
    feeds: { x: randomFeed(base, input) },
    tolerance: op === 'MaxPool' ? 0 : undefined,
    graph: (f) => {
      f.placeholder('x', input);
      return [
        f.node('pool', op, ['x'], {
          ksize: a.ints([1, k, k, 1]),
          strides: a.ints([1, stride, stride, 1]),
          padding: a.s(padding),
          data_format: a.s('NHWC'),
        }),
      ];
    },
  };
}

opSuite('convolution and pooling ops', [
  convCase('Conv2D', { input: [1, 9, 9, 3], kernel: [3, 3], outChannels: 4 }),
  convCase('Conv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, stride: 2 }), // SAME odd pad: extra at the end
  convCase('Conv2D', { input: [1, 7, 7, 3], kernel: [3, 3], outChannels: 4, stride: 2 }),
  convCase('Conv2D', { input: [2, 6, 10, 5], kernel: [1, 1], outChannels: 6 }),
  convCase('Conv2D', { input: [1, 9, 8, 3], kernel: [3, 3], outChannels: 4, stride: 2, padding: 'VALID' }),
  convCase('Conv2D', { input: [1, 10, 10, 2], kernel: [3, 3], outChannels: 3, dilation: 2 }),
  convCase('Conv2D', {
    input: [1, 8, 9, 2],
    kernel: [2, 3],
    outChannels: 3,
    padding: 'EXPLICIT',
    explicit: [0, 0, 1, 2, 0, 1, 0, 0],
  }),
  convCase('Conv2D', { input: [1, 1, 1, 16], kernel: [1, 1], outChannels: 8 }), // squeeze-excite on a 1x1 map
  convCase('_FusedConv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, stride: 2, fused: ['BiasAdd'] }),
  convCase('_FusedConv2D', { input: [1, 9, 9, 4], kernel: [1, 1], outChannels: 6, fused: ['BiasAdd', 'Relu'] }),
  convCase('_FusedConv2D', { input: [1, 9, 9, 3], kernel: [3, 3], outChannels: 4, fused: ['BiasAdd', 'Relu6'] }),
  convCase('_FusedConv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, fused: ['BiasAdd', 'Elu'] }),
  convCase('_FusedConv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, fused: ['BiasAdd', 'Sigmoid'] }),
  convCase('_FusedConv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, fused: ['BiasAdd', 'LeakyRelu'] }),
  convCase('_FusedConv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, fused: ['BiasAdd', 'Prelu'] }),
  convCase('_FusedConv2D', {
    input: [1, 64, 64, 1],
    kernel: [3, 3],
    outChannels: 8,
    stride: 2,
    padding: 'VALID',
    fused: ['BiasAdd', 'Relu'],
  }),
  convCase('_FusedConv2D', {
    input: [1, 8, 8, 3],
    kernel: [3, 3],
    outChannels: 4,
    fused: ['BiasAdd', 'Relu'],
    dynamicBatch: true,
  }),
  convCase('DepthwiseConv2dNative', { input: [1, 9, 9, 4], kernel: [3, 3], outChannels: 1 }),
  convCase('DepthwiseConv2dNative', { input: [1, 8, 8, 4], kernel: [3, 3], outChannels: 1, stride: 2 }),
  convCase('DepthwiseConv2dNative', { input: [1, 9, 9, 4], kernel: [5, 5], outChannels: 1, stride: 2 }),
  convCase('DepthwiseConv2dNative', { input: [1, 9, 9, 3], kernel: [3, 3], outChannels: 2, padding: 'VALID' }),
  convCase('DepthwiseConv2dNative', { input: [1, 10, 10, 3], kernel: [3, 3], outChannels: 1, dilation: 2 }),
  convCase('FusedDepthwiseConv2dNative', { input: [1, 9, 9, 4], kernel: [3, 3], outChannels: 1, fused: ['BiasAdd'] }),
  convCase('FusedDepthwiseConv2dNative', {
    input: [1, 8, 8, 4],
    kernel: [3, 3],
    outChannels: 1,
    stride: 2,
    fused: ['BiasAdd', 'Relu'],
  }),
  convCase('FusedDepthwiseConv2dNative', {
    input: [1, 8, 8, 4],
    kernel: [3, 3],
    outChannels: 1,
    fused: ['BiasAdd', 'Relu6'],
  }),
  convCase('Conv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, encoding: 'float16' }),
  convCase('Conv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, encoding: 'uint8' }),
  convCase('Conv2D', { input: [1, 8, 8, 3], kernel: [3, 3], outChannels: 4, encoding: 'uint16' }),
  convCase('DepthwiseConv2dNative', { input: [1, 8, 8, 4], kernel: [3, 3], outChannels: 2, encoding: 'float16' }),
  convCase('FusedDepthwiseConv2dNative', {
    input: [1, 8, 8, 4],
    kernel: [3, 3],
    outChannels: 1,
    fused: ['BiasAdd', 'Relu6'],
    encoding: 'uint8',
  }),
  poolCase('MaxPool', [1, 9, 9, 5], 3, 1, 'SAME'),
  poolCase('MaxPool', [1, 8, 8, 3], 2, 2, 'SAME'),
  poolCase('MaxPool', [1, 7, 7, 3], 2, 2, 'SAME'),
  poolCase('MaxPool', [1, 9, 9, 3], 3, 2, 'SAME'),
  poolCase('MaxPool', [1, 9, 9, 3], 2, 2, 'VALID'),
  poolCase('AvgPool', [1, 7, 7, 6], 7, 1, 'VALID'),
  poolCase('AvgPool', [1, 9, 9, 3], 3, 2, 'SAME'),
  poolCase('AvgPool', [1, 8, 8, 3], 2, 2, 'VALID'),
]);
