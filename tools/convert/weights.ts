/**
 * @file Reads a TF.js weights manifest (`*-weights_manifest.json` + `.bin` shards) into named
 * tensors. Weights sit back to back in manifest order; uint8-quantised weights keep their raw
 * bytes and (scale, min) so the converter can emit either float32 or in-graph dequantisation.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Quantisation parameters of one weight: `value = q * scale + min`. */
export interface Quantization {
  scale: number;
  min: number;
}

/** One weight as stored by TF.js (layout unchanged: HWIO, [kh,kw,C,1], [in,out]...). */
export interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Decoded values exactly as TF.js decodes them (float64 math, stored as float32/int32). */
  values: Float32Array | Int32Array;
  /** Raw uint8 codes when the weight is uint8-quantised in the manifest. */
  quantized?: { codes: Uint8Array } & Quantization;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

/** Loads every weight of a TF.js weights manifest, keyed by name (insertion order = manifest order). */
export function readWeightsManifest(manifestPath: string): Map<string, Weight> {
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestGroup[];
  const result = new Map<string, Weight>();
  for (const group of groups) {
    const shards = group.paths.map((p) => readFileSync(join(dirname(manifestPath), p)));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      if (entry.dtype !== 'float32' && entry.dtype !== 'int32') {
        throw new Error(`${manifestPath}: weight ${entry.name} has unsupported dtype ${entry.dtype}`);
      }
      const q = entry.quantization;
      let weight: Weight;
      if (q) {
        if (q.dtype !== 'uint8' || q.scale === undefined || q.min === undefined) {
          throw new Error(`${manifestPath}: weight ${entry.name} uses unsupported quantisation ${q.dtype}`);
        }
        const codes = new Uint8Array(
          buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + count),
        );
        offset += count;
        const values = entry.dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
        for (let i = 0; i < count; i++) {
          const v = codes[i]! * q.scale + q.min;
          values[i] = entry.dtype === 'float32' ? v : Math.round(v);
        }
        weight = {
          name: entry.name,
          shape: entry.shape,
          dtype: entry.dtype,
          values,
          quantized: { codes, scale: q.scale, min: q.min },
        };
      } else {
        const bytes = buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + count * 4);
        offset += count * 4;
        const values = entry.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes);
        weight = { name: entry.name, shape: entry.shape, dtype: entry.dtype, values };
      }
      result.set(entry.name, weight);
    }
    if (offset !== buffer.length) {
      throw new Error(`${manifestPath}: manifest describes ${offset} bytes but the shards hold ${buffer.length}`);
    }
  }
  return result;
}

/** Returns a weight or throws a message naming the missing key. */
export function requireWeight(weights: Map<string, Weight>, name: string): Weight {
  const w = weights.get(name);
  if (!w) throw new Error(`weight "${name}" is missing from the manifest`);
  return w;
}
