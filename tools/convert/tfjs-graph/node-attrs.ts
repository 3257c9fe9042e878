/**
 * @file Typed access to a GraphDef node's attributes in TF.js's JSON encoding (int64 as
 * strings, strings base64-encoded, lists under `list`), with errors that name the node.
 */
import type { TfAttrValue, TfNode, TfShape } from './model-source.ts';

/** TF element types the translator handles, by their DataType enum name. */
const TF_DTYPES = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool' } as const;

/** Element type of a translated tensor (TF.js's dtypes). */
export type TfDtype = (typeof TF_DTYPES)[keyof typeof TF_DTYPES];

/** The error every translation failure throws; the message names the node and op. */
export class TranslationError extends Error {
  override name = 'TfjsGraphTranslationError';
}

/** Decodes TF.js's base64 attribute strings. */
export function decodeAttrString(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Reads one node's attributes; every getter throws a message naming the node when it must. */
export class NodeAttrs {
  constructor(readonly node: TfNode) {}

  /** Throws a {@link TranslationError} naming this node. */
  fail(message: string): never {
    throw new TranslationError(`tfjs-graph: node "${this.node.name}" (op ${this.node.op}): ${message}`);
  }

  private get(name: string): TfAttrValue | undefined {
    return this.node.attr?.[name];
  }

  private missing(name: string): never {
    return this.fail(`attribute "${name}" is missing`);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  int(name: string, fallback?: number): number {
    const v = this.get(name)?.i;
    if (v === undefined) return fallback ?? this.missing(name);
    return Number(v);
  }

  ints(name: string, fallback?: number[]): number[] {
    const a = this.get(name);
    if (a === undefined) return fallback ?? this.missing(name);
    return (a.list?.i ?? []).map(Number);
  }

  float(name: string, fallback?: number): number {
    const v = this.get(name)?.f;
    if (v === undefined) return fallback ?? this.missing(name);
    return Number(v);
  }

  bool(name: string, fallback?: boolean): boolean {
    const v = this.get(name)?.b;
    if (v === undefined) return fallback ?? this.missing(name);
    return v;
  }

  string(name: string, fallback?: string): string {
    const v = this.get(name)?.s;
    if (v === undefined) return fallback ?? this.missing(name);
    return decodeAttrString(v);
  }

  strings(name: string, fallback?: string[]): string[] {
    const a = this.get(name);
    if (a === undefined) return fallback ?? this.missing(name);
    return (a.list?.s ?? []).map(decodeAttrString);
  }

  /** A dtype attribute (T, DstT, dtype...) as a translator dtype; unsupported types fail. */
  dtype(name: string, fallback?: TfDtype): TfDtype {
    const v = this.get(name)?.type;
    if (v === undefined) return fallback ?? this.missing(name);
    const t = TF_DTYPES[v as keyof typeof TF_DTYPES];
    if (!t) this.fail(`attribute "${name}" has type ${v}; supported: ${Object.keys(TF_DTYPES).join(', ')}`);
    return t;
  }

  /** A shape attribute; -1 marks unknown dimensions; undefined when absent or of unknown rank. */
  shape(name: string): number[] | undefined {
    const s: TfShape | undefined = this.get(name)?.shape;
    if (!s || s.unknownRank) return undefined;
    return (s.dim ?? []).map((d) => Number(d.size));
  }
}
