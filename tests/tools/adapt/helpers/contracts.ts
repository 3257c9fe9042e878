/**
 * @file The two task contracts adapt-model targets, asserted on a model file's own signature
 * (read with src/shared/onnx-signature.ts). Test-local on purpose: `object-detection` and
 * `image-classification` are not in src/shared/tasks.ts yet; once they are, these assertions
 * should give way to checkContract.
 */
import { expect } from 'vitest';
import { readOnnxSignature, type OnnxFileSignature } from '../../../../src/shared/onnx-signature.ts';
import type { TensorSpec } from '../../../../src/shared/tensor.ts';

const isSize = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d) && d > 0;
const output = (sig: OnnxFileSignature, name: string): TensorSpec => {
  const o = sig.outputs.find((t) => t.name === name);
  expect(o, `output "${name}" in ${JSON.stringify(sig.outputs)}`).toBeDefined();
  return o!;
};

/** object-detection: one input float32 [1,3,S,S]; boxes float32 [n,4], scores float32 [n], classes int32 [n]. */
export function expectObjectDetection(bytes: Uint8Array): { size: number } {
  const sig = readOnnxSignature(bytes);
  expect(sig.unshaped).toEqual([]);
  expect(sig.inputs).toHaveLength(1);
  const [input] = sig.inputs;
  expect(input!.type).toBe('float32');
  const [b, c, h, w] = input!.dims;
  expect([b, c]).toEqual([1, 3]);
  expect(isSize(h) && h === w, `input dims ${JSON.stringify(input!.dims)}`).toBe(true);
  const boxes = output(sig, 'boxes');
  const scores = output(sig, 'scores');
  const classes = output(sig, 'classes');
  expect([boxes.type, scores.type, classes.type]).toEqual(['float32', 'float32', 'int32']);
  const n = boxes.dims[0];
  expect(boxes.dims).toEqual([n, 4]);
  expect(scores.dims).toEqual([n]);
  expect(classes.dims).toEqual([n]);
  return { size: h as number };
}

/** image-classification: one input float32 [b,3,S,S]; probabilities float32 [b,K]. */
export function expectImageClassification(bytes: Uint8Array, classes: number): { size: number } {
  const sig = readOnnxSignature(bytes);
  expect(sig.unshaped).toEqual([]);
  expect(sig.inputs).toHaveLength(1);
  const [input] = sig.inputs;
  expect(input!.type).toBe('float32');
  const [b, c, h, w] = input!.dims;
  expect(c).toBe(3);
  expect(isSize(h) && h === w, `input dims ${JSON.stringify(input!.dims)}`).toBe(true);
  const probabilities = output(sig, 'probabilities');
  expect(probabilities.type).toBe('float32');
  expect(probabilities.dims).toEqual([b, classes]);
  return { size: h as number };
}
