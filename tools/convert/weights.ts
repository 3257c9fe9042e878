/**
 * @file Reads TF.js weights (a weights manifest — `*-weights_manifest.json` or a graph
 * model.json's `weightsManifest` — plus the shard bytes) into named tensors. Weights sit back to
 * back in manifest order within each group. Compact encodings keep their raw form beside the
 * decoded values so a converter can store them as they are: uint8/uint16 affine codes with
 * (scale, min), or float16 bit patterns. Decoding follows TF.js `decodeWeight` exactly.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { float16BitsToFloat32 } from './float16.ts';

/** Quantisation parameters of one weight: `value = q * scale + min`. */
export interface Quantization {
  scale: number;
  min: number;
}

/** One weight as stored by TF.js (layout unchanged: HWIO, [kh,kw,C,1], [in,out]...). */
export interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /** Decoded values exactly as TF.js decodes them (float64 math, stored as float32/int32). */
  values: Float32Array | Int32Array | Uint8Array;
  /** Raw codes when the weight is uint8- or uint16-quantised in the manifest. */
  quantized?: { codes: Uint8Array | Uint16Array; dtype: 'uint8' | 'uint16' } & Quantization;
  /** Raw half-precision bit patterns when the weight is stored as float16. */
  float16?: Uint16Array;
}

/** One entry of a TF.js weights manifest group. */
export interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** One group of a TF.js weights manifest: shard paths and the weights they hold, in order. */
export interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Bytes one manifest entry occupies in the shards. */
export function entryByteLength(entry: ManifestEntry): number {
  const q = entry.quantization?.dtype;
  const perValue =
    q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : ({ bool: 1, float16: 2 }[entry.dtype] ?? 4);
  return count(entry.shape) * perValue;
}

/** Copies `length` bytes at `offset` into a fresh, aligned buffer. */
function slice(buffer: Uint8Array, offset: number, length: number, label: string, name: string): ArrayBuffer {
  if (offset + length > buffer.length) {
    throw new Error(
      `${label}: weight ${name} needs bytes ${offset}..${offset + length} but the shards hold ${buffer.length}`,
    );
  }
  return buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + length) as ArrayBuffer;
}

function decodeEntry(entry: ManifestEntry, buffer: Uint8Array, offset: number, label: string): [Weight, number] {
  const n = count(entry.shape);
  const { name, shape } = entry;
  const q = entry.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      if (entry.dtype !== 'float32')
        throw new Error(`${label}: weight ${name} is float16-quantised but ${entry.dtype}`);
      const bits = new Uint16Array(slice(buffer, offset, n * 2, label, name));
      return [{ name, shape, dtype: 'float32', values: float16BitsToFloat32(bits), float16: bits }, n * 2];
    }
    if ((q.dtype !== 'uint8' && q.dtype !== 'uint16') || q.scale === undefined || q.min === undefined) {
      throw new Error(`${label}: weight ${name} uses unsupported quantisation ${q.dtype}`);
    }
    if (entry.dtype !== 'float32' && entry.dtype !== 'int32') {
      throw new Error(`${label}: weight ${name} has unsupported dtype ${entry.dtype}`);
    }
    const dtype: 'uint8' | 'uint16' = q.dtype;
    const bytes = dtype === 'uint8' ? 1 : 2;
    const raw = slice(buffer, offset, n * bytes, label, name);
    const codes = dtype === 'uint8' ? new Uint8Array(raw) : new Uint16Array(raw);
    const values = entry.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = codes[i]! * q.scale + q.min;
      values[i] = entry.dtype === 'float32' ? v : Math.round(v);
    }
    const quantized = { codes, dtype, scale: q.scale, min: q.min };
    return [{ name, shape, dtype: entry.dtype, values, quantized }, n * bytes];
  }
  switch (entry.dtype) {
    case 'float32':
      return [
        { name, shape, dtype: 'float32', values: new Float32Array(slice(buffer, offset, n * 4, label, name)) },
        n * 4,
      ];
    case 'int32':
      return [
        { name, shape, dtype: 'int32', values: new Int32Array(slice(buffer, offset, n * 4, label, name)) },
        n * 4,
      ];
    case 'bool':
      return [{ name, shape, dtype: 'bool', values: new Uint8Array(slice(buffer, offset, n, label, name)) }, n];
    case 'float16': {
      const bits = new Uint16Array(slice(buffer, offset, n * 2, label, name));
      return [{ name, shape, dtype: 'float32', values: float16BitsToFloat32(bits), float16: bits }, n * 2];
    }
    default:
      throw new Error(`${label}: weight ${name} has unsupported dtype ${entry.dtype}`);
  }
}

/**
 * Decodes every weight of `groups`, keyed by name (insertion order = manifest order).
 * `groupBytes(group, index)` returns the concatenated shard bytes of one group; `label` prefixes
 * error messages (a file path or a model name).
 */
export function decodeWeightGroups(
  groups: readonly ManifestGroup[],
  groupBytes: (group: ManifestGroup, index: number) => Uint8Array,
  label: string,
): Map<string, Weight> {
  const result = new Map<string, Weight>();
  groups.forEach((group, index) => {
    const buffer = groupBytes(group, index);
    let offset = 0;
    for (const entry of group.weights) {
      const [weight, used] = decodeEntry(entry, buffer, offset, label);
      offset += used;
      result.set(entry.name, weight);
    }
    if (offset !== buffer.length) {
      throw new Error(`${label}: manifest describes ${offset} bytes but the shards hold ${buffer.length}`);
    }
  });
  return result;
}

/** Reads and concatenates the shards of every group, resolving paths against `dir`. */
export function readShards(groups: readonly ManifestGroup[], dir: string): Uint8Array[] {
  return groups.map((group) => {
    const buffer = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, p))));
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  });
}

/** Loads every weight of a TF.js weights manifest, keyed by name (insertion order = manifest order). */
export function readWeightsManifest(manifestPath: string): Map<string, Weight> {
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestGroup[];
  const shards = readShards(groups, dirname(manifestPath));
  return decodeWeightGroups(groups, (_, i) => shards[i]!, manifestPath);
}

/** Returns a weight or throws a message naming the missing key. */
export function requireWeight(weights: Map<string, Weight>, name: string): Weight {
  const w = weights.get(name);
  if (!w) throw new Error(`weight "${name}" is missing from the manifest`);
  return w;
}
