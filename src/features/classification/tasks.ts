/**
 * @file The task contract of the classification feature (DESIGN.md "Task contracts"): a batch
 * of images in, class probabilities out; K labels, counted from the output. Raw torchvision
 * exports (ImageNet mean/std, logits) are wrapped to fit by `npm run adapt-model`.
 */
import type { TaskContract } from '../../shared/tasks.ts';

/** Images [b,3,S,S] (RGB 0..255); probabilities [b,K]; K labels, repeats allowed. */
export const IMAGE_CLASSIFICATION: TaskContract = {
  id: 'image-classification',
  summary: 'input images [b,3,S,S]; output probabilities [b,K]; K labels required',
  inputs: [{ role: 'image', type: 'float32', dims: ['b', 3, 'S', 'S'] }],
  outputs: [{ name: 'probabilities', role: 'class probabilities', type: 'float32', dims: ['b', 'K'] }],
  fixed: ['S', 'K'],
  // ImageNet-1000 names two classes "crane" (the bird and the machine), so labels may repeat.
  labels: { output: 'probabilities', countFrom: { output: 'probabilities', dim: 1 }, unique: false, required: true },
};
