/**
 * @file A TF.js graph model as the translator reads it: `model.json` (the GraphDef nodes in
 * `modelTopology.node`, the `weightsManifest`) plus its decoded weights. Loaded from a file and
 * its shards, or from memory (a parsed model.json and one buffer of weight bytes, the form
 * `tf.io.fromMemory` takes and nsfwjs ships base64-encoded inside JS files).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeWeightGroups, entryByteLength, readShards, type ManifestGroup, type Weight } from '../weights.ts';

/** A TensorFlow AttrValue in TF.js's JSON form (int64s are strings, strings are base64). */
export interface TfAttrValue {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  shape?: TfShape;
  tensor?: TfTensor;
  list?: {
    i?: (string | number)[];
    f?: number[];
    s?: string[];
    b?: boolean[];
    type?: string[];
    shape?: TfShape[];
  };
}

/** A TensorShapeProto in JSON form; `size` -1 is an unknown dimension. */
export interface TfShape {
  dim?: { size: string | number }[];
  unknownRank?: boolean;
}

/** An inline TensorProto (TF.js models normally keep constants in the weights instead). */
export interface TfTensor {
  dtype?: string;
  tensorShape?: TfShape;
  floatVal?: number[];
  intVal?: number[];
  boolVal?: boolean[];
  tensorContent?: string;
}

/** One GraphDef node. Inputs are `name`, `name:k` (output k) or `^name` (control dependency). */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
  device?: string;
}

/** A SignatureDef's tensors: keyed by alias, each naming a graph tensor (`node:k`). */
export interface TfSignature {
  inputs?: Record<string, { name: string }>;
  outputs?: Record<string, { name: string }>;
}

/** The parsed `model.json` of a TF.js graph model. */
export interface GraphModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { node: TfNode[]; library?: { function?: unknown[] }; versions?: Record<string, unknown> };
  weightsManifest: ManifestGroup[];
  signature?: TfSignature;
  userDefinedMetadata?: { signature?: TfSignature };
}

/** A graph model ready to translate. */
export interface GraphModel {
  json: GraphModelJson;
  /** Every weight (the values of the graph's Const nodes), decoded as TF.js decodes them. */
  weights: Map<string, Weight>;
  /** Where it came from, for error messages. */
  label: string;
}

function checkGraphModel(json: GraphModelJson, label: string): void {
  if (!json?.modelTopology || !Array.isArray(json.modelTopology.node)) {
    throw new Error(`${label}: not a TF.js graph model (no modelTopology.node[]; layers models are not supported)`);
  }
  if (json.modelTopology.library?.function?.length) {
    throw new Error(`${label}: graph functions (control flow) are not supported by the translator`);
  }
}

/** Reads `model.json` and its weight shards (paths relative to the JSON file). */
export function readGraphModel(modelJsonPath: string): GraphModel {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as GraphModelJson;
  checkGraphModel(json, modelJsonPath);
  const shards = readShards(json.weightsManifest ?? [], dirname(modelJsonPath));
  const weights = decodeWeightGroups(json.weightsManifest ?? [], (_, i) => shards[i]!, modelJsonPath);
  return { json, weights, label: modelJsonPath };
}

/**
 * A graph model from memory: the parsed model.json and all weight bytes back to back in
 * manifest order (groups, then paths within a group) — TF.js `ModelArtifacts.weightData`.
 */
export function graphModelFromMemory(
  json: GraphModelJson,
  weightData: ArrayBuffer | Uint8Array,
  label = 'in-memory model',
): GraphModel {
  checkGraphModel(json, label);
  const all = weightData instanceof Uint8Array ? weightData : new Uint8Array(weightData);
  const groups = json.weightsManifest ?? [];
  const sizes = groups.map((g) => g.weights.reduce((sum, e) => sum + entryByteLength(e), 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== all.length) {
    throw new Error(`${label}: manifest describes ${total} bytes of weights but ${all.length} were given`);
  }
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const weights = decodeWeightGroups(groups, (_, i) => all.subarray(starts[i]!, starts[i]! + sizes[i]!), label);
  return { json, weights, label };
}
