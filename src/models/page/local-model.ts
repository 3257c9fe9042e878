/**
 * @file A model file the user drops into the Models panel ("Try a model file"), read in the page
 * without a runtime: its ONNX signature and metadata, which model ids it could replace (by task
 * contract), its labels (from its metadata, a sidecar file dropped with it, or the replaced
 * version) and the manifest-like entry it gets, so the same checks as a registry version run on
 * it. Every refusal is one sentence ({@link LocalModelProblem}) and nothing has changed yet.
 * Browser-free (unit-tested in Node).
 */
import type { Feature } from '../../shared/feature.ts';
import { probeRecipeFor } from '../../shared/feature-set.ts';
import type { Manifest, ModelVersion, Probe } from '../../shared/manifest-types.ts';
import { parseLabelList, readOnnxMetadata } from '../../shared/onnx-metadata.ts';
import { readOnnxSignature, type OnnxFileSignature } from '../../shared/onnx-signature.ts';
import { checkSignature, squareInputSize, type TaskContract, type TaskRegistry } from '../../shared/tasks.ts';
import type { TensorSpec } from '../../shared/tensor.ts';
import { untrustedText } from '../../shared/untrusted-text.ts';
import type { ModelSpec } from '../../shared/worker-api.ts';

/** The largest model file the panel accepts (the biggest shipped model is ~6 MB). */
export const MAX_LOCAL_MODEL_BYTES = 128 * 1024 * 1024;

/** Why a dropped file cannot be tried: one sentence, for the panel and the update log. */
export class LocalModelProblem extends Error {
  override name = 'LocalModelProblem';
  constructor(
    /** not-onnx | too-large | wrong-task | missing-labels | labels | no-probe */
    readonly kind: 'not-onnx' | 'too-large' | 'wrong-task' | 'missing-labels' | 'labels' | 'no-probe',
    message: string,
  ) {
    super(message);
  }
}

/** A model id the file could replace. */
export interface LocalTarget {
  id: string;
  task: string;
}

/** What reading the file found. */
export interface LocalInspection {
  name: string;
  bytes: number;
  signature: OnnxFileSignature;
  metadata: Record<string, string>;
  /** Every model id of the app whose task contract the file fits, best guess first. */
  fits: LocalTarget[];
  /** Every model id of the app (the user may pick one the file does not fit: the check then says why). */
  all: LocalTarget[];
}

const mib = (n: number) => `${(n / 1_048_576).toFixed(n < 10_485_760 ? 1 : 0)} MB`;
const quoted = (name: string) => `"${untrustedText(name)}"`;

/** Every model id the features use, with its task. */
function targets(features: readonly Feature[]): LocalTarget[] {
  const seen = new Map<string, LocalTarget>();
  for (const f of features) for (const m of Object.values(f.models)) seen.set(m.id, { id: m.id, task: m.task });
  return [...seen.values()];
}

/** The signature the contract check sees: a tensor the file leaves unshaped takes the contract's shape. */
function shapedFor(contract: TaskContract, sig: OnnxFileSignature): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const fill = (t: TensorSpec, want: TaskContract['inputs'][number] | undefined): TensorSpec =>
    sig.unshaped.includes(t.name) && want ? { ...t, dims: want.dims.map((d) => d) } : t;
  return {
    inputs: sig.inputs.map((t, i) => fill(t, contract.inputs[i])),
    outputs: sig.outputs.map((t) =>
      fill(
        t,
        contract.outputs.find((o) => o.name === t.name),
      ),
    ),
  };
}

/** Refuses a file larger than {@link MAX_LOCAL_MODEL_BYTES} (before its bytes are read). */
export function checkLocalModelSize(name: string, bytes: number): void {
  if (bytes <= MAX_LOCAL_MODEL_BYTES) return;
  throw new LocalModelProblem(
    'too-large',
    `${quoted(name)} is ${mib(bytes)}, more than the ${mib(MAX_LOCAL_MODEL_BYTES)} a model file tried here may have.`,
  );
}

/** Reads the file: refuses what is too large or not ONNX, and finds the model ids it fits. */
export function inspectLocalModel(
  file: { name: string; bytes: Uint8Array },
  ctx: { tasks: TaskRegistry; features: readonly Feature[] },
): LocalInspection {
  const name = file.name;
  checkLocalModelSize(name, file.bytes.byteLength);
  let signature: OnnxFileSignature;
  let metadata: Record<string, string>;
  try {
    signature = readOnnxSignature(file.bytes);
    metadata = readOnnxMetadata(file.bytes);
  } catch (err) {
    throw new LocalModelProblem('not-onnx', `${quoted(name)} is not an ONNX model (${(err as Error).message}).`);
  }
  if (signature.inputs.length === 0 || signature.outputs.length === 0) {
    throw new LocalModelProblem('not-onnx', `${quoted(name)} is not an ONNX model (it declares no inputs or outputs).`);
  }
  const all = targets(ctx.features);
  const fits = all.filter((t) => {
    const contract = ctx.tasks.get(t.task);
    if (!contract) return false;
    const s = shapedFor(contract, signature);
    return checkSignature(contract, s.inputs, s.outputs).length === 0;
  });
  if (fits.length === 0) {
    const tasks = [...new Set(all.map((t) => t.task))].join(', ');
    throw new LocalModelProblem(
      'wrong-task',
      `${quoted(name)} fits none of this app's tasks (${tasks}): its inputs are ${describe(signature.inputs)} and its outputs ${describe(signature.outputs)}.`,
    );
  }
  return { name, bytes: file.bytes.byteLength, signature, metadata, fits, all };
}

