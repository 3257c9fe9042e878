/**
 * @file The image-classification task contract: images [b,3,S,S] → probabilities [b,K] with K
 * labels counted from the output; labels may repeat (ImageNet's two "crane"s), but their number
 * must match K.
 */
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../../src/features/index.ts';
import type { TensorSpec } from '../../../src/shared/tensor.ts';

const input = (dims: (number | string)[] = ['b', 3, 224, 224]): TensorSpec[] => [
  { name: 'image', type: 'float32', dims },
];
const output = (dims: (number | string)[] = ['b', 5], name = 'probabilities'): TensorSpec[] => [
  { name, type: 'float32', dims },
];
const check = (i: TensorSpec[], o: TensorSpec[]) => TASKS.checkContract('image-classification', i, o).join('; ');

describe('image-classification contract', () => {
  it('accepts a batch of square images and [b,K] probabilities (nsfwjs, a wrapped ResNet)', () => {
    expect(check(input(), output())).toBe('');
    expect(check(input(['batch_size', 3, 224, 224]), output(['batch_size', 1000]))).toBe('');
    expect(check(input([1, 3, 299, 299]), output([1, 5]))).toBe('');
  });

  it('refuses raw logits under another name, a symbolic K, mismatched batches, a non-square input', () => {
    expect(check(input(), output(['b', 1000], 'output'))).toMatch(/missing output "probabilities"/);
    expect(check(input(), output(['b', 'k']))).toMatch(/symbolic/);
    expect(check(input([2, 3, 224, 224]), output([3, 5]))).toMatch(/must match/);
    expect(check(input(['b', 3, 224, 200]), output())).toMatch(/must match/);
  });

  it('needs K labels; repeats are allowed (ImageNet-1000 names "crane" twice)', () => {
    const out = output(['b', 3]);
    expect(TASKS.checkLabels('image-classification', null, out)).toEqual([
      'image-classification models need 3 labels for output "probabilities"',
    ]);
    expect(TASKS.checkLabels('image-classification', ['crane', 'tench', 'crane'], out)).toEqual([]);
    expect(TASKS.checkLabels('image-classification', ['crane', 'tench'], out)).toEqual([
      'image-classification needs 3 labels for output "probabilities" but 2 were given',
    ]);
    expect(TASKS.checkLabels('image-classification', ['a', '', 'c'], out)).toEqual(['a label is empty']);
  });
});
