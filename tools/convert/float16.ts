/**
 * @file IEEE 754 half-precision → float32 decoding (Node 20 has no Float16Array). Every half
 * value is exactly representable as a float32, so this is the same mapping TF.js's float16
 * weight decoder and ONNX Cast(float16 → float) implement: no rounding anywhere.
 */

/** Decodes one half-precision bit pattern to its (exact) number value. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let table: Float32Array | undefined;

/** Decodes half-precision bit patterns to float32 values. */
export function float16BitsToFloat32(bits: Uint16Array): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) table[b] = float16ToNumber(b);
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}
