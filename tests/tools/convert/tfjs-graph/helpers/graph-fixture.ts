/**
 * @file Builds tiny TF.js graph models in memory (model.json + weight bytes) for the op tests:
 * placeholders, constants in any TF.js weight encoding (float32, float16, uint8/uint16
 * affine quantisation), and nodes with attributes in TF.js's JSON form.
 */
import type { GraphModelJson, TfAttrValue, TfNode } from '../../../../../tools/convert/tfjs-graph/model-source.ts';
import type { ManifestEntry } from '../../../../../tools/convert/weights.ts';

/** How a constant's values are stored in the weight shard. */
export type WeightEncoding = 'float32' | 'float16' | 'uint8' | 'uint16' | 'float16-dtype';

const DT = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' } as const;
type Dtype = keyof typeof DT;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Attribute constructors (TF.js JSON encoding). */
export const a = {
  i: (v: number): TfAttrValue => ({ i: String(v) }),
  ints: (v: readonly number[]): TfAttrValue => ({ list: { i: v.map(String) } }),
  f: (v: number): TfAttrValue => ({ f: v }),
  b: (v: boolean): TfAttrValue => ({ b: v }),
  s: (v: string): TfAttrValue => ({ s: b64(v) }),
  strs: (v: readonly string[]): TfAttrValue => ({ list: { s: v.map(b64) } }),
  type: (v: Dtype): TfAttrValue => ({ type: DT[v] }),
  shape: (v: readonly number[]): TfAttrValue => ({ shape: { dim: v.map((d) => ({ size: String(d) })) } }),
};

/** float32 → IEEE half bits, round to nearest even (for fixtures only). */
export function toFloat16Bits(value: number): number {
  const u = new Uint32Array(Float32Array.of(value).buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (((u >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (exp << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return half;
}

function encode(
  values: ArrayLike<number>,
  dtype: Dtype,
  encoding: WeightEncoding,
): { bytes: Uint8Array; entry: Partial<ManifestEntry> } {
  if (dtype !== 'float32' || encoding === 'float32') {
    const typed =
      dtype === 'float32'
        ? Float32Array.from(values)
        : dtype === 'int32'
          ? Int32Array.from(values)
          : Uint8Array.from(values);
    return { bytes: new Uint8Array(typed.buffer), entry: {} };
  }
  if (encoding === 'float16' || encoding === 'float16-dtype') {
    const bits = Uint16Array.from(values, toFloat16Bits);
    const entry: Partial<ManifestEntry> =
      encoding === 'float16' ? { quantization: { dtype: 'float16' } } : { dtype: 'float16' };
    return { bytes: new Uint8Array(bits.buffer), entry };
  }
  const levels = encoding === 'uint8' ? 255 : 65535;
  const arr = Array.from(values);
  const min = Math.min(...arr);
  const scale = (Math.max(...arr) - min) / levels || 1;
  const quantized = arr.map((v) => Math.round((v - min) / scale));
  const codes = encoding === 'uint8' ? Uint8Array.from(quantized) : Uint16Array.from(quantized);
  return { bytes: new Uint8Array(codes.buffer), entry: { quantization: { dtype: encoding, scale, min } } };
}

/** A graph model under construction. */
export class GraphFixture {
  private readonly nodes: TfNode[] = [];
  private readonly weights: { entry: ManifestEntry; bytes: Uint8Array }[] = [];

  /** Adds a graph input; `shape` may hold -1 for unknown dimensions. */
  placeholder(name: string, shape: readonly number[], dtype: Dtype = 'float32'): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: a.type(dtype), shape: a.shape(shape) } });
    return name;
  }

  /** Adds a constant stored in the weights (as TF.js graph models do) in `encoding`. */
  const(
    name: string,
    shape: readonly number[],
    values: ArrayLike<number>,
    dtype: Dtype = 'float32',
    encoding: WeightEncoding = 'float32',
  ): string {
    const n = shape.reduce((x, y) => x * y, 1);
    if (values.length !== n) throw new Error(`const ${name}: ${values.length} values for shape [${shape}]`);
    const { bytes, entry } = encode(values, dtype, encoding);
    this.weights.push({ entry: { name, shape: [...shape], dtype, ...entry }, bytes });
    this.nodes.push({
      name,
      op: 'Const',
      attr: {
        dtype: a.type(dtype),
        value: { tensor: { dtype: DT[dtype], tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
      },
    });
    return name;
  }

  /** Adds an op node; returns its name (output 0). */
  node(name: string, op: string, inputs: readonly string[], attrs: Record<string, TfAttrValue> = {}): string {
    this.nodes.push({ name, op, input: [...inputs], attr: { T: a.type('float32'), ...attrs } });
    return name;
  }

  /** model.json and the weight bytes. */
  build(): { json: GraphModelJson; weightData: Uint8Array } {
    const total = this.weights.reduce((s, w) => s + w.bytes.length, 0);
    const weightData = new Uint8Array(total);
    let offset = 0;
    for (const w of this.weights) {
      weightData.set(w.bytes, offset);
      offset += w.bytes.length;
    }
    const json: GraphModelJson = {
      format: 'graph-model',
      generatedBy: 'hotlens tests',
      convertedBy: 'hotlens tests',
      modelTopology: { node: this.nodes, versions: { producer: 1 } },
      weightsManifest: [{ paths: ['weights.bin'], weights: this.weights.map((w) => w.entry) }],
    };
    return { json, weightData };
  }
}
