/**
 * @file Per-op parity for reductions, softmax and the shape ops: Mean/Sum/Max/Min (keep_dims
 * both ways, axes that leave NCHW survivors out of TF order), Softmax, Reshape, Squeeze,
 * ExpandDims, ConcatV2, Pad/PadV2, Transpose, GatherV2 and StridedSlice with every mask.
 */
import { a, type GraphFixture } from './helpers/graph-fixture.ts';
import type { OpCase } from './helpers/op-harness.ts';
import { opSuite, randomFeed } from './helpers/op-suite.ts';

const MAP = [2, 5, 6, 4];

/** `op` on a placeholder of `shape` with constant int inputs and attributes. */
function shapeCase(
  op: string,
  shape: number[],
  consts: (number | number[] | { pairs: number[] })[],
  attrs: Record<string, ReturnType<(typeof a)['i']>> = {},
  tolerance = 0,
  what = '',
): OpCase {
  const label = consts.map((c) => JSON.stringify(typeof c === 'object' && 'pairs' in c ? c.pairs : c)).join(' ');
  return {
    name: `${op} [${shape}] ${label}${Object.keys(attrs).length ? ` ${describe(attrs)}` : ''}${what}`,
    tolerance,
    feeds: { x: randomFeed(shape.length * 31 + shape[0]!, shape, -3, 3) },
    graph: (f: GraphFixture) => {
      f.placeholder('x', shape);
      const inputs = consts.map((c, i) =>
        typeof c === 'number'
          ? f.const(`c${i}`, [], [c], 'int32')
          : Array.isArray(c)
            ? f.const(`c${i}`, [c.length], c, 'int32')
            : f.const(`c${i}`, [c.pairs.length / 2, 2], c.pairs, 'int32'),
      );
      return [f.node('out', op, ['x', ...inputs], attrs)];
    },
  };
}

function describe(attrs: Record<string, ReturnType<(typeof a)['i']>>): string {
  return Object.entries(attrs)
    .filter(([, v]) => !v.type && (v.b !== undefined || v.list || Number(v.i)))
    .map(([k, v]) => `${k}=${v.i ?? v.b ?? JSON.stringify(v.list?.i)}`)
    .join(' ');
}

const keep = (b: boolean) => ({ keep_dims: a.b(b), Tidx: a.type('int32') });
const masks = (m: { begin?: number; end?: number; ellipsis?: number; newAxis?: number; shrink?: number }) => ({
  begin_mask: a.i(m.begin ?? 0),
  end_mask: a.i(m.end ?? 0),
  ellipsis_mask: a.i(m.ellipsis ?? 0),
  new_axis_mask: a.i(m.newAxis ?? 0),
  shrink_axis_mask: a.i(m.shrink ?? 0),
  Index: a.type('int32'),
});
const slice = (shape: number[], begin: number[], end: number[], strides: number[], m = {}, what = '') =>
  shapeCase('StridedSlice', shape, [begin, end, strides], masks(m), 0, what);

