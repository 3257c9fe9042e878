/**
 * @file Asserts that a wrapped model fits its task with the app's own contracts (`TASKS` from
 * src/features/index.ts, the ones publish-model, the registry build and the browser apply),
 * checked on the signature read from the file itself.
 */
import { expect } from 'vitest';
import { TASKS } from '../../../../src/features/index.ts';
import { readOnnxSignature } from '../../../../src/shared/onnx-signature.ts';
import { squareInputSize } from '../../../../src/shared/tasks.ts';

/** The model file fits `task` (and `labels`, when given); returns its square input size. */
export function expectTaskContract(bytes: Uint8Array, task: string, labels?: readonly string[]): { size: number } {
  const sig = readOnnxSignature(bytes);
  expect(sig.unshaped).toEqual([]);
  expect(TASKS.checkContract(task, sig.inputs, sig.outputs)).toEqual([]);
  if (labels) expect(TASKS.checkLabels(task, labels, sig.outputs)).toEqual([]);
  const size = squareInputSize(sig.inputs);
  expect(size).not.toBeNull();
  return { size: size! };
}
