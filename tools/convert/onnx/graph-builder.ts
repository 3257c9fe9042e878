/**
 * @file A small, typed ONNX graph builder: declare inputs, initializers and nodes, then
 * serialise a ModelProto. Names are generated deterministically so the same build
 * always yields the same bytes (the registry is content-addressed).
 */
import { ProtoWriter } from './proto-writer.ts';

/** ONNX TensorProto.DataType values used by hotlens models. */
export const DataType = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;
export type ElemType = keyof typeof DataType;

/** A dimension: a fixed size or a symbolic name such as "n" or "batch". */
export type Dim = number | string;

/**
 * Constant tensor data. int64 values are given as numbers (all fit in 2^53); float16 data is
 * the IEEE half-precision bit patterns as a Uint16Array (stored verbatim, nothing is rounded).
 */
export interface ConstTensor {
  type: ElemType;
  dims: readonly number[];
  data: Float32Array | Uint8Array | Int8Array | Uint16Array | Int32Array | readonly number[];
}

/** A node attribute; the tag makes the ONNX attribute type explicit. */
export type Attr =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { str: string }
  | { tensor: ConstTensor };

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** Shorthand constructors for attributes. */
export const attr = {
  int: (v: number): Attr => ({ int: v }),
  float: (v: number): Attr => ({ float: v }),
  ints: (v: readonly number[]): Attr => ({ ints: v }),
  floats: (v: readonly number[]): Attr => ({ floats: v }),
  str: (v: string): Attr => ({ str: v }),
  tensor: (v: ConstTensor): Attr => ({ tensor: v }),
};

interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, Attr>;
}

interface ValueDef {
  name: string;
  type: ElemType;
  dims: readonly Dim[];
}

/** Serialisation options for {@link GraphBuilder.toModel}. */
export interface ModelOptions {
  opset?: number;
  producer?: string;
  producerVersion?: string;
  doc?: string;
  /** Key/value pairs stored in ModelProto.metadata_props (sorted by key). */
  metadata?: Record<string, string>;
}

function rawBytes(t: ConstTensor): Uint8Array {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new Error(`tensor data has ${t.data.length} values but dims ${JSON.stringify(t.dims)} need ${count}`);
  }
  switch (t.type) {
    case 'float32': {
      const a = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
      return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
    }
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.data as ArrayLike<number>);
    case 'int8': {
      const a = Int8Array.from(t.data as ArrayLike<number>);
      return new Uint8Array(a.buffer);
    }
    case 'uint16':
    case 'float16': {
      if (t.type === 'float16' && !(t.data instanceof Uint16Array)) {
        throw new Error('float16 tensor data must be the half-precision bit patterns as a Uint16Array');
      }
      const a = Uint16Array.from(t.data as ArrayLike<number>);
      return new Uint8Array(a.buffer);
    }
    case 'int32': {
      const a = Int32Array.from(t.data as ArrayLike<number>);
      return new Uint8Array(a.buffer);
    }
    case 'float64': {
      const a = Float64Array.from(t.data as ArrayLike<number>);
      return new Uint8Array(a.buffer);
    }
    case 'int64': {
      const a = BigInt64Array.from(Array.from(t.data as ArrayLike<number>, (v) => BigInt(v)));
      return new Uint8Array(a.buffer);
    }
  }
}

function writeTensor(w: ProtoWriter, name: string, t: ConstTensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DataType[t.type]);
  w.string(8, name);
  w.bytes(9, rawBytes(t));
}

function writeValueInfo(w: ProtoWriter, v: ValueDef): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DataType[v.type]);
      tensor.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeAttr(w: ProtoWriter, name: string, a: Attr): void {
  w.string(1, name);
  if ('int' in a) w.int(3, a.int).int(20, AttrType.INT);
  else if ('float' in a) w.float(2, a.float).int(20, AttrType.FLOAT);
  else if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, AttrType.INTS);
  } else if ('floats' in a) {
    for (const v of a.floats) w.float(7, v);
    w.int(20, AttrType.FLOATS);
  } else if ('str' in a) w.string(4, a.str).int(20, AttrType.STRING);
  else {
    const t = a.tensor;
    w.message(5, (tw) => writeTensor(tw, '', t)).int(20, AttrType.TENSOR);
  }
}

