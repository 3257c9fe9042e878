import { beforeAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { TASKS } from '../../src/features/index.ts';
import { squareInputSize, TaskRegistry, type TaskContract } from '../../src/shared/tasks.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import { EXPRESSION_LABELS } from '../../src/features/faces/results.ts';
import { converted } from '../helpers/models.ts';

const checkContract = TASKS.checkContract.bind(TASKS);
const checkLabels = TASKS.checkLabels.bind(TASKS);
const defaultLabels = TASKS.defaultLabels.bind(TASKS);

const detIn = (dims: (number | string)[] = [1, 3, 416, 416]): TensorSpec[] => [
  { name: 'image', type: 'float32', dims },
];
const detOut: TensorSpec[] = [
  { name: 'boxes', type: 'float32', dims: ['n', 4] },
  { name: 'scores', type: 'float32', dims: ['n'] },
];
const facesIn: TensorSpec[] = [{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }];
const attrOut: TensorSpec[] = [
  { name: 'age', type: 'float32', dims: ['b', 1] },
  { name: 'gender', type: 'float32', dims: ['b', 2] },
];

describe('task contracts', () => {
  describe('on the signatures read from every converted model', () => {
    const signatures: { name: string; task: string; inputs: TensorSpec[]; outputs: TensorSpec[] }[] = [];
    beforeAll(async () => {
      for (const m of converted()) {
        const model = await OrtModel.create(m.onnx);
        signatures.push({
          name: `${m.id} ${m.version} ${m.variant}`,
          task: m.task,
          inputs: model.inputs,
          outputs: model.outputs,
        });
        await model.release();
      }
    });

    it('accepts each model for its own task and rejects it for the others', () => {
      expect(signatures.length).toBeGreaterThanOrEqual(12);
      for (const s of signatures) {
        expect(checkContract(s.task, s.inputs, s.outputs), s.name).toEqual([]);
        for (const other of TASKS.ids.filter((t) => t !== s.task)) {
          expect(checkContract(other, s.inputs, s.outputs).length, `${s.name} as ${other}`).toBeGreaterThan(0);
        }
      }
    });
  });

  it('accepts a detector with a symbolic batch and any fixed square size', () => {
    expect(checkContract('face-detection', detIn(['batch', 3, 224, 224]), detOut)).toEqual([]);
    expect(squareInputSize(detIn([1, 3, 320, 320]))).toBe(320);
  });

  it('needs a fixed, square detector input (the pipeline reads its size)', () => {
    expect(checkContract('face-detection', detIn([1, 3, 'h', 'w']), detOut).join()).toMatch(/symbolic.*fixed size/);
    expect(checkContract('face-detection', detIn([1, 3, 416, 320]), detOut).join()).toMatch(/must match/);
    expect(squareInputSize(detIn([1, 3, 416, 320]))).toBeNull();
    expect(squareInputSize(detIn([1, 3, 'h', 'h']))).toBeNull();
  });

  it('rejects wrong channel count, rank and type', () => {
    expect(checkContract('face-detection', detIn([1, 4, 416, 416]), detOut).join()).toMatch(
      /dimension 1 is 4, expected 3/,
    );
    expect(checkContract('face-detection', detIn([3, 416, 416]), detOut).join()).toMatch(/shape \[3,416,416\]/);
    expect(
      checkContract('face-detection', [{ name: 'image', type: 'uint8', dims: [1, 3, 416, 416] }], detOut).join(),
    ).toMatch(/uint8, expected float32/);
  });

  it('names missing outputs once, with what the model has', () => {
    const problems = checkContract('face-attributes', facesIn, [
      { name: 'expression', type: 'float32', dims: ['b', 7] },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/missing outputs "age".*"gender".*the model's outputs are "expression"/);
  });

  it('checks output dims and that numeric batch sizes agree', () => {
    expect(
      checkContract('face-attributes', facesIn, [
        attrOut[0]!,
        { name: 'gender', type: 'float32', dims: ['b', 3] },
      ]).join(),
    ).toMatch(/dimension 1 is 3, expected 2/);
    const fixedBatch: TensorSpec[] = [{ name: 'faces', type: 'float32', dims: [4, 3, 112, 112] }];
    expect(
      checkContract('face-attributes', fixedBatch, [
        { ...attrOut[0]!, dims: [4, 1] },
        { ...attrOut[1]!, dims: [4, 2] },
      ]),
    ).toEqual([]);
    expect(
      checkContract('face-attributes', fixedBatch, [{ ...attrOut[0]!, dims: [2, 1] }, attrOut[1]!]).join(),
    ).toMatch(/must match/);
    // A crop's side C is the model's own (112 face-api, 64 Human's emotion net), but square and fixed.
    const expression = (dims: TensorSpec['dims']) =>
      checkContract(
        'face-expression',
        [{ name: 'x', type: 'float32', dims }],
        [{ name: 'expression', type: 'float32', dims: ['b', 7] }],
      ).join();
    expect(expression(['b', 3, 96, 96])).toBe('');
    expect(expression(['b', 3, 64, 64])).toBe('');
    expect(expression(['b', 3, 96, 112])).toMatch(/dimension 3 is 112/);
    expect(expression(['b', 3, 'h', 'h'])).toMatch(/dimension 2 is symbolic/);
  });

  it('allows extra outputs but not extra inputs', () => {
    expect(
      checkContract('face-detection', detIn(), [...detOut, { name: 'landmarks', type: 'float32', dims: ['n', 10] }]),
    ).toEqual([]);
    expect(
      checkContract('face-detection', [...detIn(), { name: 'threshold', type: 'float32', dims: [1] }], detOut).join(),
    ).toMatch(/take 1 input/);
  });

  it('rejects unknown tasks', () => {
    expect(TASKS.has('pose-estimation')).toBe(false);
    expect(checkContract('pose-estimation', detIn(), detOut)).toEqual([
      expect.stringMatching(/unknown task "pose-estimation"/),
    ]);
  });

  it('counts free labels by an output dimension, unique and non-empty', () => {
    const classify: TaskContract = {
      id: 'test-classification',
      summary: 'probabilities [b,K]',
      inputs: [{ role: 'image', type: 'float32', dims: ['b', 3, 'S', 'S'] }],
      outputs: [{ name: 'probabilities', role: 'probabilities', type: 'float32', dims: ['b', 'K'] }],
      fixed: ['S'],
      labels: { output: 'probabilities', countFrom: { output: 'probabilities', dim: 1 }, required: true },
    };
    const registry = new TaskRegistry([classify]);
    const outputs: TensorSpec[] = [{ name: 'probabilities', type: 'float32', dims: ['b', 3] }];
    expect(registry.checkLabels('test-classification', ['cat', 'dog', 'fish'], outputs)).toEqual([]);
    expect(registry.checkLabels('test-classification', ['cat', 'dog'], outputs).join()).toMatch(/needs 3 labels .* 2/);
    expect(registry.checkLabels('test-classification', ['cat', 'cat', 'dog'], outputs).join()).toMatch(/twice/);
    expect(registry.checkLabels('test-classification', ['cat', ' ', 'dog'], outputs).join()).toMatch(/empty/);
    expect(registry.checkLabels('test-classification', null, outputs).join()).toMatch(/need 3 labels/);
    expect(registry.defaultLabels('test-classification')).toBeNull();
    expect(() => new TaskRegistry([classify, classify])).toThrow(/declared twice/);
  });

  it('checks labels against the task vocabulary', () => {
    expect(checkLabels('face-detection', null)).toEqual([]);
    expect(checkLabels('face-detection', ['face']).join()).toMatch(/no labelled outputs/);
    expect(checkLabels('face-attributes', null)).toEqual([]);
    expect(checkLabels('face-attributes', ['female', 'male'])).toEqual([]);
    expect(checkLabels('face-expression', null).join()).toMatch(/need 7 labels/);
    expect(checkLabels('face-expression', [...EXPRESSION_LABELS])).toEqual([]);
    expect(checkLabels('face-expression', EXPRESSION_LABELS.slice(0, 6)).join()).toMatch(
      /needs 7 labels .* 6 were given/,
    );
    expect(checkLabels('face-expression', [...EXPRESSION_LABELS.slice(0, 6), 'bored']).join()).toMatch(
      /"bored" is not one of/,
    );
    expect(checkLabels('face-expression', [...EXPRESSION_LABELS.slice(0, 6), 'happy']).join()).toMatch(
      /"happy" appears twice/,
    );
    expect(defaultLabels('face-expression')).toEqual([...EXPRESSION_LABELS]);
    expect(defaultLabels('face-detection')).toBeNull();
  });
});