opSuite('reductions, softmax and shape ops', [
  shapeCase('Mean', MAP, [[1, 2]], keep(true), 1e-5, ' (squeeze-excite)'),
  shapeCase('Mean', MAP, [[1, 2]], keep(false), 1e-5, ' (global average pool)'),
  shapeCase('Mean', MAP, [[3]], keep(false), 1e-5),
  shapeCase('Mean', MAP, [-1], keep(true), 1e-5),
  shapeCase('Mean', MAP, [[0, 3]], keep(false), 1e-5, ' (survivors H,W)'),
  shapeCase('Mean', MAP, [[2]], keep(false), 1e-5, ' (survivors N,H,C reordered)'),
  shapeCase('Mean', [3, 7], [[1]], keep(false), 1e-5),
  shapeCase('Sum', MAP, [[1, 2]], keep(false), 1e-5),
  shapeCase('Max', MAP, [[1, 2]], keep(true)),
  shapeCase('Min', MAP, [[3]], keep(false)),
  {
    name: 'Softmax [3, 7]',
    tolerance: 1e-5,
    feeds: { x: randomFeed(40, [3, 7], -5, 5) },
    graph: (f) => [f.node('out', 'Softmax', [f.placeholder('x', [3, 7])])],
  },
  {
    name: 'Softmax [2,5,6,4] (over channels)',
    tolerance: 1e-5,
    feeds: { x: randomFeed(41, MAP, -5, 5) },
    graph: (f) => [f.node('out', 'Softmax', [f.placeholder('x', MAP)])],
  },
  shapeCase('Reshape', MAP, [[2, -1]], { Tshape: a.type('int32') }, 0, ' (flatten a map)'),
  shapeCase('Reshape', MAP, [[2, -1, 8]], { Tshape: a.type('int32') }, 0, ' (blazeface-style head)'),
  shapeCase('Reshape', [6, 4], [[2, 3, 4]], { Tshape: a.type('int32') }),
  shapeCase('Squeeze', [2, 1, 1, 4], [], { squeeze_dims: a.ints([1, 2]) }, 0, ' (nsfw SpatialSqueeze)'),
  shapeCase('Squeeze', [1, 3, 1, 4], [], { squeeze_dims: a.ints([]) }),
  shapeCase('Squeeze', [2, 5, 1, 4], [], { squeeze_dims: a.ints([-2]) }),
  shapeCase('ExpandDims', [3, 7], [-1], { Tdim: a.type('int32') }),
  shapeCase('ExpandDims', [3, 7], [0], { Tdim: a.type('int32') }),
  shapeCase('ExpandDims', MAP, [1], { Tdim: a.type('int32') }),
  {
    name: 'ConcatV2 two maps on channels (axis 3)',
    tolerance: 0,
    feeds: { x: randomFeed(42, MAP), y: randomFeed(43, [2, 5, 6, 3]) },
    graph: (f) => {
      f.placeholder('x', MAP);
      f.placeholder('y', [2, 5, 6, 3]);
      return [
        f.node('out', 'ConcatV2', ['x', 'y', f.const('axis', [], [3], 'int32')], { N: a.i(2), Tidx: a.type('int32') }),
      ];
    },
  },
  {
    name: 'ConcatV2 map with Relu(map) on width (axis 2)',
    tolerance: 0,
    feeds: { x: randomFeed(44, MAP) },
    graph: (f) => {
      f.placeholder('x', MAP);
      f.node('r', 'Relu', ['x']);
      return [
        f.node('out', 'ConcatV2', ['x', 'r', f.const('axis', [], [2], 'int32')], { N: a.i(2), Tidx: a.type('int32') }),
      ];
    },
  },
  {
    name: 'ConcatV2 six [1,100,1] on axis -1 (centernet detections)',
    tolerance: 0,
    feeds: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`p${i}`, randomFeed(50 + i, [1, 100, 1])])),
    graph: (f) => {
      const parts = Array.from({ length: 6 }, (_, i) => f.placeholder(`p${i}`, [1, 100, 1]));
      return [
        f.node('out', 'ConcatV2', [...parts, f.const('axis', [], [-1], 'int32')], { N: a.i(6), Tidx: a.type('int32') }),
      ];
    },
  },
  shapeCase(
    'Pad',
    MAP,
    [{ pairs: [0, 0, 0, 0, 0, 0, 0, 4] }],
    { Tpaddings: a.type('int32') },
    0,
    ' (blazeface channel pad)',
  ),
  shapeCase('Pad', MAP, [{ pairs: [0, 0, 1, 2, 2, 1, 0, 0] }], { Tpaddings: a.type('int32') }),
  shapeCase('Pad', [3, 7], [{ pairs: [1, 0, 0, 2] }], { Tpaddings: a.type('int32') }),
  {
    name: 'PadV2 map with constant 0.5',
    tolerance: 0,
    feeds: { x: randomFeed(45, MAP) },
    graph: (f) => {
      f.placeholder('x', MAP);
      const p = f.const('p', [4, 2], [0, 0, 1, 1, 0, 2, 1, 0], 'int32');
      return [f.node('out', 'PadV2', ['x', p, f.const('v', [], [0.5])], { Tpaddings: a.type('int32') })];
    },
  },
  shapeCase('Transpose', MAP, [[0, 3, 1, 2]], { Tperm: a.type('int32') }),
  shapeCase('Transpose', MAP, [[3, 2, 1, 0]], { Tperm: a.type('int32') }),
  shapeCase('Transpose', [2, 3, 4], [[1, 0, 2]], { Tperm: a.type('int32') }),
  {
    name: 'GatherV2 axis 0, int32 indices (centernet BatchGather)',
    tolerance: 0,
    feeds: { x: randomFeed(46, [30, 4]), i: { shape: [7], data: [0, 29, 5, 5, 17, 3, 28], dtype: 'int32' } },
    graph: (f) => {
      f.placeholder('x', [30, 4]);
      f.placeholder('i', [7], 'int32');
      return [
        f.node('out', 'GatherV2', ['x', 'i', f.const('axis', [], [0], 'int32')], {
          batch_dims: a.i(0),
          Tparams: a.type('float32'),
          Tindices: a.type('int32'),
        }),
      ];
    },
  },
  {
    name: 'GatherV2 axis 1 with [2,2] indices',
    tolerance: 0,
    feeds: { x: randomFeed(47, [3, 6, 2]), i: { shape: [2, 2], data: [5, 0, 2, 2], dtype: 'int32' } },
    graph: (f) => {
      f.placeholder('x', [3, 6, 2]);
      f.placeholder('i', [2, 2], 'int32');
      return [f.node('out', 'GatherV2', ['x', 'i', f.const('axis', [], [1], 'int32')], { batch_dims: a.i(0) })];
    },
  },
  slice([1, 100, 4], [0, 0, 0], [0, 0, 1], [1, 1, 1], { begin: 3, end: 3 }, ' (centernet box column)'),
  slice([1, 100, 4], [0, 0, 3], [0, 0, 4], [1, 1, 1], { begin: 3, end: 3 }),
  slice([6, 8], [1, -3], [5, -1], [2, 1]),
  slice([6, 8], [-1, 0], [0, 8], [-1, 2], { begin: 1, end: 1 }, ' (reverse rows)'),
  slice([6, 8], [4, 7], [0, 0], [-2, -3], {}, ' (negative strides)'),
  slice([6, 8], [2, 0], [3, 8], [1, 1], { shrink: 1 }, ' (shrink row 2)'),
  slice([6, 8], [-1, 0], [0, 0], [1, 1], { shrink: 1, end: 2 }, ' (shrink last row)'),
  slice(MAP, [0, 1], [0, 3], [1, 1], { ellipsis: 1 }, ' (ellipsis then last axis)'),
  slice(MAP, [1, 0, 2], [2, 0, 4], [1, 1, 1], { ellipsis: 2 }, ' (first, ellipsis, last)'),
  slice([6, 8], [0, 0, 2], [0, 0, 5], [1, 1, 1], { newAxis: 2, begin: 1, end: 1 }, ' (new axis in the middle)'),
  slice([6, 8], [0, 3], [0, 0], [1, 1], { newAxis: 1, shrink: 2 }, ' (new axis + shrink)'),
  slice([6, 8], [10, -20], [20, 20], [1, 1], {}, ' (out-of-range indices clamp)'),
  slice(MAP, [0, 0, 0, 1], [0, 0, 0, 2], [1, 1, 1, 1], { begin: 7, end: 7 }, ' (a channel of a map)'),
]);
