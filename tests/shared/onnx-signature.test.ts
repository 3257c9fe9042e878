/**
 * @file The compat check's view of a model file: the signature read from the ONNX bytes must
 * be exactly what onnxruntime-web reports for every converted model (so the check judges the
 * file the session would run), and files that disagree with the task contract or with their
 * manifest entry are named with the reason, before any session exists.
 */
import { TASKS } from '../../src/features/index.ts';
import { describe, expect, it } from 'vitest';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { fileSignatureProblems, OnnxFormatError, readOnnxSignature } from '../../src/shared/onnx-signature.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import { attr, GraphBuilder } from '../../tools/convert/onnx/graph-builder.ts';
import { converted } from '../helpers/models.ts';
import { UNSAFE_CHARS } from '../helpers/untrusted.ts';
import { brightnessExpression, constantDetector } from '../helpers/onnx-fixtures.ts';

const detector = (inputDims?: number[]) =>
  constantDetector({ size: 320, boxes: [[0.1, 0.1, 0.5, 0.5]], scores: [0.9], ...(inputDims ? { inputDims } : {}) });

const declared320 = {
  inputs: [{ name: 'image', type: 'float32', dims: [1, 3, 320, 320] }] as TensorSpec[],
  outputs: [
    { name: 'boxes', type: 'float32', dims: ['n', 4] },
    { name: 'scores', type: 'float32', dims: ['n'] },
  ] as TensorSpec[],
};

describe('readOnnxSignature', () => {
  it('reads what onnxruntime-web reports, for every converted model', async () => {
    for (const m of converted()) {
      const session = await OrtModel.create(m.onnx);
      try {
        expect(readOnnxSignature(m.onnx), `${m.id} ${m.version} ${m.variant}`).toEqual({
          inputs: session.inputs,
          outputs: session.outputs,
          unshaped: [],
        });
      } finally {
        await session.release();
      }
    }
  });

  it('leaves out initializers that a graph also lists as inputs (older exporters do)', () => {
    // GraphBuilder never writes this, so the ModelProto is encoded by hand: only the fields read.
    const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...varint(n >>> 7)]);
    const field = (no: number, body: number[] | string): number[] => {
      const bytes = typeof body === 'string' ? [...new TextEncoder().encode(body)] : body;
      return [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
    };
    // TypeProto { tensor_type { elem_type: FLOAT, shape { dim { dim_value: 1 } dim { dim_value: 2 } } } }
    const float2 = field(1, [8, 1, ...field(2, [...field(1, [8, 1]), ...field(1, [8, 2])])]);
    const valueInfo = (name: string) => [...field(1, name), ...field(2, float2)];
    const graph = [
      ...field(5, [8, 1, 8, 2, 16, 1, ...field(8, 'w')]), // TensorProto dims [1,2], float, name "w"
      ...field(11, valueInfo('x')),
      ...field(11, valueInfo('w')),
      ...field(12, valueInfo('y')),
    ];
    const model = Uint8Array.from([8, 8, ...field(7, graph)]);
    expect(readOnnxSignature(model)).toEqual({
      inputs: [{ name: 'x', type: 'float32', dims: [1, 2] }],
      outputs: [{ name: 'y', type: 'float32', dims: [1, 2] }],
      unshaped: [],
    });
    // The same graph with an output that has a type but no shape (exporters may leave it to inference).
    const typeOnly = field(2, field(1, [8, 1]));
    const open = Uint8Array.from([8, 8, ...field(7, [...graph, ...field(12, [...field(1, 'z'), ...typeOnly])])]);
    expect(readOnnxSignature(open)).toMatchObject({
      outputs: [{ name: 'y' }, { name: 'z', type: 'float32', dims: [] }],
      unshaped: ['z'],
    });
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnxSignature(new TextEncoder().encode('not a model at all'))).toThrow(OnnxFormatError);
    expect(() => readOnnxSignature(detector().subarray(0, 40))).toThrow(OnnxFormatError);
  });
});

