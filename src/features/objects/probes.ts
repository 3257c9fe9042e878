/**
 * @file The function-level check of an object detector: its probe image (made by the project
 * from Human's `assets/samples.jpg`, which npm ships, as a lossless PNG) and how it becomes the
 * model input — with the version's own pre-processing from the manifest, so the probe checks
 * the model and the pipeline the way they will serve.
 */
import type { ProbeRecipe } from '../../shared/feature.ts';
import { squareInputSize } from '../../shared/tasks.ts';
import { fitImage } from '../../shared/pipeline/image-ops.ts';
import { ModelSignatureError } from '../../shared/pipeline/errors.ts';
import { objectsPreprocess } from './preprocess.ts';

// samples.jpg (1280×1158) opens with a strip of thumbnails; the first, 160 px square, is a
// woman standing in a white dress. object-detector 1.0.0 finds exactly one person in it (score
// 0.66; 0.72–0.74 with ±3 grey levels of noise, still one detection): far from the 0.2
// threshold, so runtime noise (≤1e-6) cannot change what the probe expects.
/** Probe per object task. */
export const OBJECT_PROBES: Readonly<Record<string, ProbeRecipe>> = {
  'object-detection': {
    image: 'probe/object-detection.png',
    source: {
      photo: { package: '@vladmandic/human', path: 'assets/samples.jpg' },
      region: { left: 0, top: 0, width: 160, height: 160 },
      size: 160,
    },
    feeds(image, model) {
      const input = model.inputs[0];
      const size = squareInputSize(model.inputs);
      if (!input || size === null) throw new ModelSignatureError('the detector input has no fixed square size');
      return { [input.name]: fitImage(image, model.entry?.preprocess ?? objectsPreprocess('object-detection', size)) };
    },
    usable: (outputs) =>
      (outputs.scores?.data.length ?? 0) === 0
        ? ['the detector finds no object in the probe image, so the probe could not catch a broken model']
        : [],
  },
};
