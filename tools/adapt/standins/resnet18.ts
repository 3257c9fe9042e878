/**
 * @file A stand-in for a torchvision ResNet-18 ONNX export, for testing the wrapper without the
 * real weights (none are reachable here): the real architecture — conv1 7×7/2, max pool 3×3/2,
 * four stages of two BasicBlocks (3×3 convolutions, 1×1/2 downsample convolutions, residual
 * Adds), global average pool, Flatten, Gemm 512→K — with every BatchNorm folded into the
 * convolution before it, as `torch.onnx.export` of an eval-mode model writes it; input `input`
 * [N,3,224,224] (ImageNet-normalised), output `output` [N,K] logits. The weights are seeded
 * random numbers: He-normal convolutions (fan-in, so activations stay finite through the
 * residual stack), BatchNorm statistics near identity (see RESIDUAL_GAMMA), and torch's default
 * Linear init for the classifier. Deterministic: the same seed gives the same bytes. It
 * classifies nothing.
 */
import { attr, GraphBuilder, type Dim } from '../../convert/onnx/graph-builder.ts';
import { mulberry32 } from '../../lib/prng.ts';

/** Options of the stand-in. */
export interface Resnet18Options {
  seed?: number;
  /** The batch dimension (torchvision exports with dynamic_axes name it "batch_size"). */
  batch?: Dim;
  size?: number;
  classes?: number;
  opset?: number;
}

/** Standard normal samples (Box–Muller). */
function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

interface Ctx {
  g: GraphBuilder;
  rand: () => number;
  gauss: () => number;
}

/** Conv (bias-free, He-normal) + BatchNorm (random statistics) folded into one Conv with bias. */
function convBn(
  ctx: Ctx,
  x: string,
  name: string,
  cin: number,
  cout: number,
  k: number,
  stride: number,
  gammaScale = 1,
): string {
  const fanIn = cin * k * k;
  const std = Math.sqrt(2 / fanIn);
  const weight = new Float32Array(cout * fanIn);
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const gamma = (0.8 + 0.4 * ctx.rand()) * gammaScale;
    const beta = 0.1 * ctx.gauss();
    const mean = 0.1 * ctx.gauss();
    const variance = 0.8 + 0.4 * ctx.rand();
    const scale = gamma / Math.sqrt(variance + 1e-5);
    for (let i = 0; i < fanIn; i++) weight[o * fanIn + i] = ctx.gauss() * std * scale;
    bias[o] = beta - mean * scale;
  }
  const pad = (k - 1) >> 1;
  return ctx.g.node(
    'Conv',
    [x, ctx.g.f32(`${name}.weight`, weight, [cout, cin, k, k]), ctx.g.f32(`${name}.bias`, bias, [cout])],
    {
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
      kernel_shape: attr.ints([k, k]),
      pads: attr.ints([pad, pad, pad, pad]),
      strides: attr.ints([stride, stride]),
    },
    `/${name.replace(/\./g, '/')}/Conv`,
  );
}

/**
 * Scale of the BatchNorm after each block's second convolution. Trained ResNets learn small
 * values there (torchvision even offers zero_init_residual); with random statistics it keeps
 * the residual sums from doubling their variance at every block, so the logits have a spread
 * like a trained model's rather than a softmax that is one-hot.
 */
const RESIDUAL_GAMMA = 0.4;

const relu = (ctx: Ctx, x: string, hint: string): string => ctx.g.node('Relu', [x], {}, hint);

/** torchvision BasicBlock: conv3×3-BN-ReLU, conv3×3-BN, + identity (or 1×1 downsample), ReLU. */
function basicBlock(ctx: Ctx, x: string, name: string, cin: number, cout: number, stride: number): string {
  const h = relu(ctx, convBn(ctx, x, `${name}.conv1`, cin, cout, 3, stride), `/${name}/relu`);
  const y = convBn(ctx, h, `${name}.conv2`, cout, cout, 3, 1, RESIDUAL_GAMMA);
  const identity = stride !== 1 || cin !== cout ? convBn(ctx, x, `${name}.downsample.0`, cin, cout, 1, stride) : x;
  return relu(ctx, ctx.g.node('Add', [y, identity], {}, `/${name}/Add`), `/${name}/relu_1`);
}

/** Serialises the stand-in ResNet-18 export. */
export function resnet18Standin(o: Resnet18Options = {}): Uint8Array {
  const size = o.size ?? 224;
  const classes = o.classes ?? 1000;
  const batch = o.batch ?? 'batch_size';
  const rand = mulberry32(o.seed ?? 18);
  const ctx: Ctx = { g: new GraphBuilder('main_graph'), rand, gauss: normal(rand) };
  const { g } = ctx;
  const input = g.input('input', 'float32', [batch, 3, size, size]);
  let x = relu(ctx, convBn(ctx, input, 'conv1', 3, 64, 7, 2), '/relu/Relu');
  x = g.node(
    'MaxPool',
    [x],
    { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]) },
    '/maxpool/MaxPool',
  );
  let channels = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      x = basicBlock(ctx, x, `layer${stage + 1}.${block}`, channels, width, stride);
      channels = width;
    }
  });
  const pooled = g.node('GlobalAveragePool', [x], {}, '/avgpool/GlobalAveragePool');
  const flat = g.node('Flatten', [pooled], { axis: attr.int(1) }, '/Flatten');
  const bound = 1 / Math.sqrt(channels);
  const fcWeight = Float32Array.from({ length: classes * channels }, () => (2 * rand() - 1) * bound);
  const fcBias = Float32Array.from({ length: classes }, () => (2 * rand() - 1) * bound);
  const logits = g.node(
    'Gemm',
    [flat, g.f32('fc.weight', fcWeight, [classes, channels]), g.f32('fc.bias', fcBias, [classes])],
    { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) },
    '/fc/Gemm',
  );
  g.output(logits, 'output', 'float32', [batch, classes]);
  return g.toModel({
    opset: o.opset ?? 17,
    producer: 'hotlens-standin',
    doc: 'Stand-in for a torchvision ResNet-18 export: the real architecture with seeded random weights, not a trained model.',
  });
}
