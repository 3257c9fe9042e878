/**
 * @file The classification pipeline, shared by the browser worker and `npm run annotate`: the
 * picture made square as the serving version's manifest says (`fit`, `resize`, `size`) → one
 * classifier run → the top classes with their probabilities, labels from the version's manifest
 * entry (K of them: the count is checked against the output).
 */
import type { RgbImage } from '../../shared/image.ts';
import type { FeatureRunner } from '../../shared/feature.ts';
import { roundTo } from '../../shared/geometry.ts';
import { squareInputSize } from '../../shared/tasks.ts';
import { fitImage, fitLength } from '../../shared/pipeline/image-ops.ts';
import { inputArrayFor } from '../../shared/pipeline/model-runner.ts';
import { ModelOutputError, ModelSignatureError } from '../../shared/pipeline/errors.ts';
import { classificationPreprocess } from './preprocess.ts';
import { TOP_CLASSES, type ClassAnnotation } from './results.ts';

const ROLE = 'classifier';

/** Result of classifying one image. */
export interface AnalyzedClasses {
  /** The top classes, rounded for the result JSON. */
  classes: ClassAnnotation[];
  /** Every class probability, unrounded, in the model's label order. */
  probabilities: Float32Array;
  timings: { classify: number };
}

/** Options for {@link classifyImage}. */
export interface ClassifyOptions {
  /** How many classes to keep (default {@link TOP_CLASSES}). */
  top?: number;
  now?: () => number;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * The `top` most probable classes, best first; equal probabilities keep the model's label order
 * (so two runs, or the app and the CLI, list ties identically).
 */
export function topClasses(
  probabilities: ArrayLike<number>,
  labels: readonly string[],
  top: number,
): ClassAnnotation[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i);
  order.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
  return order.slice(0, top).map((i) => ({ label: labels[i]!, probability: roundTo(probabilities[i]!, 4) }));
}

/** Classifies the whole of `image` with the serving classifier version. */
export async function classifyImage(
  image: RgbImage,
  classifier: FeatureRunner,
  options: ClassifyOptions = {},
): Promise<AnalyzedClasses> {
  const now = options.now ?? defaultNow;
  const size = squareInputSize(classifier.inputs);
  const input = classifier.inputs[0];
  if (size === null || !input) throw new ModelSignatureError('the classifier has no fixed square image input');
  const labels = classifier.entry.labels;
  if (!labels || labels.length === 0)
    throw new ModelSignatureError(`image-classifier ${classifier.version} has no labels in the manifest`);
  const pre = classifier.entry.preprocess ?? classificationPreprocess('image-classification', size);
  if (pre.size !== size)
    throw new ModelSignatureError(`the manifest says input ${pre.size} px but the model takes ${size} px`);
  const t0 = now();
  const out = await classifier.run({ [input.name]: fitImage(image, pre, inputArrayFor(classifier, fitLength(size))) });
  const classify = now() - t0;
  const t = out.probabilities;
  if (!t) throw new ModelOutputError(ROLE, 'returned no "probabilities" output');
  if (!(t.data instanceof Float32Array))
    throw new ModelOutputError(ROLE, `returned "probabilities" as ${t.type}, not float32`);
  if (t.data.length !== labels.length)
    throw new ModelOutputError(ROLE, `returned ${t.data.length} probabilities for ${labels.length} labels`);
  for (const p of t.data) {
    if (!Number.isFinite(p)) throw new ModelOutputError(ROLE, `returned a non-finite probability (${p})`);
  }
  return {
    classes: topClasses(t.data, labels, options.top ?? TOP_CLASSES),
    probabilities: t.data,
    timings: { classify },
  };
}
