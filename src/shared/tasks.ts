/**
 * @file Task contracts as data, and the checks against them: what a model must look like to
 * serve a task. The contracts themselves belong to the features
 * (`src/features/<feature>/tasks.ts`); this module only knows how to check a signature and a
 * label list against one, and a {@link TaskRegistry} looks contracts up by id. Checked on the
 * manifest's declared signature, on the signature read from the model file, and on the one the
 * runtime reports, so a model that cannot fit its feature is rejected before it can serve.
 * Names, dimensions and labels from the model or manifest are quoted through untrustedText.
 */
import type { Dim, TensorSpec, TensorType } from './tensor.ts';
import { untrustedText } from './untrusted-text.ts';

/** A task id such as "face-detection" (the manifest's `task`). */
export type TaskId = string;

/**
 * One dimension of a contract: a number must match (a symbolic model dimension also matches,
 * the model accepts any size there); a string is a variable. Numeric values bound to the same
 * variable must agree.
 */
export type DimPattern = number | string;

/** The required shape of one input or output. */
export interface TensorContract {
  /** Required name (outputs are looked up by name); undefined = any name (inputs are fed by their own name). */
  name?: string;
  /** What the tensor means, for messages. */
  role: string;
  type: TensorType;
  dims: DimPattern[];
}

/** Which output the labels describe and which label words are allowed. */
export interface LabelContract {
  output: string;
  /** A fixed vocabulary: labels must be exactly these words, each once, in the model's output order. */
  vocabulary?: readonly string[];
  /** Free labels counted by a dimension of an output (e.g. K of probabilities [b,K]); unique, non-empty. */
  countFrom?: { output: string; dim: number };
  required: boolean;
}

/** Everything a model must satisfy to serve a task. */
export interface TaskContract {
  id: TaskId;
  summary: string;
  inputs: TensorContract[];
  outputs: TensorContract[];
  /** Variables that must be concrete numbers because the pipeline reads them (e.g. the input size). */
  fixed: string[];
  labels: LabelContract | null;
}

function fmtDims(dims: readonly Dim[]): string {
  return untrustedText(`[${dims.map((d) => untrustedText(String(d))).join(',')}]`);
}

function checkTensor(
  where: string,
  spec: TensorSpec,
  want: TensorContract,
  fixed: ReadonlySet<string>,
  bound: Map<string, { value: number; where: string }>,
): string[] {
  const problems: string[] = [];
  if (spec.type !== want.type) problems.push(`${where} is ${spec.type}, expected ${want.type}`);
  if (spec.dims.length !== want.dims.length) {
    problems.push(`${where} has shape ${fmtDims(spec.dims)}, expected ${fmtDims(want.dims)}`);
    return problems;
  }
  want.dims.forEach((pattern, i) => {
    const dim = spec.dims[i]!;
    if (typeof pattern === 'number') {
      if (typeof dim === 'number' && dim !== pattern) {
        problems.push(`${where} dimension ${i} is ${dim}, expected ${pattern} (shape ${fmtDims(spec.dims)})`);
      }
      return;
    }
    if (typeof dim !== 'number') {
      if (fixed.has(pattern))
        problems.push(`${where} dimension ${i} is symbolic ("${untrustedText(dim)}"), expected a fixed size`);
      return;
    }
    if (!Number.isInteger(dim) || dim < 1) {
      problems.push(`${where} dimension ${i} is ${dim}, expected a positive size`);
      return;
    }
    const prior = bound.get(pattern);
    if (!prior) bound.set(pattern, { value: dim, where: `${where} dimension ${i}` });
    else if (prior.value !== dim) {
      problems.push(`${where} dimension ${i} is ${dim} but ${prior.where} is ${prior.value}; they must match`);
    }
  });
  return problems;
}

/**
 * Checks a model signature against a contract. Returns human-readable problems; an empty list
 * means compatible. Extra outputs are allowed (they are ignored); extra inputs are not (the
 * pipeline could not feed them).
 */
export function checkSignature(
  contract: TaskContract,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): string[] {
  const task = contract.id;
  const problems: string[] = [];
  const fixed = new Set(contract.fixed);
  const bound = new Map<string, { value: number; where: string }>();
  if (inputs.length !== contract.inputs.length) {
    problems.push(`${task} models take ${contract.inputs.length} input(s) but this one declares ${inputs.length}`);
  } else {
    contract.inputs.forEach((want, i) => {
      const spec = inputs[i]!;
      if (want.name !== undefined && spec.name !== want.name) {
        problems.push(`input ${i} is named "${untrustedText(spec.name)}", expected "${want.name}"`);
      }
      problems.push(...checkTensor(`input "${untrustedText(spec.name)}" (${want.role})`, spec, want, fixed, bound));
    });
  }
  const missing: string[] = [];
  for (const want of contract.outputs) {
    const spec = outputs.find((o) => o.name === want.name);
    if (!spec) missing.push(`"${want.name}" (${want.role})`);
    else problems.push(...checkTensor(`output "${spec.name}"`, spec, want, fixed, bound));
  }
  if (missing.length > 0) {
    const shown = outputs.slice(0, 8).map((o) => `"${untrustedText(o.name)}"`);
    if (outputs.length > shown.length) shown.push(`… (${outputs.length} in all)`);
    const names = shown.join(', ') || 'none';
    problems.unshift(
      `missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the model's outputs are ${names}`,
    );
  }
  return problems;
}

