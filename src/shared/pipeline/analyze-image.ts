/**
 * @file The face pipeline, shared by the browser worker and `npm run annotate` (one
 * implementation, so the CLI answers exactly what the app shows): detect → map boxes to
 * pixels → quality gate → crop all good faces → ONE batched run of the attribute net and ONE
 * of the expression net → faces sorted by confidence, boxes in original pixels.
 */
import type { RgbImage } from '../image.ts';
import type { TensorData } from '../tensor.ts';
import type { ExpressionLabel, FaceAnnotation, Gender, PixelBox } from '../face-results.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from '../face-results.ts';
import { detectorInputSize } from '../tasks.ts';
import type { ModelRunner } from './model-runner.ts';
import { cropFaces, letterbox } from './image-ops.ts';
import { toPixelDetections } from './detection-boxes.ts';
import { measureFace, qualityIssue, type FaceQualityMetrics } from './quality.ts';
import { ModelOutputError, ModelSignatureError } from './errors.ts';

/** The three models one analysis needs. */
export interface FaceModels {
  detector: ModelRunner;
  attributes: ModelRunner;
  expression: ModelRunner;
}

/** Options for {@link analyzeImage}. */
export interface AnalyzeOptions {
  /** Factor from the (downscaled) inference image back to original pixels; default 1. */
  scaleToOriginal?: number;
  /** Output labels from the manifest when a model orders its classes differently; defaults are the contract's. */
  labels?: { gender?: readonly string[] | null; expression?: readonly string[] | null };
  /** Millisecond clock for timings (injectable for tests); defaults to performance.now or Date.now. */
  now?: () => number;
}

/** Unrounded model outputs for one face, for parity tests and debugging. */
export interface RawFace {
  /** Box in original pixels, unrounded. */
  box: PixelBox;
  score: number;
  quality: FaceQualityMetrics;
  /** Null when the quality gate skipped the attribute nets. */
  age: number | null;
  /** Gender probabilities in the model's label order (male, female by contract). */
  gender: number[] | null;
  /** Expression probabilities in the model's label order. */
  expression: number[] | null;
}

/** Result of analysing one image. */
export interface AnalyzedImage {
  faces: FaceAnnotation[];
  raw: RawFace[];
  timings: { detectMs: number; attributesMs: number; expressionMs: number };
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function finiteOutput(model: string, outputs: Record<string, TensorData>, name: string, length: number): Float32Array {
  const t = outputs[name];
  if (!t) throw new ModelOutputError(model, `returned no "${name}" output`);
  if (!(t.data instanceof Float32Array))
    throw new ModelOutputError(model, `returned "${name}" as ${t.type}, not float32`);
  if (t.data.length !== length)
    throw new ModelOutputError(model, `returned ${t.data.length} values for "${name}", expected ${length}`);
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(t.data[i]!))
      throw new ModelOutputError(model, `returned a non-finite value (${t.data[i]}) in "${name}"`);
  }
  return t.data;
}

function inputName(model: string, runner: ModelRunner): string {
  const name = runner.inputs[0]?.name;
  if (name === undefined) throw new ModelSignatureError(`the ${model} model declares no inputs`);
  return name;
}

function argmax(values: ArrayLike<number>, from: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[from + i]! > values[from + best]!) best = i;
  return best;
}

/** Detects faces in `image` and estimates age, gender and expression for each good face. */
export async function analyzeImage(
  image: RgbImage,
  models: FaceModels,
  options: AnalyzeOptions = {},
): Promise<AnalyzedImage> {
  const now = options.now ?? defaultNow;
  const scale = options.scaleToOriginal ?? 1;
  const genderLabels = (options.labels?.gender ?? GENDER_LABELS) as readonly Gender[];
  const expressionLabels = (options.labels?.expression ?? EXPRESSION_LABELS) as readonly ExpressionLabel[];

  const size = detectorInputSize(models.detector.inputs);
  if (size === null) throw new ModelSignatureError('the detector model has no fixed square input size');
  const t0 = now();
  const detOut = await models.detector.run({ [inputName('detector', models.detector)]: letterbox(image, size) });
  const detectMs = now() - t0;
  const scores = finiteOutput('detector', detOut, 'scores', detOut.scores?.data.length ?? 0);
  const boxes = finiteOutput('detector', detOut, 'boxes', scores.length * 4);
  const detections = toPixelDetections(boxes, scores, image, size).sort((a, b) => b.score - a.score);

  const metrics = detections.map((d) => measureFace(image, d.box));
  const good = detections.flatMap((d, i) => (qualityIssue(metrics[i]!) ? [] : [i]));
  let attributesMs = 0;
  let expressionMs = 0;
  let age: Float32Array | null = null;
  let gender: Float32Array | null = null;
  let expression: Float32Array | null = null;
  if (good.length > 0) {
    const crops = cropFaces(
      image,
      good.map((i) => detections[i]!.box),
    );
    const b = good.length;
    const t1 = now();
    const attrOut = await models.attributes.run({ [inputName('attributes', models.attributes)]: crops });
    attributesMs = now() - t1;
    age = finiteOutput('attributes', attrOut, 'age', b);
    gender = finiteOutput('attributes', attrOut, 'gender', b * genderLabels.length);
    const t2 = now();
    const exprOut = await models.expression.run({ [inputName('expression', models.expression)]: crops });
    expressionMs = now() - t2;
    expression = finiteOutput('expression', exprOut, 'expression', b * expressionLabels.length);
  }

  const faces: FaceAnnotation[] = [];
  const raw: RawFace[] = [];
  detections.forEach((d, i) => {
    const box = { x: d.box.x * scale, y: d.box.y * scale, width: d.box.width * scale, height: d.box.height * scale };
    const rounded = {
      x: round(box.x, 1),
      y: round(box.y, 1),
      width: round(box.width, 1),
      height: round(box.height, 1),
    };
    const slot = good.indexOf(i);
    const issue = qualityIssue(metrics[i]!);
    if (slot < 0 || !age || !gender || !expression) {
      faces.push({
        box: rounded,
        score: round(d.score, 4),
        age: null,
        gender: null,
        genderProbability: null,
        expression: null,
        ...(issue ? { quality: issue } : {}),
      });
      raw.push({ box, score: d.score, quality: metrics[i]!, age: null, gender: null, expression: null });
      return;
    }
    const ng = genderLabels.length;
    const ne = expressionLabels.length;
    const g = Array.from(gender.subarray(slot * ng, slot * ng + ng));
    const e = Array.from(expression.subarray(slot * ne, slot * ne + ne));
    const gi = argmax(g, 0, ng);
    const ei = argmax(e, 0, ne);
    faces.push({
      box: rounded,
      score: round(d.score, 4),
      age: round(age[slot]!, 1),
      gender: genderLabels[gi]!,
      genderProbability: round(g[gi]!, 4),
      expression: { label: expressionLabels[ei]!, probability: round(e[ei]!, 4) },
    });
    raw.push({ box, score: d.score, quality: metrics[i]!, age: age[slot]!, gender: g, expression: e });
  });
  return { faces, raw, timings: { detectMs, attributesMs, expressionMs } };
}
