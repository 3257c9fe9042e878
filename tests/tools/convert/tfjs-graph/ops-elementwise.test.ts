/**
 * @file Per-op parity for the element-wise ops: arithmetic with every broadcast the models use
 * (map ⊕ map, map ⊕ per-channel constant, constant ⊕ map, map ⊕ scalar, map ⊕ [1,1,1,C] from a
 * squeeze-excite branch, map ⊕ computed vector, map ⊕ [H,W,C] constant), comparisons, casts,
 * integer and float FloorDiv/FloorMod with negative operands, and the activations.
 */
import { a, type GraphFixture } from './helpers/graph-fixture.ts';
import type { Feed, OpCase } from './helpers/op-harness.ts';
import { opSuite, randomFeed, randomValues } from './helpers/op-suite.ts';

const MAP = [1, 5, 6, 4];

/** The binary op `op` on a rank-4 map placeholder and a second operand built by `other`. */
function binaryCase(
  op: string,
  what: string,
  other: (f: GraphFixture) => string,
  extraFeeds: Record<string, Feed> = {},
  swap = false,
  tolerance?: number,
): OpCase {
  return {
    name: `${op} ${what}`,
    feeds: { x: randomFeed(1, MAP, op === 'RealDiv' ? 0.5 : -1, 2), ...extraFeeds },
    tolerance,
    graph: (f) => {
      f.placeholder('x', MAP);
      const y = other(f);
      return [f.node('out', op, swap ? [y, 'x'] : ['x', y])];
    },
  };
}

const perChannel = (f: GraphFixture) => f.const('c', [4], randomValues(2, [4], 0.5, 2));
const scalar = (f: GraphFixture) => f.const('s', [], [1.5]);
const map = (f: GraphFixture) => f.placeholder('y', MAP);
const hwc = (f: GraphFixture) => f.const('hwc', [5, 6, 4], randomValues(3, [5, 6, 4], 0.5, 2));
const pooled = (f: GraphFixture) => {
  // [1,1,1,C] computed from the map itself, as squeeze-excite blocks do.
  f.const('axes', [2], [1, 2], 'int32');
  return f.node('se', 'Mean', ['x', 'axes'], { keep_dims: a.b(true), Tidx: a.type('int32') });
};
const vector = (f: GraphFixture) => f.placeholder('v', [4]);

function unaryCase(
  op: string,
  shape: number[],
  attrs = {},
  inputs: (f: GraphFixture) => string[] = () => [],
  tolerance?: number,
): OpCase {
  return {
    name: `${op} [${shape}]${Object.keys(attrs).length ? ` ${JSON.stringify(attrs)}` : ''}`,
    feeds: { x: randomFeed(7, shape, -8, 8) },
    tolerance,
    graph: (f) => {
      f.placeholder('x', shape);
      return [f.node('out', op, ['x', ...inputs(f)], attrs)];
    },
  };
}

function intCase(op: string): OpCase {
  const xs = [-7, -6, -5, -1, 0, 1, 5, 6, 7, 100, -100, 1310719];
  return {
    name: `${op} int32 with negative operands`,
    tolerance: 0,
    feeds: { x: { shape: [12], data: xs, dtype: 'int32' } },
    graph: (f) => {
      f.placeholder('x', [12], 'int32');
      const b = f.const('b', [12], [3, 3, -3, 3, 3, -3, 3, -3, 80, 128, 80, 80], 'int32');
      return [f.node('out', op, ['x', b], { T: a.type('int32') })];
    },
  };
}

function floatModCase(op: string): OpCase {
  return {
    name: `${op} float32 with negative operands`,
    feeds: { x: { shape: [8], data: [-7.5, -6, -0.25, 0, 0.25, 5.5, 7, -3] } },
    graph: (f) => {
      f.placeholder('x', [8]);
      const b = f.const('b', [8], [2, -2, 3, 3, -3, 2.5, -2.5, 1.5]);
      return [f.node('out', op, ['x', b])];
    },
  };
}

