/**
 * @file The converter's output as other teams rely on it: the full list of files, one default
 * per model version, deterministic bytes, opset 17, metadata_props without duplicate keys, and
 * the task contracts (input/output names, types, symbolic dims) as onnxruntime-web reads them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { convertAll, type ConvertedModel } from '../../tools/convert/index.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';

let models: ConvertedModel[] = [];

/** Minimal protobuf reader for ModelProto's top level: opset versions and metadata_props. */
function readModelHeader(bytes: Uint8Array): { opsets: number[]; metadata: [string, string][] } {
  const varint = (buf: Uint8Array, pos: { at: number }): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos.at++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  };
  const fields = (buf: Uint8Array): [number, number | Uint8Array][] => {
    const out: [number, number | Uint8Array][] = [];
    const pos = { at: 0 };
    while (pos.at < buf.length) {
      const tag = varint(buf, pos);
      const wire = tag & 7;
      const field = Math.floor(tag / 8);
      if (wire === 0) out.push([field, varint(buf, pos)]);
      else if (wire === 2) {
        const len = varint(buf, pos);
        out.push([field, buf.subarray(pos.at, pos.at + len)]);
        pos.at += len;
      } else if (wire === 5) pos.at += 4;
      else if (wire === 1) pos.at += 8;
      else throw new Error(`unexpected wire type ${wire}`);
    }
    return out;
  };
  const text = (v: number | Uint8Array | undefined) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : '');
  const opsets: number[] = [];
  const metadata: [string, string][] = [];
  for (const [field, value] of fields(bytes)) {
    if (!(value instanceof Uint8Array) || (field !== 8 && field !== 14)) continue;
    const inner = new Map(fields(value));
    if (field === 8) opsets.push(Number(inner.get(2)));
    if (field === 14) metadata.push([text(inner.get(1)), text(inner.get(2))]);
  }
  return { opsets, metadata };
}

beforeAll(() => {
  models = convertAll();
}, 120_000);

describe('convertAll()', () => {
  it('produces every published variant, with one default file per model version', () => {
    const names = models.map((m) => `${m.id}-${m.version}-${m.variant}`).sort();
    expect(names).toEqual(
      [
        'face-detector-1.0.0-416-uint8',
        'face-detector-1.0.0-416-float32',
        'face-detector-1.0.0-320-uint8',
        'face-detector-1.0.0-320-float32',
        'face-detector-1.0.0-224-uint8',
        'face-detector-1.0.0-224-float32',
        'face-detector-2.0.0-512-uint8',
        'face-detector-2.0.0-512-float32',
        'face-attributes-1.0.0-112-uint8',
        'face-attributes-1.0.0-112-float32',
        'face-expression-1.0.0-112-uint8',
        'face-expression-1.0.0-112-float32',
      ].sort(),
    );
    const defaults = models.filter((m) => m.isDefault).map((m) => `${m.id}-${m.version}-${m.variant}`);
    expect(defaults.sort()).toEqual(
      [
        'face-detector-1.0.0-416-uint8',
        'face-detector-2.0.0-512-uint8',
        'face-attributes-1.0.0-112-uint8',
        'face-expression-1.0.0-112-uint8',
      ].sort(),
    );
    for (const m of models) {
      expect(m.variant).toBe(`${m.size}-${m.encoding}`);
      expect(m.source).toMatch(/^converted from @vladmandic\/face-api \d+\.\d+\.\d+ \w+ \(MIT\), /);
    }
    expect(models.find((m) => m.id === 'face-attributes')!.labels).toEqual(['male', 'female']);
    expect(models.find((m) => m.id === 'face-expression')!.labels).toEqual([
      'neutral',
      'happy',
      'sad',
      'angry',
      'fearful',
      'disgusted',
      'surprised',
    ]);
  });

  it('is deterministic: a second conversion yields identical bytes', () => {
    const again = convertAll();
    expect(again.length).toBe(models.length);
    again.forEach((m, i) =>
      expect(Buffer.compare(Buffer.from(m.onnx), Buffer.from(models[i]!.onnx)), m.variant).toBe(0),
    );
  });

  it('stores uint8 files about 4x smaller than float32 files', () => {
    for (const m of models.filter((x) => x.encoding === 'uint8')) {
      const full = models.find(
        (x) => x.id === m.id && x.version === m.version && x.size === m.size && x.encoding === 'float32',
      )!;
      expect(m.onnx.length, `${m.id}@${m.version} ${m.variant}`).toBeLessThan(full.onnx.length / 3);
    }
  });

  it('writes opset 17 and metadata naming the model, version, variant, encoding and source', () => {
    for (const m of models) {
      const { opsets, metadata } = readModelHeader(m.onnx);
      expect(opsets).toEqual([17]);
      const keys = metadata.map(([k]) => k);
      expect(new Set(keys).size, `duplicate metadata keys in ${m.variant}: ${keys.join(', ')}`).toBe(keys.length);
      const meta = Object.fromEntries(metadata);
      expect(meta['model-id']).toBe(m.id);
      expect(meta['model-version']).toBe(m.version);
      expect(meta['variant']).toBe(m.variant);
      expect(meta['encoding']).toBe(m.encoding);
      expect(meta['source'] ?? '').not.toBe('');
    }
  });
});