describe('fileSignatureProblems', () => {
  it('has nothing to say about a file that matches its task and its declaration', () => {
    expect(fileSignatureProblems(TASKS.get('face-detection')!, declared320, detector())).toEqual([]);
  });

  it('names a file that does not fit the task contract', () => {
    expect(fileSignatureProblems(TASKS.get('face-detection')!, declared320, detector([1, 1, 320, 320]))).toEqual([
      expect.stringMatching(/^the model file: input "image" \(image\) dimension 1 is 1, expected 3/),
    ]);
    const renamed = brightnessExpression({ outputName: 'emotion' });
    const declaredExpression = {
      inputs: [{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }] as TensorSpec[],
      outputs: [{ name: 'expression', type: 'float32', dims: ['b', 7] }] as TensorSpec[],
    };
    expect(fileSignatureProblems(TASKS.get('face-expression')!, declaredExpression, renamed)).toEqual([
      'the model file: missing output "expression" (expression probabilities); the model\'s outputs are "emotion"',
    ]);
  });

  it('quotes names briefly and without control or bidi characters', () => {
    const huge = `\u202e\u0007${'n'.repeat(2_000_000)}`;
    const problems = fileSignatureProblems(
      TASKS.get('face-detection')!,
      { ...declared320, outputs: [...declared320.outputs, { name: huge, type: 'float32', dims: [huge] }] },
      detector(),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^the manifest declares output "n+…", the model file has no such/),
    ]);
    expect(problems[0]!.length).toBeLessThan(200);
    expect(problems[0]).not.toMatch(UNSAFE_CHARS);
  });

  it('names a file that fits the task but not what the manifest declares for it', () => {
    const declared416 = { ...declared320, inputs: [{ ...declared320.inputs[0]!, dims: [1, 3, 416, 416] }] };
    expect(fileSignatureProblems(TASKS.get('face-detection')!, declared416, detector())).toEqual([
      'input "image" is float32 [1,3,320,320] in the model file, the manifest declares float32 [1,3,416,416]',
    ]);
  });

  it('accepts a file whose open dimensions the runtime fixes (the manifest records what the runtime reports)', async () => {
    // The file declares boxes [n,4]; onnxruntime-web infers [1,4] and publish-model writes that.
    const bytes = detector();
    const session = await OrtModel.create(bytes);
    try {
      expect(session.outputs.map((o) => o.dims)).toEqual([[1, 4], [1]]);
      expect(
        fileSignatureProblems(
          TASKS.get('face-detection')!,
          { inputs: session.inputs, outputs: session.outputs },
          bytes,
        ),
      ).toEqual([]);
    } finally {
      await session.release();
    }
  });

  it('names an unreadable file', () => {
    expect(
      fileSignatureProblems(TASKS.get('face-detection')!, declared320, new Uint8Array([0xff, 0xff, 0xff])),
    ).toEqual([expect.stringMatching(/^the model file is not a readable ONNX model/)]);
  });

  it('names a file whose input has another element type', () => {
    const g = new GraphBuilder('int-detector');
    const image = g.input('image', 'int32', [1, 3, 320, 320]);
    const mean = g.node('ReduceMean', [g.node('Cast', [image], { to: attr.int(1) })], { keepdims: attr.int(0) });
    const zero = g.node('Mul', [mean, g.f32('zero', [0], [])]);
    g.output(g.node('Add', [g.f32('b', [0, 0, 1, 1], [1, 4]), zero]), 'boxes', 'float32', ['n', 4]);
    g.output(g.node('Add', [g.f32('s', [1], [1]), zero]), 'scores', 'float32', ['n']);
    expect(fileSignatureProblems(TASKS.get('face-detection')!, declared320, g.toModel())).toEqual([
      expect.stringMatching(/input "image" \(image\) is int32, expected float32/),
    ]);
  });
});
