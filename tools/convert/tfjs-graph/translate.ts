/**
 * @file The TF.js graph → ONNX translator: walks the nodes the requested outputs depend on in
 * dependency order, translates each with its op translator while tracking static shapes and
 * layouts, and declares the graph's inputs and outputs. Model-specific wrappers call
 * {@link translateGraph} and append their own nodes (post-processing) before serialising;
 * {@link convertGraphModel} is the plain one-call form. Deterministic: same model, same bytes.
 */
import { GraphBuilder, type Dim, type ModelOptions } from '../onnx/graph-builder.ts';
import { TranslationContext, TO_NCHW, type Value, type WeightStorage } from './context.ts';
import { NodeAttrs, TranslationError, type TfDtype } from './node-attrs.ts';
import type { GraphModel, TfNode } from './model-source.ts';
import { OpScope } from './ops/op-scope.ts';
import { OP_TRANSLATORS, SUPPORTED_OPS } from './ops/index.ts';

/** How to translate a graph model. */
export interface TranslateOptions {
  /**
   * 'nchw' (default): rank-4 float inputs are exposed as [N,C,H,W] and fed to the convolutions
   * without any transpose. 'nhwc': inputs keep the shape the TF model takes.
   */
  inputLayout?: 'nchw' | 'nhwc';
  /** TF shapes (NHWC) replacing the placeholders' own, by placeholder name (e.g. to fix the batch). */
  inputShapes?: Record<string, number[]>;
  /** ONNX input names by placeholder name (default: the placeholder's name). */
  inputNames?: Record<string, string>;
  /** Name of unknown leading (batch) dimensions (default 'batch'). */
  batchName?: string;
  /** Weight storage (default 'compact': float16 and uint8/uint16 stay as they are in the model). */
  weights?: WeightStorage;
  /**
   * Rewrites a graph input before the model sees it (e.g. a /255 the TF caller did outside the
   * model). Gets the ONNX input value, in the input's layout; returns the value to use.
   */
  preprocess?: (g: GraphBuilder, input: string, placeholder: string) => string;
  /**
   * ONNX dims to declare for an input, by placeholder name, when `preprocess` changes the shape
   * (e.g. RGB in, grayscale to the model): `preprocess` must then return a value of the
   * placeholder's own shape and layout.
   */
  inputDims?: Record<string, Dim[]>;
  /** ONNX graph name (default 'tfjs-graph'). */
  graphName?: string;
  /** Names the caller will give its outputs: translated values are named around them. */
  reservedNames?: readonly string[];
}

/** A translated graph before its outputs are declared. */
export interface Translation {
  g: GraphBuilder;
  ctx: TranslationContext;
  /** Declared ONNX inputs, with the placeholder each feeds. */
  inputs: { name: string; placeholder: string; type: TfDtype; dims: Dim[] }[];
  /** A translated tensor (`node` or `node:k`); it must be among the requested outputs' dependencies. */
  tensor(ref: string): Value;
  /** Symbolic name used for unknown batch dimensions. */
  batchName: string;
}

/** Normalises an input reference to `node:k`; control inputs (`^node`) return undefined. */
function parseRef(ref: string): { node: string; key: string } | undefined {
  if (ref.startsWith('^')) return undefined;
  const m = /^(.*):(\d+)$/.exec(ref);
  const node = m ? m[1]! : ref;
  return { node, key: `${node}:${m ? m[2] : '0'}` };
}

/** The TF tensors a model outputs by default: its signature's outputs, else the graph's sinks. */
export function defaultOutputs(model: GraphModel): string[] {
  const signature = model.json.signature ?? model.json.userDefinedMetadata?.signature;
  const fromSignature = Object.values(signature?.outputs ?? {}).map((o) => o.name.replace(/:0$/, ''));
  if (fromSignature.length) return fromSignature;
  const consumed = new Set<string>();
  for (const n of model.json.modelTopology.node) for (const i of n.input ?? []) consumed.add(parseRef(i)?.node ?? '');
  return model.json.modelTopology.node.filter((n) => !consumed.has(n.name) && n.op !== 'Const').map((n) => n.name);
}

/** Nodes `outputs` depend on, each after its inputs (iterative DFS: graphs can be deep). */
function dependencyOrder(byName: Map<string, TfNode>, outputs: readonly string[], label: string): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const out of outputs) {
    const root = parseRef(out)!.node;
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const node = byName.get(top.name);
      if (!node) throw new TranslationError(`tfjs-graph: ${label}: tensor "${top.name}" is not a node of the graph`);
      if (top.next === 0) {
        if (state.get(top.name) === 'done') {
          stack.pop();
          continue;
        }
        state.set(top.name, 'visiting');
      }
      const inputs = node.input ?? [];
      let pushed = false;
      while (top.next < inputs.length) {
        const ref = parseRef(inputs[top.next++]!);
        if (!ref) continue;
        const s = state.get(ref.node);
        if (s === 'visiting') throw new TranslationError(`tfjs-graph: ${label}: cycle through node "${ref.node}"`);
        if (s !== 'done') {
          stack.push({ name: ref.node, next: 0 });
          pushed = true;
          break;
        }
      }
      if (pushed) continue;
      state.set(top.name, 'done');
      order.push(node);
      stack.pop();
    }
  }
  return order;
}

