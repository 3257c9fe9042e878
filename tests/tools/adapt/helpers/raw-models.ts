/**
 * @file Raw "exports" with a chosen signature for the refusal tests: adapt-model reads only the
 * signature before it refuses, so the graph behind it is a stub (each output is a constant);
 * and byte-level edits for the file-format refusals (old IR version, external weights).
 */
import { protobufFields, type ProtobufField } from '../../../../src/shared/protobuf-fields.ts';
import { GraphBuilder, type Dim, type ElemType } from '../../../../tools/convert/onnx/graph-builder.ts';
import { ProtoWriter } from '../../../../tools/convert/onnx/proto-writer.ts';

/** A tensor declaration. */
export interface Decl {
  name: string;
  type?: ElemType;
  dims: Dim[];
}

/** A model with these inputs and outputs (outputs are constants of the declared type). */
export function stubModel(
  inputs: Decl[],
  outputs: Decl[],
  opts: { opset?: number; metadata?: Record<string, string> } = {},
): Uint8Array {
  const g = new GraphBuilder('main_graph');
  for (const i of inputs) g.input(i.name, i.type ?? 'float32', i.dims);
  for (const o of outputs) {
    const type = o.type ?? 'float32';
    const value = g.constant(`${o.name}_const`, { type, dims: [1], data: [0] });
    g.output(g.node('Identity', [value], {}, `${o.name}_stub`), o.name, type, o.dims);
  }
  return g.toModel({ opset: opts.opset ?? 17, metadata: opts.metadata });
}

/** Rewrites a model's top-level fields: `edit` gets each (number, bytes-or-varint) and the writer. */
function rewrite(model: Uint8Array, edit: (f: ProtobufField, w: ProtoWriter) => boolean): Uint8Array {
  const w = new ProtoWriter();
  for (const f of protobufFields(model, (r) => new Error(r))) {
    if (edit(f, w)) continue;
    if (typeof f.value === 'number') w.int(f.no, f.value);
    else w.bytes(f.no, f.value);
  }
  return w.finish();
}

/** The same model with another ir_version (ModelProto field 1). */
export function withIrVersion(model: Uint8Array, ir: number): Uint8Array {
  return rewrite(model, (f, w) => f.no === 1 && (w.int(1, ir), true));
}

/** The same model plus an initializer whose data lives in an external file (data_location = EXTERNAL). */
export function withExternalInitializer(model: Uint8Array): Uint8Array {
  return rewrite(model, (f, w) => {
    if (f.no !== 7) return false;
    const extra = new ProtoWriter()
      .message(5, (t) =>
        t
          .int(1, 4)
          .int(2, 1)
          .string(8, 'big_weight')
          .message(13, (kv) => kv.string(1, 'location').string(2, 'weights.bin'))
          .int(14, 1),
      )
      .finish();
    const graph = f.value as Uint8Array;
    const merged = new Uint8Array(graph.length + extra.length);
    merged.set(graph);
    merged.set(extra, graph.length);
    w.bytes(7, merged);
    return true;
  });
}
