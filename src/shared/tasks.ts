/**
 * @file Task contracts as data: what a model must look like to serve a task (DESIGN.md
 * "Task contracts"). Checked before a session is created (on the manifest's declared
 * signature) and by publish-model (on the signature read from the model file), so a model
 * that cannot fit the shared pipeline is rejected before it can serve. Names, dimensions and
 * labels from the model or manifest are quoted through untrustedText.
 */
import type { TaskId } from './manifest-types.ts';
import type { Dim, TensorSpec, TensorType } from './tensor.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from './face-results.ts';
import { untrustedText } from './untrusted-text.ts';

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
  /** The allowed labels; a model's labels must be exactly these, in the model's output order. */
  vocabulary: readonly string[];
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

/** The three tasks hotlens serves. */
export const TASKS: Readonly<Record<TaskId, TaskContract>> = {
  'face-detection': {
    id: 'face-detection',
    summary: 'one image input [1,3,S,S]; outputs boxes [n,4] (x1,y1,x2,y2 normalised) and scores [n]',
    inputs: [{ role: 'image', type: 'float32', dims: [1, 3, 'S', 'S'] }],
    outputs: [
      { name: 'boxes', role: 'boxes', type: 'float32', dims: ['n', 4] },
      { name: 'scores', role: 'scores', type: 'float32', dims: ['n'] },
    ],
    fixed: ['S'],
    labels: null,
  },
  'face-attributes': {
    id: 'face-attributes',
    summary: 'input faces [b,3,112,112]; outputs age [b,1] and gender [b,2] (male, female)',
    inputs: [{ role: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }],
    outputs: [
      { name: 'age', role: 'age', type: 'float32', dims: ['b', 1] },
      { name: 'gender', role: 'gender probabilities', type: 'float32', dims: ['b', 2] },
    ],
    fixed: [],
    labels: { output: 'gender', vocabulary: GENDER_LABELS, required: false },
  },
  'face-expression': {
    id: 'face-expression',
    summary: 'input faces [b,3,112,112]; output expression [b,7] probabilities',
    inputs: [{ role: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }],
    outputs: [{ name: 'expression', role: 'expression probabilities', type: 'float32', dims: ['b', 7] }],
    fixed: [],
    labels: { output: 'expression', vocabulary: EXPRESSION_LABELS, required: true },
  },
};

/** True when `task` names a known task. */
export function isTaskId(task: unknown): task is TaskId {
  return typeof task === 'string' && Object.hasOwn(TASKS, task);
}

/** The known task ids, for messages. */
export const TASK_IDS = Object.keys(TASKS) as TaskId[];

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
 * Checks a model signature against a task contract. Returns human-readable problems; an
 * empty list means compatible. Extra outputs are allowed (they are ignored); extra inputs are
 * not (the pipeline could not feed them).
 */
export function checkContract(
  task: TaskId | string,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): string[] {
  if (!isTaskId(task)) return [`unknown task "${untrustedText(task)}" (known: ${TASK_IDS.join(', ')})`];
  const contract = TASKS[task];
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

/**
 * Checks output labels for a task: null where the task has none; otherwise exactly the task's
 * vocabulary (each label once, in the model's output order).
 */
export function checkLabels(task: TaskId | string, labels: readonly string[] | null | undefined): string[] {
  if (!isTaskId(task)) return [`unknown task "${untrustedText(task)}" (known: ${TASK_IDS.join(', ')})`];
  const rule = TASKS[task].labels;
  if (labels === null || labels === undefined) {
    return rule?.required ? [`${task} models need ${rule.vocabulary.length} labels for output "${rule.output}"`] : [];
  }
  if (!rule) return [`${task} models have no labelled outputs, but ${labels.length} labels were given`];
  if (labels.length !== rule.vocabulary.length) {
    return [
      `${task} needs ${rule.vocabulary.length} labels for output "${rule.output}" but ${labels.length} were given`,
    ];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const label of labels) {
    if (!rule.vocabulary.includes(label)) {
      problems.push(`label "${untrustedText(label)}" is not one of ${rule.vocabulary.join(', ')}`);
    } else if (seen.has(label)) problems.push(`label "${untrustedText(label)}" appears twice`);
    seen.add(label);
  }
  return problems;
}

/** The labels a task's pipeline assumes when a model declares none (null: the task has no labels). */
export function defaultLabels(task: TaskId): string[] | null {
  const rule = TASKS[task].labels;
  return rule ? [...rule.vocabulary] : null;
}

/** The square input size of a detector signature (the contract's S), or null when not fixed. */
export function detectorInputSize(inputs: readonly TensorSpec[]): number | null {
  const dims = inputs[0]?.dims;
  const size = dims?.[2];
  return typeof size === 'number' && size === dims?.[3] && Number.isInteger(size) && size > 0 ? size : null;
}