/** Builds one ONNX graph. Every helper returns the name of the value it produced. */
export class GraphBuilder {
  private readonly inputs: ValueDef[] = [];
  private readonly outputs: ValueDef[] = [];
  private readonly initializers: { name: string; tensor: ConstTensor }[] = [];
  private readonly nodes: NodeDef[] = [];
  private readonly used = new Set<string>();
  private readonly reserved = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** Returns a fresh, unique value name derived from `hint`. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_/.:-]/g, '_');
    let name = base;
    while (this.used.has(name)) name = `${base}__${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /**
   * Keeps `name` for a later {@link input} or {@link output}: generated names avoid it. Lets a
   * translator name values freely while outputs keep the names a contract fixes.
   */
  reserve(name: string): void {
    if (this.used.has(name)) throw new Error(`duplicate value name ${name}`);
    this.used.add(name);
    this.reserved.add(name);
  }

  /** Declares a graph input. */
  input(name: string, type: ElemType, dims: readonly Dim[]): string {
    if (this.used.has(name) && !this.reserved.delete(name)) throw new Error(`duplicate value name ${name}`);
    this.used.add(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` as a graph output (renamed to `name` through Identity if needed). */
  output(value: string, name: string, type: ElemType, dims: readonly Dim[]): string {
    let out = value;
    if (value !== name) {
      if (this.used.has(name) && !this.reserved.delete(name)) throw new Error(`duplicate value name ${name}`);
      this.used.add(name);
      this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], name: `${name}_identity`, attrs: {} });
      out = name;
    }
    this.outputs.push({ name: out, type, dims });
    return out;
  }

  /** Adds an initializer (a constant stored in the model file). */
  constant(hint: string, tensor: ConstTensor): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, tensor });
    return name;
  }

  /** float32 constant. */
  f32(hint: string, values: Float32Array | readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(hint, { type: 'float32', dims, data: values });
  }

  /** int64 constant (shapes, axes, indices). */
  i64(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(hint, { type: 'int64', dims, data: values });
  }

  /** Adds a node with `outputs` results; returns their names. Empty input names mean "omitted". */
  nodeN(op: string, inputs: readonly string[], outputs: number, attrs: Record<string, Attr> = {}, hint = op): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({ op, inputs: [...inputs], outputs: names, name: this.fresh(`${hint}_node`), attrs });
    return names;
  }

  /** Adds a single-output node; returns its output name. */
  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, hint = op): string {
    return this.nodeN(op, inputs, 1, attrs, hint)[0]!;
  }

  /** Serialises the graph as an ONNX ModelProto (IR 8, default opset 17). */
  toModel(options: ModelOptions = {}): Uint8Array {
    const opset = options.opset ?? 17;
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version
    w.string(2, options.producer ?? 'hotlens-convert');
    w.string(3, options.producerVersion ?? '1');
    if (options.doc) w.string(6, options.doc);
    w.message(7, (g) => {
      for (const n of this.nodes) {
        g.message(1, (nw) => {
          for (const i of n.inputs) nw.string(1, i);
          for (const o of n.outputs) nw.string(2, o);
          nw.string(3, n.name);
          nw.string(4, n.op);
          for (const key of Object.keys(n.attrs).sort()) nw.message(5, (aw) => writeAttr(aw, key, n.attrs[key]!));
        });
      }
      g.string(2, this.name);
      for (const init of this.initializers) g.message(5, (tw) => writeTensor(tw, init.name, init.tensor));
      for (const i of this.inputs) g.message(11, (vw) => writeValueInfo(vw, i));
      for (const o of this.outputs) g.message(12, (vw) => writeValueInfo(vw, o));
    });
    w.message(8, (o) => o.string(1, '').int(2, opset));
    const meta = options.metadata ?? {};
    for (const key of Object.keys(meta).sort()) {
      w.message(14, (m) => m.string(1, key).string(2, meta[key]!));
    }
    return w.finish();
  }
}
