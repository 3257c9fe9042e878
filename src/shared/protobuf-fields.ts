/**
 * @file The smallest protobuf wire-format reader that reading ONNX files needs: it walks one
 * message's fields (varints, fixed 32/64-bit and length-delimited values) without a schema and
 * without copying. Used by the compat check (onnx-signature.ts) and by publish-model's file
 * inspection; anything malformed is reported through the caller's error class.
 */

/** One field of a message: its number, wire type and value (a number, or the bytes). */
export interface ProtobufField {
  no: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: 0 | 1 | 2 | 5;
  value: number | Uint8Array;
}

/** Yields the fields of the message in `buf`; throws `fail(reason)` on malformed input. */
export function* protobufFields(buf: Uint8Array, fail: (reason: string) => Error): Generator<ProtobufField> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw fail('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw fail('varint too long');
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (no === 0) throw fail('field number 0');
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw fail('truncated fixed-size field');
      yield { no, wire, value: buf.subarray(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw fail('truncated length-delimited field');
      yield { no, wire, value: buf.subarray(pos, pos + len) };
      pos += len;
    } else throw fail(`unsupported protobuf wire type ${wire}`);
  }
}
