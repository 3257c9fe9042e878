/**
 * @file The classification feature: the top classes of the whole image. Everything the app,
 * the worker and the tools need about classification is reached through this one object.
 *
 * Model `image-classifier` 1.0.0 is nsfwjs 4.4.0's MobileNetV2Mid (5 classes: drawing, hentai,
 * neutral, porn, sexy), the only real pretrained classifier any reachable npm package ships. It
 * is a content-screening model: it tells explicit from non-explicit pictures, and labels most
 * ordinary photos "drawing" (nsfwjs itself does the same on the same pixels). Any
 * image-classification model (e.g. an ImageNet ResNet wrapped by `npm run adapt-model`) can be
 * published as a later version; labels come from each version's manifest entry.
 */
import type { Feature } from '../../shared/feature.ts';
import { classifyImage } from './analyze.ts';
import { classificationPreprocess } from './preprocess.ts';
import { CLASSIFICATION_PROBES } from './probes.ts';
import { classDetails, classOverlay, classSummary } from './present.ts';
import type { ClassAnnotation } from './results.ts';
import { IMAGE_CLASSIFICATION } from './tasks.ts';

export type { ClassAnnotation } from './results.ts';

/** Classification: the most probable classes of the whole picture. */
export const classification: Feature<ClassAnnotation[]> = {
  id: 'classification',
  label: 'Classification',
  description: 'Top classes of the whole image (content screening with the default model)',
  models: { classifier: { id: 'image-classifier', task: IMAGE_CLASSIFICATION.id } },
  tasks: [IMAGE_CLASSIFICATION],
  probes: CLASSIFICATION_PROBES,
  preprocess: classificationPreprocess,
  async analyze(input) {
    const classifier = input.models.classifier;
    if (!classifier) throw new Error('the classification feature needs a classifier model');
    const out = await classifyImage(input.image, classifier, { now: input.now });
    return { result: out.classes, timings: out.timings };
  },
  overlay: classOverlay,
  details: classDetails,
  summary: classSummary,
};
