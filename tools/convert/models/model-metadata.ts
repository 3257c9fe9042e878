/**
 * @file Adds ONNX metadata_props to an already serialised model. The SSD builder fixes its own
 * metadata, but every registry file must name its model id, version and variant; protobuf
 * lets repeated fields be appended to a message's bytes, so no re-encoding is needed.
 */
import { ProtoWriter } from '../onnx/proto-writer.ts';

/** ModelProto.metadata_props field number. */
const METADATA_PROPS = 14;

/** Returns `model` with `entries` appended as metadata_props (keys sorted, for determinism). */
export function appendMetadata(model: Uint8Array, entries: Record<string, string>): Uint8Array {
  const w = new ProtoWriter();
  for (const key of Object.keys(entries).sort()) {
    w.message(METADATA_PROPS, (m) => m.string(1, key).string(2, entries[key]!));
  }
  const tail = w.finish();
  const out = new Uint8Array(model.length + tail.length);
  out.set(model, 0);
  out.set(tail, model.length);
  return out;
}
