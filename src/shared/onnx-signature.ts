/**
 * @file Reads a model's real input/output signature from the ONNX bytes, without a runtime,
 * and compares it with the manifest's declaration and the task contract. This is what lets the
 * compat check run before any session exists: the manifest's declared signature is only what
 * the publisher wrote, the file is what a session would actually run. A few protobuf fields are
 * read (ModelProto.graph → GraphProto input/output/initializer names → ValueInfoProto types);
 * weights are skipped, not decoded, so a 6 MB model takes well under a millisecond.
 */
import type { Dim, TensorSpec, TensorType } from './tensor.ts';
import { checkSignature, type TaskContract } from './tasks.ts';
import { protobufFields } from './protobuf-fields.ts';
import { untrustedText } from './untrusted-text.ts';

/** The bytes are not a readable ONNX model. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

/** A model's inputs (initializers excluded) and outputs, as the file declares them. */
export interface OnnxSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** What {@link readOnnxSignature} finds: the signature, and which tensors the file gives no shape (`dims` then empty). */
export interface OnnxFileSignature extends OnnxSignature {
  unshaped: string[];
}

/** ONNX TensorProto.DataType numbers → hotlens names (others keep an ONNX name and fail the contract). */
const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};

type Field = { no: number; value: number | Uint8Array };

/** The varint and length-delimited fields of a message (the only kinds the signature lives in). */
function* fields(buf: Uint8Array): Generator<Field> {
  for (const f of protobufFields(buf, (reason) => new OnnxFormatError(reason))) {
    if (f.wire === 0 || f.wire === 2) yield f;
  }
}

const utf8 = new TextDecoder();
const bytesOf = (f: Field): Uint8Array => (typeof f.value === 'number' ? new Uint8Array(0) : f.value);
const text = (f: Field): string => utf8.decode(bytesOf(f));

/** TensorShapeProto.Dimension: dim_value (1) or dim_param (2); neither = unknown. */
function dimOf(buf: Uint8Array): Dim {
  for (const f of fields(buf)) {
    if (f.no === 1 && typeof f.value === 'number') return f.value;
    if (f.no === 2) return text(f);
  }
  return '?';
}

/** ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1; shape = 2 { dim = 1 } } } }. */
function valueInfo(buf: Uint8Array): TensorSpec & { shaped: boolean } {
  let name = '';
  let type = 'unknown';
  let shaped = false;
  const dims: Dim[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) name = text(f);
    if (f.no !== 2) continue;
    for (const t of fields(bytesOf(f))) {
      if (t.no !== 1) continue;
      for (const tt of fields(bytesOf(t))) {
        if (tt.no === 1 && typeof tt.value === 'number') type = ELEM_TYPES[tt.value] ?? `onnx type ${tt.value}`;
        if (tt.no !== 2) continue;
        shaped = true;
        for (const d of fields(bytesOf(tt))) if (d.no === 1) dims.push(dimOf(bytesOf(d)));
      }
    }
  }
  return { name, type: type as TensorType, dims, shaped };
}

/** Reads the graph's inputs (without initializers, which older exporters also list as inputs) and outputs. */
export function readOnnxSignature(bytes: Uint8Array): OnnxFileSignature {
  let graph: Uint8Array | null = null;
  for (const f of fields(bytes)) if (f.no === 7) graph = bytesOf(f);
  if (!graph) throw new OnnxFormatError('the file has no ONNX graph');
  const inputs: Array<ReturnType<typeof valueInfo>> = [];
  const outputs: Array<ReturnType<typeof valueInfo>> = [];
  const initializers = new Set<string>();
  for (const f of fields(graph)) {
    if (f.no === 11) inputs.push(valueInfo(bytesOf(f)));
    else if (f.no === 12) outputs.push(valueInfo(bytesOf(f)));
    else if (f.no === 5) for (const t of fields(bytesOf(f))) if (t.no === 8) initializers.add(text(t));
  }
  const real = inputs.filter((i) => !initializers.has(i.name));
  const spec = ({ name, type, dims }: TensorSpec): TensorSpec => ({ name, type, dims });
  return {
    inputs: real.map(spec),
    outputs: outputs.map(spec),
    unshaped: [...real, ...outputs].filter((t) => !t.shaped).map((t) => t.name),
  };
}

const fmt = (s: TensorSpec) => untrustedText(`${s.type} [${s.dims.map((d) => untrustedText(String(d))).join(',')}]`);

/** Same type and rank, and no two different fixed sizes (a symbolic dimension matches anything). */
function sameSpec(a: TensorSpec, b: TensorSpec): boolean {
  return (
    a.type === b.type &&
    a.dims.length === b.dims.length &&
    a.dims.every((d, i) => {
      const e = b.dims[i]!;
      return typeof d !== 'number' || typeof e !== 'number' || d === e;
    })
  );
}

/**
 * The file's tensor as the runtime will see it: the runtime infers what a file leaves open, so
 * a tensor without a shape, or a symbolic dimension, takes the declared one. Only what the file
 * fixes can contradict the declaration; the runtime check after compiling covers the rest.
 */
function refine(actual: TensorSpec, declared: readonly TensorSpec[], unshaped: readonly string[]): TensorSpec {
  const d = declared.find((t) => t.name === actual.name);
  if (!d) return actual;
  if (unshaped.includes(actual.name)) return { ...actual, dims: [...d.dims] };
  if (d.dims.length !== actual.dims.length) return actual;
  return { ...actual, dims: actual.dims.map((dim, i) => (typeof dim === 'number' ? dim : d.dims[i]!)) };
}

/**
 * Problems of a model file against its task contract and against what the manifest declares
 * for it (the pipeline feeds and reads tensors by the declared names and sizes). Empty: the
 * file may be compiled.
 */
export function fileSignatureProblems(contract: TaskContract, declared: OnnxSignature, bytes: Uint8Array): string[] {
  let file: OnnxFileSignature;
  try {
    file = readOnnxSignature(bytes);
  } catch (err) {
    return [`the model file is not a readable ONNX model (${(err as Error).message})`];
  }
  const actual = {
    inputs: file.inputs.map((t) => refine(t, declared.inputs, file.unshaped)),
    outputs: file.outputs.map((t) => refine(t, declared.outputs, file.unshaped)),
  };
  const problems = checkSignature(contract, actual.inputs, actual.outputs).map((p) => `the model file: ${p}`);
  if (problems.length > 0) return problems;
  const pairs: Array<[string, TensorSpec[], TensorSpec[]]> = [
    ['input', declared.inputs, actual.inputs],
    ['output', declared.outputs, actual.outputs],
  ];
  for (const [kind, want, have] of pairs) {
    for (const d of want) {
      const a = have.find((h) => h.name === d.name);
      const name = untrustedText(d.name);
      if (!a) problems.push(`the manifest declares ${kind} "${name}", the model file has no such ${kind}`);
      else if (!sameSpec(d, a))
        problems.push(`${kind} "${name}" is ${fmt(a)} in the model file, the manifest declares ${fmt(d)}`);
    }
  }
  return problems;
}
