/**
 * @file The translator's input side and failure modes: weight decoding agrees bit for bit with
 * TF.js's `decodeWeights` for every encoding (all 65 536 float16 patterns included); compact
 * storage keeps files small; translation is deterministic; unsupported ops and attributes stop
 * with an error naming the op and the node.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../../../src/inference/engine/ort-engine.ts';
import { float16BitsToFloat32 } from '../../../../tools/convert/float16.ts';
import { graphModelFromMemory } from '../../../../tools/convert/tfjs-graph/model-source.ts';
import { convertGraphModel } from '../../../../tools/convert/tfjs-graph/translate.ts';
import { SUPPORTED_OPS } from '../../../../tools/convert/tfjs-graph/ops/index.ts';
import { a, GraphFixture, type WeightEncoding } from './helpers/graph-fixture.ts';
import { uniform } from './helpers/prng.ts';
import { loadTfjs, type Tfjs } from './helpers/tfjs.ts';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfjs('cpu');
});

/** A 3x3xCx2C conv filter in `encoding` feeding one Conv2D. */
function convModel(encoding: WeightEncoding, c = 8) {
  const f = new GraphFixture();
  f.placeholder('x', [1, 8, 8, c]);
  f.const('w', [3, 3, c, 2 * c], uniform(5, 3 * 3 * c * 2 * c, -1, 1), 'float32', encoding);
  f.node('conv', 'Conv2D', ['x', 'w'], { strides: a.ints([1, 1, 1, 1]), padding: a.s('SAME') });
  return f.build();
}

describe('weight decoding', () => {
  it('decodes all 65 536 float16 bit patterns exactly as TF.js', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const spec = [
      { name: 'h', shape: [65536], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } },
    ];
    const ref = tf.io.decodeWeights(bits.buffer, spec)['h']!.dataSync() as Float32Array;
    const ours = float16BitsToFloat32(bits);
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) {
      const same = Object.is(ours[i], ref[i]) || (Number.isNaN(ours[i]) && Number.isNaN(ref[i]));
      if (!same) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it.each(['float32', 'float16', 'uint8', 'uint16'] as const)(
    'decodes %s weights bit-identically to TF.js',
    (encoding) => {
      const { json, weightData } = convModel(encoding);
      const ours = graphModelFromMemory(json, weightData).weights.get('w')!;
      const ref = tf.io.decodeWeights(weightData.slice().buffer, json.weightsManifest[0]!.weights as never)['w']!;
      expect(
        Buffer.from((ours.values as Float32Array).buffer).equals(Buffer.from((ref.dataSync() as Float32Array).buffer)),
      ).toBe(true);
      expect(ours.float16 !== undefined).toBe(encoding === 'float16');
      expect(ours.quantized?.dtype).toBe(encoding === 'uint8' || encoding === 'uint16' ? encoding : undefined);
    },
  );

  it('reads a manifest dtype "float16" like the float16 quantisation', () => {
    const viaQuant = graphModelFromMemory(...(Object.values(convModel('float16')) as [never, never])).weights.get('w')!;
    const viaDtype = graphModelFromMemory(...(Object.values(convModel('float16-dtype')) as [never, never])).weights.get(
      'w',
    )!;
    expect(Array.from(viaDtype.values)).toEqual(Array.from(viaQuant.values));
    expect(viaDtype.float16).toEqual(viaQuant.float16);
  });

  it('keeps compact encodings compact (float16 ≈ ½, uint8 ≈ ¼ of float32 storage)', () => {
    const size = (encoding: WeightEncoding, storage: 'compact' | 'float32') => {
      const { json, weightData } = convModel(encoding, 32);
      return convertGraphModel(graphModelFromMemory(json, weightData), { weights: storage }).onnx.length;
    };
    const f32 = size('float32', 'compact');
    console.log(
      `conv 3x3x32x64 file sizes (bytes): float32 ${f32}, float16 ${size('float16', 'compact')}, uint8 ${size('uint8', 'compact')}, uint16 ${size('uint16', 'compact')}, float16 stored as float32 ${size('float16', 'float32')}`,
    );
    expect(size('float16', 'compact')).toBeLessThan(f32 * 0.6);
    expect(size('uint8', 'compact')).toBeLessThan(f32 * 0.35);
    expect(size('float16', 'float32')).toBeGreaterThan(f32 * 0.95);
  });

  it.each(['float16', 'uint8', 'uint16'] as const)(
    'keeps %s weights compact in the file and restores them in the graph bit for bit as TF.js does',
    async (encoding) => {
      const n = 4096;
      const f = new GraphFixture();
      f.placeholder('x', [n]);
      f.const('w', [n], uniform(9, n, -3, 3), 'float32', encoding);
      f.node('out', 'Add', ['x', 'w']); // 0 + w = w exactly
      const { json, weightData } = f.build();
      const ref = tf.io.decodeWeights(weightData.slice().buffer, json.weightsManifest[0]!.weights as never)['w']!;
      const converted = convertGraphModel(graphModelFromMemory(json, weightData), { outputs: ['out'] });
      const session = await OrtModel.create(converted.onnx);
      try {
        const out = await session.run({ x: { type: 'float32', dims: [n], data: new Float32Array(n) } });
        const ours = out.out!.data as Float32Array;
        expect(
          Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(
            Buffer.from((ref.dataSync() as Float32Array).buffer),
          ),
        ).toBe(true);
      } finally {
        await session.release();
      }
      const bytesPerWeight = { float16: 2, uint8: 1, uint16: 2 }[encoding];
      expect(converted.onnx.length).toBeLessThan(n * bytesPerWeight + 1024);
    },
  );

  it('rejects weight bytes that do not match the manifest', () => {
    const { json, weightData } = convModel('float32');
    expect(() => graphModelFromMemory(json, weightData.subarray(4))).toThrow(
      /manifest describes \d+ bytes of weights but \d+ were given/,
    );
  });
});