opSuite('element-wise ops', [
  binaryCase('AddV2', 'map + map', map, { y: randomFeed(11, MAP) }),
  binaryCase('Add', 'map + per-channel const [C]', perChannel),
  binaryCase('Add', 'map + computed [1,1,1,C] (Mean keep_dims)', pooled),
  binaryCase('Add', 'map + computed vector [C]', vector, { v: randomFeed(12, [4]) }),
  binaryCase('Sub', 'map − scalar const', scalar),
  binaryCase('Sub', 'per-channel const − map', perChannel, {}, true),
  binaryCase('Mul', 'scalar const × map (centernet hard-swish order)', scalar, {}, true),
  binaryCase('Mul', 'map × [H,W,C] const', hwc),
  binaryCase('Mul', 'map × computed [1,1,1,C] (squeeze-excite)', pooled),
  binaryCase('RealDiv', 'map / per-channel const', perChannel),
  binaryCase('Minimum', 'map, scalar const (clip_by_value)', scalar),
  binaryCase('Maximum', 'map, scalar const (clip_by_value)', (f) => f.const('z', [], [0])),
  binaryCase('Maximum', 'map, map', map, { y: randomFeed(13, MAP) }),
  {
    name: 'BiasAdd map + [C]',
    feeds: { x: randomFeed(14, MAP) },
    graph: (f) => {
      f.placeholder('x', MAP);
      return [f.node('out', 'BiasAdd', ['x', perChannel(f)], { data_format: a.s('NHWC') })];
    },
  },
  {
    name: 'Mul rank-2 × rank-1 const',
    feeds: { x: randomFeed(15, [3, 7]) },
    graph: (f) => {
      f.placeholder('x', [3, 7]);
      return [f.node('out', 'Mul', ['x', f.const('c', [7], randomValues(16, [7]))])];
    },
  },
  {
    name: 'Equal map == MaxPool(map) → Cast bool→float (centernet peak mask)',
    tolerance: 0,
    feeds: { x: { shape: MAP, data: Float32Array.from({ length: 120 }, (_, i) => (i * 7919) % 13) } },
    graph: (f) => {
      f.placeholder('x', MAP);
      f.node('pool', 'MaxPool', ['x'], {
        ksize: a.ints([1, 3, 3, 1]),
        strides: a.ints([1, 1, 1, 1]),
        padding: a.s('SAME'),
        data_format: a.s('NHWC'),
      });
      f.node('eq', 'Equal', ['x', 'pool'], { incompatible_shape_error: a.b(true) });
      return [
        'eq',
        f.node('out', 'Cast', ['eq'], { SrcT: a.type('bool'), DstT: a.type('float32'), Truncate: a.b(false) }),
      ];
    },
  },
  {
    name: 'Cast int32 → float32 and float32 → int32 (truncation)',
    tolerance: 0,
    feeds: {
      i: { shape: [6], data: [-3, -1, 0, 2, 80, 16383], dtype: 'int32' },
      x: { shape: [6], data: [-2.7, -0.5, 0, 0.9, 3.5, 1e6] },
    },
    graph: (f) => {
      f.placeholder('i', [6], 'int32');
      f.placeholder('x', [6]);
      return [
        f.node('to_float', 'Cast', ['i'], { SrcT: a.type('int32'), DstT: a.type('float32') }),
        f.node('to_int', 'Cast', ['x'], { SrcT: a.type('float32'), DstT: a.type('int32') }),
      ];
    },
  },
  intCase('FloorDiv'),
  intCase('FloorMod'),
  floatModCase('FloorDiv'),
  floatModCase('FloorMod'),
  {
    name: 'Mul / Add int32 (centernet BatchGather index)',
    tolerance: 0,
    feeds: { x: { shape: [5], data: [0, 1, 127, 64, 3], dtype: 'int32' } },
    graph: (f) => {
      f.placeholder('x', [5], 'int32');
      const m = f.node('m', 'Mul', ['x', f.const('k', [], [128], 'int32')], { T: a.type('int32') });
      return [f.node('out', 'Add', [m, 'x'], { T: a.type('int32') })];
    },
  },
  unaryCase('Relu', MAP),
  unaryCase('Relu6', MAP),
  unaryCase('Sigmoid', MAP),
  unaryCase('Sigmoid', [3, 5]),
  unaryCase('Tanh', MAP),
  unaryCase('Elu', MAP),
  unaryCase('LeakyRelu', MAP, { alpha: a.f(0.1) }),
  unaryCase('Prelu', MAP, {}, (f) => [f.const('alpha', [4], randomValues(17, [4], 0, 0.5))]),
  unaryCase('Prelu', [3, 4], {}, (f) => [f.const('alpha', [4], randomValues(18, [4], 0, 0.5))]),
  {
    name: 'Identity chain (Relu → Identity → Identity)',
    tolerance: 0,
    feeds: { x: randomFeed(19, MAP) },
    graph: (f) => {
      f.placeholder('x', MAP);
      f.node('r', 'Relu', ['x']);
      f.node('i1', 'Identity', ['r']);
      return [f.node('out', 'Identity', ['i1'])];
    },
  },
]);
