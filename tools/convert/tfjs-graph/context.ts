/**
 * @file The translation state: every TF tensor translated so far (ONNX value, dtype, static
 * shape, layout) and the conversions between layouts. Rank-4 feature maps live in NCHW inside
 * the ONNX graph while their TF shape stays NHWC; an op that needs the other layout asks for it
 * and gets one cached Transpose, and constants are laid out once at conversion time instead
 * (conv filters in OIHW, per-channel vectors as [C,1,1]). Weights keep their compact encoding
 * (float16 → Cast, uint8/uint16 → in-graph dequantisation) unless float32 storage is asked for.
 */
import { attr, DataType, type GraphBuilder } from '../onnx/graph-builder.ts';
import { dequantize, permute } from '../layers.ts';
import type { Weight } from '../weights.ts';
import type { TfDtype } from './node-attrs.ts';

/** How a value is laid out in the ONNX graph: as TF has it, or (rank 4) NHWC stored as NCHW. */
export type Layout = 'tf' | 'nchw';

/** How weights are stored: in their compact TF.js encoding, or decoded to float32. */
export type WeightStorage = 'compact' | 'float32';

/** A translated TF tensor. `shape` is always TF's (NHWC); -1 marks an unknown dimension. */
export interface Value {
  dtype: TfDtype;
  shape: number[];
  layout: Layout;
  /** The ONNX value; undefined for a constant not yet stored in the graph. */
  onnx?: string;
  /** Set for Const nodes: the weight, laid out on demand. */
  weight?: Weight;
}

/** NHWC axis → position in NCHW. */
export const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1] as const;
/** Transpose perm taking NHWC data to NCHW. */
export const TO_NCHW = [0, 3, 1, 2] as const;
/** Transpose perm taking NCHW data back to NHWC. */
export const TO_NHWC = [0, 2, 3, 1] as const;

/** ONNX element type of a translator dtype. */
export const onnxType = (t: TfDtype) => DataType[t];

/** The graph being built plus the layout and constant caches. */
export class TranslationContext {
  private readonly converted = new Map<string, string>();

  constructor(
    readonly g: GraphBuilder,
    readonly storage: WeightStorage,
  ) {}

  /** A Value for a Const node's weight (stored lazily). */
  constValue(weight: Weight): Value {
    return { dtype: weight.dtype, shape: [...weight.shape], layout: 'tf', weight };
  }

  /**
   * Stores `w` permuted by `perm` and reshaped to `dims` (same element count), in the
   * context's weight storage, once per (weight, perm, dims). Returns the float32/int32/bool value.
   */
  weightValue(w: Weight, perm: readonly number[] | null = null, dims?: readonly number[]): string {
    const key = `${w.name}|${w.shape.join(',')}|${perm?.join(',') ?? ''}|${dims?.join(',') ?? ''}`;
    const cached = this.converted.get(key);
    if (cached) return cached;
    const arrange = <T extends Float32Array | Int32Array | Uint8Array | Uint16Array>(data: T) => {
      const p = perm ? permute(data, w.shape, perm) : { data, shape: [...w.shape] };
      return { data: p.data, shape: dims ? [...dims] : p.shape };
    };
    const hint = perm || dims ? `${w.name}/arranged` : w.name;
    // The stored tensor keeps the TF name; the few nodes decoding it get a short one (the last
    // two path segments): TF.js names run to 150 characters and would otherwise add ~10% to a file.
    const short = hint.split('/').slice(-2).join('/');
    let value: string;
    if (this.storage === 'compact' && w.float16) {
      const { data, shape } = arrange(w.float16);
      const bits = this.g.constant(`${hint}/f16`, { type: 'float16', dims: shape, data });
      value = this.g.node('Cast', [bits], { to: attr.int(DataType.float32) }, short);
    } else if (this.storage === 'compact' && w.quantized && w.dtype === 'float32') {
      const { data, shape } = arrange(w.quantized.codes);
      const codes = this.g.constant(`${hint}/q`, { type: w.quantized.dtype, dims: shape, data });
      value = dequantize(this.g, short, codes, w.quantized);
    } else {
      const { data, shape } = arrange(w.values);
      value = this.g.constant(hint, { type: w.dtype, dims: shape, data });
    }
    this.converted.set(key, value);
    return value;
  }

  /** The ONNX value of `v` in its current layout (constants in TF layout). */
  value(v: Value): string {
    return v.weight ? this.weightValue(v.weight) : v.onnx!;
  }

  /** The ONNX value of `v` in TF layout (NCHW values get one cached Transpose back). */
  plain(v: Value): string {
    if (v.weight) return this.weightValue(v.weight);
    if (v.layout === 'tf') return v.onnx!;
    return this.transposed(v.onnx!, TO_NHWC);
  }

  /** The ONNX value of rank-4 `v` in NCHW (constants are permuted at conversion time). */
  nchw(v: Value): string {
    if (v.shape.length !== 4) throw new Error(`internal: nchw() of a rank-${v.shape.length} value`);
    if (v.weight) return this.weightValue(v.weight, TO_NCHW);
    if (v.layout === 'nchw') return v.onnx!;
    return this.transposed(v.onnx!, TO_NCHW);
  }

  /**
   * `v` (rank ≤ 4) shaped to broadcast against an NCHW value as it broadcast against the NHWC
   * one in TF: padded with leading 1s to rank 4, then permuted. Scalars stay as they are.
   */
  broadcastNchw(v: Value): string {
    const rank = v.shape.length;
    if (rank === 4 || v.layout === 'nchw') return this.nchw(v);
    if (rank === 0) return this.plain(v);
    if (rank > 4) throw new Error(`internal: broadcastNchw() of a rank-${rank} value`);
    const padded = [...Array<number>(4 - rank).fill(1), ...v.shape];
    if (v.weight) {
      const dims = TO_NCHW.map((p) => padded[p]!);
      const inOrder = padded.filter((d) => d !== 1).join() === dims.filter((d) => d !== 1).join();
      // Only a reshape when the non-1 dims keep their order ([C] → [1,C,1,1]); else a permutation.
      if (inOrder) return this.weightValue(v.weight, null, dims);
      const w4: Weight = { ...v.weight, shape: padded };
      return this.weightValue(w4, TO_NCHW);
    }
    const axes = this.g.i64(
      'broadcast/axes',
      Array.from({ length: 4 - rank }, (_, i) => i),
    );
    const unsqueezed = this.g.node('Unsqueeze', [v.onnx!, axes], {}, `${v.onnx}/rank4`);
    return this.transposed(unsqueezed, TO_NCHW);
  }

  private transposed(value: string, perm: readonly number[]): string {
    const key = `${value}|T${perm.join(',')}`;
    let out = this.converted.get(key);
    if (!out) {
      const suffix = perm.join('') === TO_NCHW.join('') ? 'nchw' : 'nhwc';
      out = this.g.node('Transpose', [value], { perm: attr.ints(perm) }, `${value}/${suffix}`);
      this.converted.set(key, out);
    }
    return out;
  }
}
