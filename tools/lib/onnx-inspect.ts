/**
 * @file Reads the few facts publish-model needs from an ONNX file without a runtime: that it
 * is a well-formed ModelProto with a graph, its producer and metadata, and how its weights are
 * stored (the manifest's `encoding`). A tiny protobuf reader; nothing is decoded beyond that.
 */
import type { WeightEncoding } from '../../src/shared/manifest-types.ts';
import { protobufFields, type ProtobufField } from '../../src/shared/protobuf-fields.ts';

/** The bytes are not a well-formed ONNX ModelProto. */
export class NotOnnxError extends Error {
  override name = 'NotOnnxError';
}

/** What {@link inspectOnnx} found. */
export interface OnnxSummary {
  irVersion: number;
  producer: string;
  opsets: number[];
  metadata: Record<string, string>;
  /** Element counts of the graph's initializers by ONNX data type number (1 = float, 2 = uint8). */
  initializerElements: Record<number, number>;
  encoding: WeightEncoding;
}

type Field = ProtobufField;

function fields(buf: Uint8Array): Generator<Field> {
  return protobufFields(buf, (reason) => new NotOnnxError(reason));
}

const text = (v: number | Uint8Array): string =>
  typeof v === 'number' ? '' : new TextDecoder('utf-8', { fatal: false }).decode(v);

function bytesOf(f: Field): Uint8Array {
  if (typeof f.value === 'number') throw new NotOnnxError(`field ${f.no} should be length-delimited`);
  return f.value;
}

function tensorElements(buf: Uint8Array): { type: number; count: number } {
  let type = 0;
  let count = 1;
  for (const f of fields(buf)) {
    if (f.no === 1) {
      if (typeof f.value === 'number') count *= f.value;
      else for (const d of fields(prefixPacked(f.value))) count *= d.value as number; // packed dims
    } else if (f.no === 2 && typeof f.value === 'number') type = f.value;
  }
  return { type, count };
}

/** Wraps packed varints as repeated field-1 varints so {@link fields} can read them. */
function prefixPacked(packed: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < packed.length) {
    out.push(0x08);
    do out.push(packed[i]!);
    while (packed[i++]! >= 0x80 && i < packed.length);
  }
  return Uint8Array.from(out);
}

/** Parses the ONNX header, graph initializers and metadata; throws {@link NotOnnxError} for anything else. */
export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  if (bytes.length === 0) throw new NotOnnxError('empty file');
  let irVersion = 0;
  let producer = '';
  let graph: Uint8Array | null = null;
  const opsets: number[] = [];
  const metadata: Record<string, string> = {};
  for (const f of fields(bytes)) {
    if (f.no === 1 && typeof f.value === 'number') irVersion = f.value;
    else if (f.no === 2) producer = text(f.value);
    else if (f.no === 7) graph = bytesOf(f);
    else if (f.no === 8) {
      for (const g of fields(bytesOf(f))) if (g.no === 2 && typeof g.value === 'number') opsets.push(g.value);
    } else if (f.no === 14) {
      let k = '';
      let v = '';
      for (const g of fields(bytesOf(f))) {
        if (g.no === 1) k = text(g.value);
        else if (g.no === 2) v = text(g.value);
      }
      metadata[k] = v;
    }
  }
  if (irVersion < 1 || irVersion > 100 || !graph) throw new NotOnnxError('no ONNX model header and graph');
  const initializerElements: Record<number, number> = {};
  let nodes = 0;
  for (const f of fields(graph)) {
    if (f.no === 1) nodes++;
    if (f.no !== 5) continue;
    const { type, count } = tensorElements(bytesOf(f));
    initializerElements[type] = (initializerElements[type] ?? 0) + count;
  }
  if (nodes === 0) throw new NotOnnxError('the graph has no nodes');
  const declared = metadata.encoding;
  // Else the element type holding most weights: uint8 (2), float16 (10) or float32 (1).
  const dominant = (
    [
      ['uint8', 2],
      ['float16', 10],
    ] as const
  ).find(([, type]) => (initializerElements[type] ?? 0) > (initializerElements[1] ?? 0));
  const encoding: WeightEncoding =
    declared === 'uint8' || declared === 'float32' || declared === 'float16' ? declared : (dominant?.[0] ?? 'float32');
  return { irVersion, producer, opsets, metadata, initializerElements, encoding };
}
