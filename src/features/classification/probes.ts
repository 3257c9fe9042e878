/**
 * @file The function-level check of a classifier: its probe image (made by the project from
 * Human's `assets/samples.jpg`, which npm ships, as a lossless PNG) and how it becomes the model
 * input — with the version's own pre-processing from the manifest, at batch size 1.
 */
import type { ProbeRecipe } from '../../shared/feature.ts';
import { squareInputSize } from '../../shared/tasks.ts';
import { fitImage } from '../../shared/pipeline/image-ops.ts';
import { ModelSignatureError } from '../../shared/pipeline/errors.ts';
import { classificationPreprocess } from './preprocess.ts';

// The third thumbnail of samples.jpg: a man at a dinner table, 160 px square, upsampled to the
// classifier's 224 px by the pipeline (so the probe exercises the resize). image-classifier
// 1.0.0 (nsfwjs MobileNetV2Mid) gives drawing 0.77, neutral 0.23.
/** Probe per classification task. */
export const CLASSIFICATION_PROBES: Readonly<Record<string, ProbeRecipe>> = {
  'image-classification': {
    image: 'probe/image-classification.png',
    source: {
      photo: { package: '@vladmandic/human', path: 'assets/samples.jpg' },
      region: { left: 325, top: 0, width: 160, height: 160 },
      size: 160,
    },
    feeds(image, model) {
      const input = model.inputs[0];
      const size = squareInputSize(model.inputs);
      if (!input || size === null) throw new ModelSignatureError('the classifier input has no fixed square size');
      const pre = model.entry?.preprocess ?? classificationPreprocess('image-classification', size);
      return { [input.name]: fitImage(image, pre) };
    },
  },
};