describe('translation', () => {
  it('is deterministic: the same model gives the same bytes', () => {
    const { json, weightData } = convModel('float16');
    const once = convertGraphModel(graphModelFromMemory(json, weightData)).onnx;
    const twice = convertGraphModel(graphModelFromMemory(json, weightData)).onnx;
    expect(Buffer.from(once).equals(Buffer.from(twice))).toBe(true);
  });

  it('names an unsupported op, its node and the supported list', () => {
    const f = new GraphFixture();
    f.placeholder('x', [2, 3]);
    f.node('foo/bar', 'Einsum', ['x', 'x'], { equation: a.s('ij,ij->i') });
    const { json, weightData } = f.build();
    expect(() => convertGraphModel(graphModelFromMemory(json, weightData), { outputs: ['foo/bar'] })).toThrow(
      `tfjs-graph: node "foo/bar" uses op "Einsum", which the translator does not support (supported: ${SUPPORTED_OPS.join(', ')})`,
    );
  });

  it.each([
    ['data_format NCHW', { data_format: a.s('NCHW') }, /node "conv" \(op Conv2D\): data_format NCHW is not supported/],
    [
      'a stride on the batch axis',
      { strides: a.ints([2, 1, 1, 1]) },
      /node "conv" \(op Conv2D\): strides \[2,1,1,1\] must be \[1, h, w, 1\]/,
    ],
    ['unknown padding', { padding: a.s('CAUSAL') }, /node "conv" \(op Conv2D\): padding "CAUSAL" is not supported/],
  ])('names the node for an unsupported attribute: %s', (_, attrs, message) => {
    const f = new GraphFixture();
    f.placeholder('x', [1, 8, 8, 2]);
    f.const('w', [3, 3, 2, 2], uniform(1, 36));
    f.node('conv', 'Conv2D', ['x', 'w'], { strides: a.ints([1, 1, 1, 1]), padding: a.s('SAME'), ...attrs });
    const { json, weightData } = f.build();
    expect(() => convertGraphModel(graphModelFromMemory(json, weightData))).toThrow(message);
  });

  it('rejects a fused batch norm as TF.js does', () => {
    const f = new GraphFixture();
    f.placeholder('x', [1, 8, 8, 2]);
    f.const('w', [3, 3, 2, 2], uniform(1, 36));
    f.const('b', [2], [0, 1]);
    f.node('fused', '_FusedConv2D', ['x', 'w', 'b'], {
      strides: a.ints([1, 1, 1, 1]),
      padding: a.s('SAME'),
      fused_ops: a.strs(['FusedBatchNorm', 'Relu']),
      num_args: a.i(1),
    });
    const { json, weightData } = f.build();
    expect(() => convertGraphModel(graphModelFromMemory(json, weightData))).toThrow(
      /node "fused" \(op _FusedConv2D\): fused_ops \[fusedbatchnorm, relu\] is not supported/,
    );
  });

  it('requires constant shape arguments and says which', () => {
    const f = new GraphFixture();
    f.placeholder('x', [1, 8, 8, 2]);
    f.placeholder('size', [2], 'int32');
    f.node('resize', 'ResizeBilinear', ['x', 'size']);
    const { json, weightData } = f.build();
    expect(() => convertGraphModel(graphModelFromMemory(json, weightData))).toThrow(
      /node "resize" \(op ResizeBilinear\): size \(input 1\) must be a constant/,
    );
  });
});
