/**
 * @file The objects pipeline, shared by the browser worker and `npm run annotate`: the picture
 * made square as the serving version's manifest says (`fit`, `resize`, `size`) → one detector
 * run → boxes back to original pixels (clipped to the image), class indices checked against the
 * version's labels → objects best first. Threshold and NMS are inside the graph.
 */
import type { RgbImage } from '../../shared/image.ts';
import type { FeatureRunner } from '../../shared/feature.ts';
import type { PixelBox } from '../../shared/geometry.ts';
import { roundBox, roundTo, scaleBox } from '../../shared/geometry.ts';
import { squareInputSize } from '../../shared/tasks.ts';
import { fitImage, fitLength, inputBoxToPixels } from '../../shared/pipeline/image-ops.ts';
import { inputArrayFor } from '../../shared/pipeline/model-runner.ts';
import { ModelOutputError, ModelSignatureError } from '../../shared/pipeline/errors.ts';
import type { TensorData } from '../../shared/tensor.ts';
import type { ObjectAnnotation } from './results.ts';
import { objectsPreprocess } from './preprocess.ts';

const ROLE = 'detector';

/** Unrounded detections, for parity tests and debugging. */
export interface RawObject {
  /** Box in original pixels, clipped, unrounded. */
  box: PixelBox;
  score: number;
  /** Index into the version's labels. */
  classIndex: number;
}

/** Result of analysing one image. */
export interface AnalyzedObjects {
  objects: ObjectAnnotation[];
  raw: RawObject[];
  timings: { detect: number };
}

function floats(outputs: Record<string, TensorData>, name: string, length: number): Float32Array {
  const t = outputs[name];
  if (!t) throw new ModelOutputError(ROLE, `returned no "${name}" output`);
  if (!(t.data instanceof Float32Array))
    throw new ModelOutputError(ROLE, `returned "${name}" as ${t.type}, not float32`);
  if (t.data.length !== length)
    throw new ModelOutputError(ROLE, `returned ${t.data.length} values for "${name}", expected ${length}`);
  for (const v of t.data) {
    if (!Number.isFinite(v)) throw new ModelOutputError(ROLE, `returned a non-finite value (${v}) in "${name}"`);
  }
  return t.data;
}

function classIndices(outputs: Record<string, TensorData>, count: number, labels: number): Int32Array {
  const t = outputs.classes;
  if (!t) throw new ModelOutputError(ROLE, 'returned no "classes" output');
  if (!(t.data instanceof Int32Array)) throw new ModelOutputError(ROLE, `returned "classes" as ${t.type}, not int32`);
  if (t.data.length !== count)
    throw new ModelOutputError(ROLE, `returned ${t.data.length} classes for ${count} scores`);
  for (const c of t.data) {
    if (c < 0 || c >= labels)
      throw new ModelOutputError(ROLE, `returned class ${c}, but its version has ${labels} labels (0..${labels - 1})`);
  }
  return t.data;
}

/** `box` cut to the image (Human and centernet report boxes past the border). */
function clip(box: PixelBox, width: number, height: number): PixelBox {
  const x1 = Math.min(width, Math.max(0, box.x));
  const y1 = Math.min(height, Math.max(0, box.y));
  const x2 = Math.min(width, Math.max(0, box.x + box.width));
  const y2 = Math.min(height, Math.max(0, box.y + box.height));
  return { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) };
}

/** Options for {@link analyzeObjects}. */
export interface AnalyzeObjectsOptions {
  /** Factor from the (downscaled) inference image back to original pixels; default 1. */
  scaleToOriginal?: number;
  now?: () => number;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Detects objects in `image` with the serving detector version. */
export async function analyzeObjects(
  image: RgbImage,
  detector: FeatureRunner,
  options: AnalyzeObjectsOptions = {},
): Promise<AnalyzedObjects> {
  const now = options.now ?? defaultNow;
  const scale = options.scaleToOriginal ?? 1;
  const size = squareInputSize(detector.inputs);
  const input = detector.inputs[0];
  if (size === null || !input) throw new ModelSignatureError('the object detector has no fixed square image input');
  const labels = detector.entry.labels;
  if (!labels || labels.length === 0)
    throw new ModelSignatureError(`object-detector ${detector.version} has no labels in the manifest`);
  // The version's own pre-processing; the default only if an entry lacks it (never for a valid manifest).
  const pre = detector.entry.preprocess ?? objectsPreprocess('object-detection', size);
  if (pre.size !== size)
    throw new ModelSignatureError(`the manifest says input ${pre.size} px but the model takes ${size} px`);
  const t0 = now();
  const out = await detector.run({ [input.name]: fitImage(image, pre, inputArrayFor(detector, fitLength(size))) });
  const detect = now() - t0;
  const scores = floats(out, 'scores', out.scores?.data.length ?? 0);
  const boxes = floats(out, 'boxes', scores.length * 4);
  const classes = classIndices(out, scores.length, labels.length);
  const raw: RawObject[] = [];
  for (let i = 0; i < scores.length; i++) {
    const inPixels = inputBoxToPixels(boxes.subarray(4 * i, 4 * i + 4), image, pre.fit);
    const box = scaleBox(clip(inPixels, image.width, image.height), scale);
    raw.push({ box, score: scores[i]!, classIndex: classes[i]! });
  }
  // Stable: the graph already sorts by score; ties keep its order.
  raw.sort((a, b) => b.score - a.score);
  const objects = raw.map((r) => ({ box: roundBox(r.box), score: roundTo(r.score, 4), label: labels[r.classIndex]! }));
  return { objects, raw, timings: { detect } };
}
