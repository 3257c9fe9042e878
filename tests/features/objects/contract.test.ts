/**
 * @file The object-detection task contract: what the translator's centernet and adapt-model's
 * YOLO wrapper write passes; what the pipeline could not read is refused before a session exists.
 */
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../../src/features/index.ts';
import type { TensorSpec } from '../../../src/shared/tensor.ts';

const input = (dims: (number | string)[] = [1, 3, 512, 512]): TensorSpec[] => [
  { name: 'image', type: 'float32', dims },
];
const outputs = (classes: TensorSpec['type'] = 'int32'): TensorSpec[] => [
  { name: 'boxes', type: 'float32', dims: ['n', 4] },
  { name: 'scores', type: 'float32', dims: ['n'] },
  { name: 'classes', type: classes, dims: ['n'] },
];
const check = (i: TensorSpec[], o: TensorSpec[]) => TASKS.checkContract('object-detection', i, o).join('; ');

describe('object-detection contract', () => {
  it('accepts final detections: image [1,3,S,S] → boxes [n,4], scores [n], classes int32 [n]', () => {
    expect(check(input(), outputs())).toBe('');
    expect(check(input([1, 3, 640, 640]), outputs())).toBe('');
  });

  it('refuses float classes, a missing output, a non-square or symbolic input, a batch', () => {
    expect(check(input(), outputs('float32'))).toMatch(/output "classes" is float32, expected int32/);
    expect(check(input(), outputs().slice(0, 2))).toMatch(/missing output "classes"/);
    expect(check(input([1, 3, 512, 384]), outputs())).toMatch(/must match/);
    expect(check(input([1, 3, 's', 's']), outputs())).toMatch(/symbolic/);
    expect(check(input([4, 3, 512, 512]), outputs())).toMatch(/dimension 0 is 4, expected 1/);
  });

  it('requires labels (any number; the pipeline checks class indices), each once', () => {
    expect(TASKS.checkLabels('object-detection', null)).toEqual([
      'object-detection models need their labels for output "classes"',
    ]);
    expect(TASKS.checkLabels('object-detection', ['person', 'dog'])).toEqual([]);
    expect(TASKS.checkLabels('object-detection', ['person', 'dog', 'person'])).toEqual([
      'label "person" appears twice',
    ]);
    expect(TASKS.checkLabels('object-detection', ['person', ' '])).toEqual(['a label is empty']);
  });
});