/** The number of labels an output dimension asks for, when the signature fixes it. */
function labelCount(rule: LabelContract, outputs: readonly TensorSpec[] | undefined): number | null {
  if (rule.vocabulary) return rule.vocabulary.length;
  if (!rule.countFrom || !outputs) return null;
  const dim = outputs.find((o) => o.name === rule.countFrom!.output)?.dims[rule.countFrom.dim];
  return typeof dim === 'number' ? dim : null;
}

/**
 * Checks output labels against a contract: null where the task has none; a fixed vocabulary
 * exactly (each word once, in the model's output order); free labels unique, non-empty and as
 * many as the output dimension that counts them (when `outputs` are given).
 */
export function checkLabelList(
  contract: TaskContract,
  labels: readonly string[] | null | undefined,
  outputs?: readonly TensorSpec[],
): string[] {
  const task = contract.id;
  const rule = contract.labels;
  if (labels === null || labels === undefined) {
    if (!rule?.required) return [];
    const count = labelCount(rule, outputs);
    return [`${task} models need ${count ?? 'their'} labels for output "${rule.output}"`];
  }
  if (!rule) return [`${task} models have no labelled outputs, but ${labels.length} labels were given`];
  const count = labelCount(rule, outputs);
  if (count !== null && labels.length !== count) {
    return [`${task} needs ${count} labels for output "${rule.output}" but ${labels.length} were given`];
  }
  if (labels.length === 0) return [`${task} needs at least one label for output "${rule.output}"`];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const label of labels) {
    if (rule.vocabulary && !rule.vocabulary.includes(label)) {
      problems.push(`label "${untrustedText(label)}" is not one of ${rule.vocabulary.join(', ')}`);
    } else if (label.trim() === '') problems.push('a label is empty');
    else if (seen.has(label)) problems.push(`label "${untrustedText(label)}" appears twice`);
    seen.add(label);
  }
  return problems;
}

/** The contracts of every task this build serves, looked up by id. */
export class TaskRegistry {
  private readonly byId: ReadonlyMap<TaskId, TaskContract>;

  constructor(contracts: readonly TaskContract[]) {
    const map = new Map<TaskId, TaskContract>();
    for (const c of contracts) {
      if (map.has(c.id)) throw new Error(`task "${c.id}" is declared twice`);
      map.set(c.id, c);
    }
    this.byId = map;
  }

  /** The known task ids, for messages. */
  get ids(): TaskId[] {
    return [...this.byId.keys()];
  }

  /** True when `task` names a task this build serves. */
  has(task: unknown): task is TaskId {
    return typeof task === 'string' && this.byId.has(task);
  }

  /** The contract of `task`, or undefined for a task this build does not know. */
  get(task: TaskId): TaskContract | undefined {
    return this.byId.get(task);
  }

  private unknown(task: TaskId): string[] {
    return [`unknown task "${untrustedText(task)}" (this app serves: ${this.ids.join(', ')})`];
  }

  /** {@link checkSignature} for a task by id; an unknown task is one problem. */
  checkContract(task: TaskId, inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): string[] {
    const c = this.get(task);
    return c ? checkSignature(c, inputs, outputs) : this.unknown(task);
  }

  /** {@link checkLabelList} for a task by id; an unknown task is one problem. */
  checkLabels(task: TaskId, labels: readonly string[] | null | undefined, outputs?: readonly TensorSpec[]): string[] {
    const c = this.get(task);
    return c ? checkLabelList(c, labels, outputs) : this.unknown(task);
  }

  /** The labels a task's pipeline assumes when a model declares none (null: free or no labels). */
  defaultLabels(task: TaskId): string[] | null {
    const vocab = this.get(task)?.labels?.vocabulary;
    return vocab ? [...vocab] : null;
  }
}

/** The square side S of an image input [b,3,S,S], or null when it is not fixed. */
export function squareInputSize(inputs: readonly TensorSpec[]): number | null {
  const dims = inputs[0]?.dims;
  const size = dims?.[2];
  return typeof size === 'number' && size === dims?.[3] && Number.isInteger(size) && size > 0 ? size : null;
}