describe('task contracts as onnxruntime-web reads them', () => {
  it.each([
    ['face-detector', '1.0.0', '416-uint8'],
    ['face-detector', '1.0.0', '224-float32'],
    ['face-detector', '2.0.0', '512-uint8'],
    ['face-attributes', '1.0.0', '112-uint8'],
    ['face-expression', '1.0.0', '112-float32'],
  ] as const)(
    '%s %s %s',
    async (id, version, variant) => {
      const m = models.find((x) => x.id === id && x.version === version && x.variant === variant)!;
      const session = await OrtModel.create(m.onnx);
      try {
        if (id === 'face-detector') {
          expect(session.inputs).toEqual([{ name: 'image', type: 'float32', dims: [1, 3, m.size, m.size] }]);
          expect(session.outputs).toEqual([
            { name: 'boxes', type: 'float32', dims: ['n', 4] },
            { name: 'scores', type: 'float32', dims: ['n'] },
          ]);
          // A blank image has no faces: the graph must return empty (not malformed) outputs.
          const out = await session.run({
            image: { type: 'float32', dims: [1, 3, m.size, m.size], data: new Float32Array(3 * m.size * m.size) },
          });
          expect(out.boxes!.dims).toEqual([0, 4]);
          expect(out.scores!.dims).toEqual([0]);
        } else {
          expect(session.inputs).toEqual([{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }]);
          const expectedOutputs =
            id === 'face-attributes'
              ? [
                  { name: 'age', type: 'float32', dims: ['b', 1] },
                  { name: 'gender', type: 'float32', dims: ['b', 2] },
                ]
              : [{ name: 'expression', type: 'float32', dims: ['b', 7] }];
          expect(session.outputs).toEqual(expectedOutputs);
          // Batches of different sizes run on one session; probabilities sum to 1.
          for (const b of [1, 3]) {
            const faces = new Float32Array(b * 3 * 112 * 112).map((_, i) => (i * 37) % 256);
            const out = await session.run({ faces: { type: 'float32', dims: [b, 3, 112, 112], data: faces } });
            const probs = (id === 'face-attributes' ? out.gender : out.expression)!;
            const k = id === 'face-attributes' ? 2 : 7;
            expect(probs.dims).toEqual([b, k]);
            for (let i = 0; i < b; i++) {
              const row = Array.from((probs.data as Float32Array).subarray(i * k, i * k + k));
              expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
            }
          }
        }
      } finally {
        await session.release();
      }
    },
    60_000,
  );
});
