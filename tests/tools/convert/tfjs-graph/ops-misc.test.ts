/**
 * @file Per-op parity for ResizeBilinear (asymmetric, align_corners, half_pixel_centers; up and
 * down; known and unknown batch), TopKV2 (distinct values and ties) and MatMul / _FusedMatMul
 * (transposes, BiasAdd, activations).
 */
import { a } from './helpers/graph-fixture.ts';
import type { OpCase } from './helpers/op-harness.ts';
import { opSuite, randomFeed, randomValues } from './helpers/op-suite.ts';

function resizeCase(
  input: number[],
  size: [number, number],
  alignCorners: boolean,
  halfPixel: boolean,
  dynamicBatch = false,
): OpCase {
  const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel_centers' : 'asymmetric';
  return {
    name: `ResizeBilinear [${input}] → ${size.join('x')} ${mode}${dynamicBatch ? ' batch -1' : ''}`,
    feeds: { x: randomFeed(input[1]! * 7 + size[0], input, 0, 255) },
    graph: (f) => {
      f.placeholder('x', dynamicBatch ? [-1, ...input.slice(1)] : input);
      const s = f.const('size', [2], size, 'int32');
      return [
        f.node('out', 'ResizeBilinear', ['x', s], {
          align_corners: a.b(alignCorners),
          half_pixel_centers: a.b(halfPixel),
        }),
      ];
    },
  };
}

function topkCase(what: string, values: Float32Array, k: number): OpCase {
  return {
    name: `TopKV2 k=${k} of [1,${values.length}] ${what}`,
    tolerance: 0,
    feeds: { x: { shape: [1, values.length], data: values } },
    graph: (f) => {
      f.placeholder('x', [1, values.length]);
      f.node('topk', 'TopKV2', ['x', f.const('k', [], [k], 'int32')], { sorted: a.b(true) });
      return ['topk', 'topk:1'];
    },
  };
}

function matmulCase(fused: string[] | null, ta: boolean, tb: boolean, constB = true): OpCase {
  const [m, k, n] = [3, 10, 5];
  return {
    name: `${fused ? `_FusedMatMul [${fused.join('+')}]` : 'MatMul'}${ta ? ' transpose_a' : ''}${tb ? ' transpose_b' : ''}${constB ? '' : ' (computed b)'}`,
    feeds: { x: randomFeed(60, ta ? [k, m] : [m, k]), ...(constB ? {} : { y: randomFeed(61, tb ? [n, k] : [k, n]) }) },
    graph: (f) => {
      f.placeholder('x', ta ? [k, m] : [m, k]);
      const b = constB
        ? f.const('w', tb ? [n, k] : [k, n], randomValues(62, [k, n]))
        : f.placeholder('y', tb ? [n, k] : [k, n]);
      const inputs = ['x', b];
      if (fused) inputs.push(f.const('bias', [n], randomValues(63, [n])));
      if (fused?.[1] === 'Prelu') inputs.push(f.const('alpha', [n], randomValues(64, [n], 0, 0.5)));
      return [
        f.node(fused ? 'mm' : 'mm', fused ? '_FusedMatMul' : 'MatMul', inputs, {
          transpose_a: a.b(ta),
          transpose_b: a.b(tb),
          ...(fused ? { fused_ops: a.strs(fused), num_args: a.i(inputs.length - 2) } : {}),
        }),
      ];
    },
  };
}

const ties = Float32Array.from({ length: 60 }, (_, i) => ((i * 37) % 7) / 7);

opSuite('resize, top-k and matmul ops', [
  resizeCase([1, 16, 16, 3], [32, 32], false, false),
  resizeCase([1, 5, 7, 2], [8, 11], false, false),
  resizeCase([1, 12, 10, 2], [5, 7], false, false),
  resizeCase([1, 6, 6, 2], [9, 13], true, false),
  resizeCase([1, 10, 9, 2], [4, 4], true, false),
  resizeCase([1, 6, 6, 2], [9, 13], false, true),
  resizeCase([1, 10, 9, 2], [4, 4], false, true),
  resizeCase([2, 8, 8, 3], [16, 16], false, false, true),
  topkCase('distinct values', randomValues(65, [1, 200]), 10),
  topkCase('with ties (lower index first)', ties, 25),
  matmulCase(null, false, false),
  matmulCase(null, true, false),
  matmulCase(null, false, true),
  matmulCase(null, false, true, false),
  matmulCase(['BiasAdd'], false, false),
  matmulCase(['BiasAdd', 'Relu'], false, false),
  matmulCase(['BiasAdd', 'Relu6'], false, true),
  matmulCase(['BiasAdd', 'Sigmoid'], false, false),
  matmulCase(['BiasAdd', 'Prelu'], false, false),
]);
