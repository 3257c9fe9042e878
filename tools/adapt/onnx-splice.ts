/**
 * @file Edits an existing ONNX model in place of a schema: the ModelProto and its top-level
 * GraphProto are walked field by field (the project's protobuf reader), the fields adapt-model
 * changes are rewritten, and every other field — each original node, initializer, value_info,
 * opset import, metadata entry, local function and any field this file does not know — is
 * copied through unchanged. So a wrapped model is the raw model plus new nodes, never a
 * re-encoding that could drop what a schema subset forgets.
 *
 * A wrap is a {@link SplicePlan}: a prologue graph (from the new input to the raw input), an
 * epilogue graph (from the raw outputs to the new outputs), both built with the converter's
 * GraphBuilder. The prologue's nodes go before the raw nodes and the epilogue's after them, so
 * the node list stays topologically sorted as ONNX requires. The raw input and outputs stay in
 * the graph as internal values; their declarations move to value_info, keeping their shapes.
 */
import { protobufFields, type ProtobufField } from '../../src/shared/protobuf-fields.ts';
import { readOnnxSignature, type OnnxFileSignature } from '../../src/shared/onnx-signature.ts';
import type { Dim, ElemType, GraphBuilder } from '../convert/onnx/graph-builder.ts';
import { ProtoWriter } from '../convert/onnx/proto-writer.ts';

/** The bytes are not an ONNX model this module can edit; the message says why. */
export class OnnxEditError extends Error {
  override name = 'OnnxEditError';
}

/** ModelProto, GraphProto, NodeProto, TensorProto and ValueInfoProto field numbers used here. */
const MODEL = { irVersion: 1, producer: 2, graph: 7, opsetImport: 8, metadata: 14 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13, sparseInitializer: 15 } as const;
const NODE = { input: 1, output: 2, opType: 4, domain: 7 } as const;
const TENSOR = { name: 8, externalData: 13, dataLocation: 14 } as const;
const TENSOR_EXTERNAL = 1;

