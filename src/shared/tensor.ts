/**
 * @file Plain-data tensors and tensor signatures: what crosses thread and process boundaries
 * (no runtime objects, only typed arrays that can be transferred).
 */

/** Element types hotlens models use. */
export type TensorType = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';

/** A dimension: a fixed size or a symbolic name ("n", "batch"). */
export type Dim = number | string;

/** The declared signature of one model input or output. */
export interface TensorSpec {
  name: string;
  type: TensorType;
  dims: Dim[];
}

/** Typed array matching a {@link TensorType}. */
export type TensorArray = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** A tensor as plain data: `{type, dims, data}`. */
export interface TensorData {
  type: TensorType;
  dims: number[];
  data: TensorArray;
}

/** A float32 tensor, the common case for model inputs. */
export function float32Tensor(data: Float32Array, dims: number[]): TensorData {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new RangeError(`tensor has ${data.length} values but dims ${JSON.stringify(dims)} need ${expected}`);
  }
  return { type: 'float32', dims, data };
}

/** Reads a float32 output, failing clearly when the model returned another type. */
export function asFloat32(t: TensorData | undefined, what: string): Float32Array {
  if (!t) throw new Error(`model output "${what}" is missing`);
  if (!(t.data instanceof Float32Array)) throw new Error(`model output "${what}" is ${t.type}, expected float32`);
  return t.data;
}
