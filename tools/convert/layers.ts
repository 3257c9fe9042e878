/**
 * @file Turns TF.js weights into ONNX constants in either encoding, with the layout changes
 * ONNX needs (HWIO → OIHW for conv, [kh,kw,C,1] → [C,1,kh,kw] for depthwise). In the
 * 'uint8' encoding a quantised weight is stored as its uint8 codes and dequantised in the
 * graph (Cast → Mul(scale) → Add(min) → Cast), about 4× smaller than float32. The TF.js graph
 * translator shares {@link permute} and {@link dequantize}.
 */
import { attr, DataType, type GraphBuilder } from './onnx/graph-builder.ts';
import type { Quantization, Weight } from './weights.ts';
import type { WeightEncoding } from '../../src/shared/manifest-types.ts';

/** How a TF weight must be rearranged for ONNX. */
export type WeightLayout = 'as-is' | 'conv' | 'depthwise';

/** Permutes a row-major array of `shape` by `perm` (out dim i = in dim perm[i]). */
export function permute<T extends Float32Array | Int32Array | Uint8Array | Uint16Array>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
): { data: T; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i]! * inStrides[perm[i]!]!;
    out[o] = data[src]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return { data: out, shape: outShape };
}

const PERM: Record<WeightLayout, number[] | null> = {
  'as-is': null,
  conv: [3, 2, 0, 1], // [kh,kw,I,O] → [O,I,kh,kw]
  depthwise: [2, 3, 0, 1], // [kh,kw,C,1] → [C,1,kh,kw]
};

/**
 * Emits a float32 value holding `w` in ONNX layout. With encoding 'uint8' and a quantised
 * weight, stores the uint8 codes and dequantises in the graph; otherwise stores float32.
 */
export function weightValue(g: GraphBuilder, w: Weight, layout: WeightLayout, encoding: WeightEncoding): string {
  if (w.dtype !== 'float32')
    throw new Error(`weight ${w.name} is ${w.dtype}; only float32 weights become graph constants`);
  const perm = PERM[layout];
  if (encoding === 'uint8' && w.quantized) {
    const { data, shape } = perm
      ? permute(w.quantized.codes, w.shape, perm)
      : { data: w.quantized.codes, shape: w.shape };
    const codes = g.constant(`${w.name}/q`, { type: w.quantized.dtype, dims: shape, data });
    return dequantize(g, w.name, codes, w.quantized);
  }
  const values = w.values as Float32Array;
  const { data, shape } = perm ? permute(values, w.shape, perm) : { data: values, shape: w.shape };
  return g.constant(w.name, { type: 'float32', dims: shape, data });
}

/**
 * Dequantises uint8/uint16 `codes` in the graph: Cast to float64, `* scale + min`, then one
 * rounding to float32 — bit-identical to TF.js, which computes q * scale + min in JS doubles and
 * stores the result in a Float32Array. Returns the float32 value.
 */
export function dequantize(g: GraphBuilder, name: string, codes: string, q: Quantization): string {
  const asDouble = g.node('Cast', [codes], { to: attr.int(DataType.float64) }, `${name}/cast`);
  const scale = g.constant(`${name}/scale`, { type: 'float64', dims: [], data: [q.scale] });
  const min = g.constant(`${name}/min`, { type: 'float64', dims: [], data: [q.min] });
  const scaled = g.node('Mul', [asDouble, scale], {}, `${name}/mul`);
  const shifted = g.node('Add', [scaled, min], {}, `${name}/add`);
  return g.node('Cast', [shifted], { to: attr.int(DataType.float32) }, `${name}/dequant`);
}