function describe(tensors: readonly TensorSpec[]): string {
  return tensors
    .slice(0, 4)
    .map((t) => `${quoted(t.name)} ${t.type} [${t.dims.map((d) => untrustedText(String(d))).join(',')}]`)
    .join(', ');
}

/** Where a candidate's labels came from. */
export type LabelSource = 'none' | 'metadata' | 'sidecar' | 'replaced';

/** Labels for `contract` from the sidecar, the file's metadata, else the replaced version when they fit. */
export function localLabels(
  contract: TaskContract,
  inspection: LocalInspection,
  sidecar: { name: string; text: string } | undefined,
  replaced: ModelVersion | undefined,
): { labels: string[] | null; from: LabelSource } {
  const rule = contract.labels;
  if (!rule) return { labels: null, from: 'none' };
  if (sidecar) {
    const labels = parseLabelList(sidecar.text);
    if (!labels) throw new LocalModelProblem('labels', `The labels file ${quoted(sidecar.name)} holds no label list.`);
    return { labels, from: 'sidecar' };
  }
  const meta = inspection.metadata.labels === undefined ? null : parseLabelList(inspection.metadata.labels);
  if (meta) return { labels: meta, from: 'metadata' };
  // The replaced version's labels only describe this file when its class count is the same, fixed number.
  const countAt = rule.countFrom ?? { output: rule.output, dim: 1 };
  const dim = inspection.signature.outputs.find((o) => o.name === countAt.output)?.dims[countAt.dim];
  if (replaced?.labels && typeof dim === 'number' && dim === replaced.labels.length) {
    return { labels: [...replaced.labels], from: 'replaced' };
  }
  if (!rule.required) return { labels: null, from: 'none' };
  throw new LocalModelProblem(
    'missing-labels',
    `${quoted(inspection.name)} has no labels for its output "${rule.output}" (none in its metadata, and its class count ${typeof dim === 'number' ? dim : 'is not fixed, so it'} cannot borrow the replaced version's): drop a labels file (.txt or .json) with it.`,
  );
}

/** The version name a local file gets: `local-` and the start of its sha256. */
export function localVersion(sha256: string): string {
  return `local-${sha256.slice(0, 8)}`;
}

/**
 * The task's probe image as the signed manifest states it (path, sha256, size), so the worker
 * verifies it like any registry probe: the serving version's when it names that image, else any
 * version's that does (every probe naming one image states the same digest).
 */
function signedProbeImage(
  manifest: Manifest | undefined,
  image: string,
  serving: ModelVersion | undefined,
): Pick<Probe, 'image' | 'sha256' | 'bytes'> | undefined {
  const versions = [
    ...(serving ? [serving] : []),
    ...Object.values(manifest?.models ?? {}).flatMap((m) => Object.values(m.versions)),
  ];
  const named = versions.find((v) => v.probe.image === image);
  return named && { image, sha256: named.probe.sha256, bytes: named.probe.bytes };
}

/** What {@link localModelSpec} needs. */
export interface LocalSpecInput {
  inspection: LocalInspection;
  sha256: string;
  /** The model id it would replace. */
  id: string;
  sidecar?: { name: string; text: string };
  manifest: Manifest | undefined;
  /** The version of `id` serving now (its entry gives labels and the probe tolerance). */
  serving: ModelSpec | undefined;
  tasks: TaskRegistry;
  features: readonly Feature[];
}

/**
 * The spec the checks run: the file's own signature (contract-checked for `id`'s task), the
 * feature's pre-processing at the file's input size, labels, and the task's probe image with no
 * expected values (a local file has none: its probe checks that every output is finite).
 */
export function localModelSpec(input: LocalSpecInput): { spec: ModelSpec; labelsFrom: LabelSource } {
  const { inspection, id, sha256 } = input;
  const target = inspection.all.find((t) => t.id === id);
  const task = target?.task ?? input.manifest?.models[id]?.task;
  const contract = task ? input.tasks.get(task) : undefined;
  const feature = input.features.find((f) => f.tasks.some((t) => t.id === task));
  const recipe = task ? probeRecipeFor(input.features, task) : undefined;
  if (!task || !contract || !feature || !recipe) {
    throw new LocalModelProblem('wrong-task', `This app runs no model ${quoted(id)}.`);
  }
  const shaped = shapedFor(contract, inspection.signature);
  const problems = checkSignature(contract, shaped.inputs, shaped.outputs);
  if (problems.length > 0) {
    throw new LocalModelProblem(
      'wrong-task',
      `${quoted(inspection.name)} cannot replace ${id}, a ${task} model: ${problems[0]}.`,
    );
  }
  const replaced = input.serving?.file;
  const probeFile = signedProbeImage(input.manifest, recipe.image, replaced);
  if (!probeFile) {
    throw new LocalModelProblem(
      'no-probe',
      `The registry's manifest names no probe image for ${task} models (${recipe.image}), so ${quoted(inspection.name)} cannot be checked here.`,
    );
  }
  const { labels, from } = localLabels(contract, inspection, input.sidecar, replaced);
  const size = squareInputSize(shaped.inputs) ?? replaced?.preprocess.size ?? 0;
  const file: ModelVersion = {
    blob: `local/${inspection.name}`,
    sha256,
    bytes: inspection.bytes,
    encoding: 'float32',
    inputs: shaped.inputs,
    outputs: shaped.outputs,
    probe: { ...probeFile, expect: {}, tolerance: replaced?.probe.tolerance ?? 0.001 },
    preprocess: feature.preprocess(task, size),
    labels,
    source: `local file ${inspection.name}, tried on this device`,
  };
  return {
    spec: { id, task, version: localVersion(sha256), sha256, file, local: { name: inspection.name } },
    labelsFrom: from,
  };
}