/** The parts of a raw model adapt-model reads; `fields` keep everything else for re-serialising. */
export interface OnnxModel {
  irVersion: number;
  producer: string;
  /** The default-domain ("" or "ai.onnx") opset version, or null when the model imports none. */
  opset: number | null;
  metadata: Record<string, string>;
  /** Inputs (initializers excluded) and outputs as declared in the file. */
  signature: OnnxFileSignature;
  /** Every value name of the top-level graph (new names must not clash with them). */
  names: ReadonlySet<string>;
  /** Op types of the top-level nodes, domain-qualified when not the default domain. */
  ops: readonly string[];
  /** Initializers whose data lives in files beside the model. */
  externalData: readonly string[];
  readonly modelFields: readonly ProtobufField[];
  readonly graphFields: readonly ProtobufField[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const bytesOf = (f: ProtobufField): Uint8Array => {
  if (typeof f.value === 'number') throw new OnnxEditError(`field ${f.no} should be length-delimited`);
  return f.value;
};
const text = (f: ProtobufField): string => utf8.decode(bytesOf(f));

function fields(buf: Uint8Array): ProtobufField[] {
  return [...protobufFields(buf, (reason) => new OnnxEditError(reason))];
}

function stringField(buf: Uint8Array, no: number): string {
  for (const f of fields(buf)) if (f.no === no && f.wire === 2) return text(f);
  return '';
}

const isDefaultDomain = (domain: string): boolean => domain === '' || domain === 'ai.onnx';

/** Reads a model for editing; throws {@link OnnxEditError} when the bytes are not an ONNX model. */
export function parseOnnxModel(bytes: Uint8Array): OnnxModel {
  if (bytes.length === 0) throw new OnnxEditError('the file is empty');
  const modelFields = fields(bytes);
  let irVersion = 0;
  let producer = '';
  let graph: Uint8Array | null = null;
  let opset: number | null = null;
  const metadata: Record<string, string> = {};
  for (const f of modelFields) {
    if (f.no === MODEL.irVersion && typeof f.value === 'number') irVersion = f.value;
    else if (f.no === MODEL.producer && f.wire === 2) producer = text(f);
    else if (f.no === MODEL.graph && f.wire === 2) graph = bytesOf(f);
    else if (f.no === MODEL.opsetImport && f.wire === 2) {
      const entry = fields(bytesOf(f));
      const domain = entry.find((e) => e.no === 1 && e.wire === 2);
      const version = entry.find((e) => e.no === 2 && e.wire === 0);
      if (isDefaultDomain(domain ? text(domain) : '') && typeof version?.value === 'number') opset = version.value;
    } else if (f.no === MODEL.metadata && f.wire === 2) {
      const m = bytesOf(f);
      metadata[stringField(m, 1)] = stringField(m, 2);
    }
  }
  if (irVersion < 1 || irVersion > 100 || !graph) throw new OnnxEditError('no ONNX model header and graph');
  const graphFields = fields(graph);
  const names = new Set<string>();
  const ops: string[] = [];
  const externalData: string[] = [];
  for (const f of graphFields) {
    if (f.no === GRAPH.node) {
      let op = '';
      let domain = '';
      for (const n of fields(bytesOf(f))) {
        if (n.no === NODE.input || n.no === NODE.output) names.add(text(n));
        else if (n.no === NODE.opType) op = text(n);
        else if (n.no === NODE.domain) domain = text(n);
      }
      ops.push(isDefaultDomain(domain) ? op : `${domain}.${op}`);
    } else if (f.no === GRAPH.initializer) {
      const t = fields(bytesOf(f));
      const name = t.find((x) => x.no === TENSOR.name && x.wire === 2);
      if (name) names.add(text(name));
      const external =
        t.some((x) => x.no === TENSOR.externalData) ||
        t.some((x) => x.no === TENSOR.dataLocation && x.value === TENSOR_EXTERNAL);
      if (external) externalData.push(name ? text(name) : '(unnamed)');
    } else if (f.no === GRAPH.input || f.no === GRAPH.output || f.no === GRAPH.valueInfo) {
      names.add(stringField(bytesOf(f), 1));
    } else if (f.no === GRAPH.sparseInitializer) {
      // SparseTensorProto { values = 1: TensorProto { name = 8 } }
      for (const s of fields(bytesOf(f))) if (s.no === 1) names.add(stringField(bytesOf(s), TENSOR.name));
    }
  }
  if (ops.length === 0) throw new OnnxEditError('the graph has no nodes');
  names.delete('');
  let signature: OnnxFileSignature;
  try {
    signature = readOnnxSignature(bytes);
  } catch (err) {
    throw new OnnxEditError((err as Error).message);
  }
  return {
    irVersion,
    producer,
    opset,
    metadata,
    signature,
    names,
    ops,
    externalData,
    modelFields,
    graphFields,
  };
}

/** One new graph output, produced by the epilogue. */
export interface SpliceOutput {
  name: string;
  type: ElemType;
  dims: readonly Dim[];
}

/** What to add to a raw model; see the file comment. */
export interface SplicePlan {
  /**
   * Runs before the raw graph. It declares the new graph input (its only `input`) and declares
   * the raw input's name as its only `output`, so its nodes end by producing that value.
   */
  prologue: GraphBuilder;
  /** The raw graph input the prologue now produces. */
  rawInput: string;
  /**
   * Runs after the raw graph. It declares the raw outputs it reads as `input`s (which only
   * reserves their names) and the new graph outputs as `output`s.
   */
  epilogue: GraphBuilder;
  /** The raw graph outputs that become internal values. */
  rawOutputs: readonly string[];
  /** The lowest default-domain opset the added nodes need; the model's import is raised to it if lower. */
  minOpset: number;
  /** metadata_props to set (an existing entry with the same key is replaced). */
  metadata: Record<string, string>;
}

interface FragmentParts {
  nodes: Uint8Array[];
  initializers: Uint8Array[];
  inputs: Map<string, Uint8Array>;
  outputs: Map<string, Uint8Array>;
  valueNames: Set<string>;
}

/** Serialises a GraphBuilder and takes its graph apart again (the builder writes only whole models). */
function partsOf(builder: GraphBuilder, opset: number): FragmentParts {
  const model = fields(builder.toModel({ opset }));
  const graph = model.find((f) => f.no === MODEL.graph);
  if (!graph) throw new Error('GraphBuilder wrote no graph');
  const parts: FragmentParts = {
    nodes: [],
    initializers: [],
    inputs: new Map(),
    outputs: new Map(),
    valueNames: new Set(),
  };
  for (const f of fields(bytesOf(graph))) {
    const b = bytesOf(f);
    if (f.no === GRAPH.node) {
      parts.nodes.push(b);
      for (const n of fields(b)) if (n.no === NODE.output) parts.valueNames.add(text(n));
    } else if (f.no === GRAPH.initializer) {
      parts.initializers.push(b);
      parts.valueNames.add(stringField(b, TENSOR.name));
    } else if (f.no === GRAPH.input) parts.inputs.set(stringField(b, 1), b);
    else if (f.no === GRAPH.output) parts.outputs.set(stringField(b, 1), b);
  }
  return parts;
}

/** Copies one field unchanged (the reader gives varints as numbers: exact up to 2^53). */
function copyField(w: ProtoWriter, f: ProtobufField): void {
  if (f.wire === 2) w.bytes(f.no, f.value as Uint8Array);
  else if (f.wire === 0) {
    if (!Number.isSafeInteger(f.value)) throw new OnnxEditError(`field ${f.no} holds a varint beyond 2^53`);
    w.int(f.no, f.value as number);
  } else throw new OnnxEditError(`field ${f.no} has a fixed-size value where ONNX defines none`);
}

/** The default-domain opset the spliced model declares. */
export function targetOpset(model: OnnxModel, minOpset: number): number {
  return Math.max(model.opset ?? 0, minOpset);
}

/** Applies `plan` to `model`; returns the new model's bytes. */
export function spliceModel(model: OnnxModel, plan: SplicePlan): Uint8Array {
  const opset = targetOpset(model, plan.minOpset);
  const pre = partsOf(plan.prologue, opset);
  const post = partsOf(plan.epilogue, opset);
  const newInputs = [...pre.inputs.values()];
  if (newInputs.length !== 1 || !pre.outputs.has(plan.rawInput)) {
    throw new Error('the prologue must declare one input and output the raw input');
  }
  for (const name of plan.rawOutputs) {
    if (!post.inputs.has(name)) throw new Error(`the epilogue does not read raw output "${name}"`);
  }
  // New names must not clash with the raw graph's (the raw input and outputs are produced or read on purpose).
  const produced = new Set([...pre.valueNames, ...post.valueNames, ...pre.inputs.keys(), ...post.outputs.keys()]);
  produced.delete(plan.rawInput);
  const clash = [...produced].find((n) => model.names.has(n));
  if (clash !== undefined) throw new OnnxEditError(`the raw model already has a value named "${clash}"`);

  const rawOutputs = new Set(plan.rawOutputs);
  const g = new ProtoWriter();
  for (const n of pre.nodes) g.bytes(GRAPH.node, n);
  for (const f of model.graphFields) {
    const name = f.no === GRAPH.input || f.no === GRAPH.output ? stringField(bytesOf(f), 1) : null;
    if (f.no === GRAPH.input && name === plan.rawInput) g.bytes(GRAPH.valueInfo, bytesOf(f));
    else if (f.no === GRAPH.output && name !== null && rawOutputs.has(name)) g.bytes(GRAPH.valueInfo, bytesOf(f));
    else copyField(g, f);
  }
  for (const n of post.nodes) g.bytes(GRAPH.node, n);
  for (const t of [...pre.initializers, ...post.initializers]) g.bytes(GRAPH.initializer, t);
  g.bytes(GRAPH.input, newInputs[0]!);
  for (const o of post.outputs.values()) g.bytes(GRAPH.output, o);
  const graph = g.finish();

  const w = new ProtoWriter();
  let sawDefaultOpset = false;
  for (const f of model.modelFields) {
    if (f.no === MODEL.graph) w.bytes(MODEL.graph, graph);
    else if (f.no === MODEL.opsetImport && f.wire === 2) {
      const entry = fields(bytesOf(f));
      const domain = entry.find((e) => e.no === 1 && e.wire === 2);
      if (isDefaultDomain(domain ? text(domain) : '')) {
        sawDefaultOpset = true;
        w.message(MODEL.opsetImport, (o) => {
          for (const e of entry) if (e.no !== 2) copyField(o, e);
          o.int(2, opset);
        });
      } else copyField(w, f);
    } else if (f.no === MODEL.metadata && f.wire === 2 && Object.hasOwn(plan.metadata, stringField(bytesOf(f), 1))) {
      continue; // replaced below
    } else copyField(w, f);
  }
  if (!sawDefaultOpset) w.message(MODEL.opsetImport, (o) => o.string(1, '').int(2, opset));
  for (const key of Object.keys(plan.metadata).sort()) {
    w.message(MODEL.metadata, (m) => m.string(1, key).string(2, plan.metadata[key]!));
  }
  return w.finish();
}