/** Translates the part of `model` that `outputs` (default: {@link defaultOutputs}) depend on. */
export function translateGraph(
  model: GraphModel,
  outputs: readonly string[],
  options: TranslateOptions = {},
): Translation {
  const g = new GraphBuilder(options.graphName ?? 'tfjs-graph');
  for (const name of options.reservedNames ?? []) g.reserve(name);
  const ctx = new TranslationContext(g, options.weights ?? 'compact');
  const batchName = options.batchName ?? 'batch';
  const byName = new Map<string, TfNode>();
  for (const n of model.json.modelTopology.node) {
    if (byName.has(n.name)) throw new TranslationError(`tfjs-graph: ${model.label}: duplicate node name "${n.name}"`);
    byName.set(n.name, n);
  }
  const values = new Map<string, Value>();
  const inputs: Translation['inputs'] = [];

  const order = dependencyOrder(byName, outputs, model.label);
  const inputName = (node: TfNode) => options.inputNames?.[node.name] ?? node.name;
  for (const node of order) if (node.op === 'Placeholder') g.reserve(inputName(node));

  for (const node of order) {
    const attrs = new NodeAttrs(node);
    let results: Value[];
    if (node.op === 'Const') {
      const weight = model.weights.get(node.name) ?? attrs.fail('the constant has no value in the weights manifest');
      results = [ctx.constValue(weight)];
    } else if (node.op === 'Placeholder') {
      const dtype = attrs.dtype('dtype');
      const shape =
        options.inputShapes?.[node.name] ??
        attrs.shape('shape') ??
        attrs.fail('the input has no static rank; pass its shape in inputShapes');
      const nchw = (options.inputLayout ?? 'nchw') === 'nchw' && shape.length === 4 && dtype === 'float32';
      const onnxDims = nchw ? TO_NCHW.map((p) => shape[p]!) : shape;
      const name = inputName(node);
      const own: Dim[] = onnxDims.map((d, i) => (d >= 0 ? d : i === 0 ? batchName : `${name}_dim${i}`));
      const dims = options.inputDims?.[node.name] ?? own;
      let onnx = g.input(name, dtype, dims);
      inputs.push({ name, placeholder: node.name, type: dtype, dims });
      if (options.preprocess) onnx = options.preprocess(g, onnx, node.name);
      results = [{ onnx, dtype, shape: [...shape], layout: nchw ? 'nchw' : 'tf' }];
    } else {
      const translator = OP_TRANSLATORS[node.op];
      if (!translator) {
        throw new TranslationError(
          `tfjs-graph: node "${node.name}" uses op "${node.op}", which the translator does not support ` +
            `(supported: ${SUPPORTED_OPS.join(', ')})`,
        );
      }
      const ins = (node.input ?? []).flatMap((ref) => {
        const r = parseRef(ref);
        if (!r) return [];
        return [values.get(r.key) ?? attrs.fail(`input "${ref}" is not produced by its node`)];
      });
      results = translator(new OpScope(ctx, node, ins));
    }
    results.forEach((v, k) => values.set(`${node.name}:${k}`, v));
  }

  return {
    g,
    ctx,
    inputs,
    batchName,
    tensor(ref: string): Value {
      const r = parseRef(ref);
      const v = r && values.get(r.key);
      if (!v) throw new TranslationError(`tfjs-graph: ${model.label}: tensor "${ref}" was not translated`);
      return v;
    },
  };
}

/** Options of {@link convertGraphModel}. */
export interface ConvertOptions extends TranslateOptions {
  /** TF tensors to output (`node` or `node:k`; default: {@link defaultOutputs}). */
  outputs?: string[];
  /** ONNX output names, same order as `outputs` (default: the TF tensor names). */
  outputNames?: string[];
  /** Rank-4 outputs in TF layout (default) or in NCHW. */
  outputLayout?: 'tf' | 'nchw';
  /** Serialisation options (opset ≥ 17, metadata...). */
  model?: ModelOptions;
}

/** A converted model and its signature. */
export interface ConvertedGraph {
  onnx: Uint8Array;
  inputs: Translation['inputs'];
  outputs: { name: string; tensor: string; type: TfDtype; dims: Dim[] }[];
}

/** Declares `v` as an output named `name`, in TF layout or (rank 4) NCHW. */
export function declareOutput(
  t: Translation,
  v: Value,
  name: string,
  layout: 'tf' | 'nchw' = 'tf',
): { name: string; type: TfDtype; dims: Dim[] } {
  const nchw = layout === 'nchw' && v.shape.length === 4;
  const onnx = nchw ? t.ctx.nchw(v) : t.ctx.plain(v);
  const shape = nchw ? TO_NCHW.map((p) => v.shape[p]!) : v.shape;
  const dims: Dim[] = shape.map((d, i) => (d >= 0 ? d : i === 0 ? t.batchName : `${name}_dim${i}`));
  t.g.output(onnx, name, v.dtype, dims);
  return { name, type: v.dtype, dims };
}

/** Translates `model` and serialises it as an ONNX model (opset 17 unless asked otherwise). */
export function convertGraphModel(model: GraphModel, options: ConvertOptions = {}): ConvertedGraph {
  const outputs = options.outputs ?? defaultOutputs(model);
  if (options.outputNames && options.outputNames.length !== outputs.length) {
    throw new Error(`tfjs-graph: ${outputs.length} outputs but ${options.outputNames.length} output names`);
  }
  // Op forms used (Squeeze/Unsqueeze/ReduceSum axes as inputs, ReduceMean axes as attribute) are opset 17's.
  if ((options.model?.opset ?? 17) !== 17) throw new Error('tfjs-graph: the translator writes opset 17');
  const names = outputs.map((ref, i) => options.outputNames?.[i] ?? ref);
  const t = translateGraph(model, outputs, { ...options, reservedNames: [...(options.reservedNames ?? []), ...names] });
  const declared = outputs.map((ref, i) => ({
    ...declareOutput(t, t.tensor(ref), names[i]!, options.outputLayout),
    tensor: ref,
  }));
  return { onnx: t.g.toModel(options.model ?? {}), inputs: t.inputs, outputs: declared };
}
