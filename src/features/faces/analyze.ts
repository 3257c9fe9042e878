/**
 * @file The faces pipeline, shared by the browser worker and `npm run annotate` (one
 * implementation, so the CLI answers exactly what the app shows): detect → map boxes to
 * pixels → quality gate → crop all good faces → ONE batched run of the attribute net and ONE
 * of the expression net → faces sorted by confidence, boxes in original pixels. Everything a
 * model generation decides comes from its version's manifest entry, never from code keyed on a
 * version: how the frame reaches the detector (`preprocess.fit`), how face crops are cut and
 * their side (`preprocess.crop`, the model's input), label order (`labels`). The reported box is
 * the detector's (the face itself, in every generation); the region a crop covered is in
 * {@link RawFace.crop}.
 */
import type { RgbImage } from '../../shared/image.ts';
import type { TensorData } from '../../shared/tensor.ts';
import type { PixelBox } from '../../shared/geometry.ts';
import { roundBox, roundTo, scaleBox } from '../../shared/geometry.ts';
import type { FeatureRunner } from '../../shared/feature.ts';
import type { Preprocess } from '../../shared/manifest-types.ts';
import { squareInputSize } from '../../shared/tasks.ts';
import { fitLength, letterbox } from '../../shared/pipeline/image-ops.ts';
import { stretch } from '../../shared/pipeline/tf-kernels.ts';
import { ModelOutputError, ModelSignatureError } from '../../shared/pipeline/errors.ts';
import { inputArrayFor, type ModelRunner } from '../../shared/pipeline/model-runner.ts';
import type { ExpressionLabel, FaceAnnotation, Gender, QualityIssue } from './results.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from './results.ts';
import { toPixelDetections, type PixelDetection } from './detection-boxes.ts';
import { cropRegion, FaceCropper } from './face-crops.ts';
import { measureFace, qualityIssue, type FaceQualityMetrics } from './quality.ts';

/** The three models one analysis needs, by role. */
export interface FaceModels {
  detector: ModelRunner;
  attributes: ModelRunner;
  expression: ModelRunner;
}

/** Options for {@link analyzeFaces}. */
export interface AnalyzeOptions {
  /** Factor from the (downscaled) inference image back to original pixels; default 1. */
  scaleToOriginal?: number;
  /** Output labels from the manifest when a model orders its classes differently; defaults are the contract's. */
  labels?: { gender?: readonly string[] | null; expression?: readonly string[] | null };
  /** Each model's manifest `preprocess` (fit, crop); absent: face-api's letterbox and pad-square crops. */
  preprocess?: { detector?: Preprocess; attributes?: Preprocess; expression?: Preprocess };
  /** Skip the quality gate (parity against libraries that estimate every face); default on. */
  qualityGate?: boolean;
  /** Millisecond clock for timings (injectable for tests); defaults to performance.now or Date.now. */
  now?: () => number;
}

/** Unrounded model outputs for one face, for parity tests and debugging. */
export interface RawFace {
  /** Box in original pixels, unrounded. */
  box: PixelBox;
  /** Region the attribute net's crop covered, in original pixels (null when not estimated). */
  crop: PixelBox | null;
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
export interface AnalyzedFaces {
  faces: FaceAnnotation[];
  raw: RawFace[];
  timings: { detect: number; attributes: number; expression: number };
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function finiteOutput(role: string, outputs: Record<string, TensorData>, name: string, length: number): Float32Array {
  const t = outputs[name];
  if (!t) throw new ModelOutputError(role, `returned no "${name}" output`);
  if (!(t.data instanceof Float32Array))
    throw new ModelOutputError(role, `returned "${name}" as ${t.type}, not float32`);
  if (t.data.length !== length)
    throw new ModelOutputError(role, `returned ${t.data.length} values for "${name}", expected ${length}`);
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(t.data[i]!))
      throw new ModelOutputError(role, `returned a non-finite value (${t.data[i]}) in "${name}"`);
  }
  return t.data;
}

function cropSide(role: string, runner: ModelRunner): number {
  const side = squareInputSize(runner.inputs);
  if (side === null) throw new ModelSignatureError(`the ${role} model has no fixed square input size`);
  return side;
}

function inputName(role: string, runner: ModelRunner): string {
  const name = runner.inputs[0]?.name;
  if (name === undefined) throw new ModelSignatureError(`the ${role} model declares no inputs`);
  return name;
}

function argmax(values: ArrayLike<number>, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** What the detector found in one image, best score first, with each face's quality verdict. */
export interface FaceDetections {
  detections: PixelDetection[];
  metrics: FaceQualityMetrics[];
  /** The gate's verdict per detection (undefined: good enough to estimate). */
  issues: (QualityIssue | undefined)[];
  ms: number;
}

/** Runs the detector on `image` (fed as its manifest's `fit` says) and judges each face's quality. */
export async function detectFaces(
  image: RgbImage,
  detector: ModelRunner,
  options: { preprocess?: Preprocess; qualityGate?: boolean; now?: () => number } = {},
): Promise<FaceDetections> {
  const now = options.now ?? defaultNow;
  const size = squareInputSize(detector.inputs);
  if (size === null) throw new ModelSignatureError('the detector model has no fixed square input size');
  const fit = options.preprocess?.fit ?? 'letterbox';
  const t0 = now();
  const into = inputArrayFor(detector, fitLength(size));
  const detIn = fit === 'stretch' ? stretch(image, size, into) : letterbox(image, size, undefined, into);
  const detOut = await detector.run({ [inputName('detector', detector)]: detIn });
  const ms = now() - t0;
  const scores = finiteOutput('detector', detOut, 'scores', detOut.scores?.data.length ?? 0);
  const boxes = finiteOutput('detector', detOut, 'boxes', scores.length * 4);
  const detections = toPixelDetections(boxes, scores, image, size, fit).sort((a, b) => b.score - a.score);
  const metrics = detections.map((d) => measureFace(image, d.box));
  const gate = options.qualityGate ?? true;
  return { detections, metrics, issues: metrics.map((m) => (gate ? qualityIssue(m) : undefined)), ms };
}

/** The attribute and expression nets' outputs for a batch of faces, in box order. */
export interface FaceEstimates {
  age: Float32Array;
  /** [faces × gender labels] probabilities, in the model's label order. */
  gender: Float32Array;
  /** [faces × expression labels] probabilities, in the model's label order. */
  expression: Float32Array;
  timings: { attributes: number; expression: number };
}

/** One batched run of the attribute net and one of the expression net over the faces at `boxes`. */
export async function estimateFaces(
  image: RgbImage,
  boxes: readonly PixelBox[],
  models: Pick<FaceModels, 'attributes' | 'expression'>,
  options: Pick<AnalyzeOptions, 'labels' | 'preprocess' | 'now'> = {},
): Promise<FaceEstimates> {
  const now = options.now ?? defaultNow;
  const ng = (options.labels?.gender ?? GENDER_LABELS).length;
  const ne = (options.labels?.expression ?? EXPRESSION_LABELS).length;
  const pre = options.preprocess ?? {};
  const cropper = new FaceCropper(image, boxes);
  const b = boxes.length;
  const t1 = now();
  const attrIn = cropper.crops(cropSide('attributes', models.attributes), pre.attributes?.crop);
  const attrOut = await models.attributes.run({ [inputName('attributes', models.attributes)]: attrIn });
  const attributes = now() - t1;
  const age = finiteOutput('attributes', attrOut, 'age', b);
  const gender = finiteOutput('attributes', attrOut, 'gender', b * ng);
  const t2 = now();
  const exprIn = cropper.crops(cropSide('expression', models.expression), pre.expression?.crop);
  const exprOut = await models.expression.run({ [inputName('expression', models.expression)]: exprIn });
  const expressionMs = now() - t2;
  const expression = finiteOutput('expression', exprOut, 'expression', b * ne);
  return { age, gender, expression, timings: { attributes, expression: expressionMs } };
}

/** One face's estimates as probabilities (age in years), the form the tracker smooths. */
export interface FaceEstimate {
  age: number;
  gender: number[];
  expression: number[];
}

/** Face `slot` of a batch of estimates. */
export function estimateAt(estimates: FaceEstimates, slot: number): FaceEstimate {
  const ng = estimates.gender.length / estimates.age.length;
  const ne = estimates.expression.length / estimates.age.length;
  return {
    age: estimates.age[slot]!,
    gender: Array.from(estimates.gender.subarray(slot * ng, slot * ng + ng)),
    expression: Array.from(estimates.expression.subarray(slot * ne, slot * ne + ne)),
  };
}

/** The reported face: box in original pixels, rounded, with labels from the model's label order. */
export function faceAnnotation(
  box: PixelBox,
  score: number,
  estimate: FaceEstimate | null,
  labels: AnalyzeOptions['labels'] = {},
  issue?: QualityIssue,
): FaceAnnotation {
  if (!estimate)
    return {
      box: roundBox(box),
      score: roundTo(score, 4),
      age: null,
      gender: null,
      genderProbability: null,
      expression: null,
      ...(issue ? { quality: issue } : {}),
    };
  const genderLabels = (labels.gender ?? GENDER_LABELS) as readonly Gender[];
  const expressionLabels = (labels.expression ?? EXPRESSION_LABELS) as readonly ExpressionLabel[];
  const gi = argmax(estimate.gender, genderLabels.length);
  const ei = argmax(estimate.expression, expressionLabels.length);
  return {
    box: roundBox(box),
    score: roundTo(score, 4),
    age: roundTo(estimate.age, 1),
    gender: genderLabels[gi]!,
    genderProbability: roundTo(estimate.gender[gi]!, 4),
    expression: { label: expressionLabels[ei]!, probability: roundTo(estimate.expression[ei]!, 4) },
  };
}

/** Detects faces in `image` and estimates age, gender and expression for each good face. */
export async function analyzeFaces(
  image: RgbImage,
  models: FaceModels,
  options: AnalyzeOptions = {},
): Promise<AnalyzedFaces> {
  const scale = options.scaleToOriginal ?? 1;
  const pre = options.preprocess ?? {};
  const found = await detectFaces(image, models.detector, {
    preprocess: pre.detector,
    qualityGate: options.qualityGate ?? true,
    now: options.now ?? defaultNow,
  });
  const { detections, metrics, issues } = found;
  const good = detections.flatMap((_, i) => (issues[i] ? [] : [i]));
  const timings = { detect: found.ms, attributes: 0, expression: 0 };
  let estimates: FaceEstimates | null = null;
  if (good.length > 0) {
    estimates = await estimateFaces(
      image,
      good.map((i) => detections[i]!.box),
      models,
      options,
    );
    Object.assign(timings, estimates.timings);
  }

  const faces: FaceAnnotation[] = [];
  const raw: RawFace[] = [];
  detections.forEach((d, i) => {
    const box = scaleBox(d.box, scale);
    const slot = good.indexOf(i);
    const estimate = slot >= 0 && estimates ? estimateAt(estimates, slot) : null;
    faces.push(faceAnnotation(box, d.score, estimate, options.labels, issues[i]));
    const crop = estimate ? scaleBox(cropRegion(image, d.box, pre.attributes?.crop), scale) : null;
    raw.push({
      box,
      crop,
      score: d.score,
      quality: metrics[i]!,
      age: estimate?.age ?? null,
      gender: estimate?.gender ?? null,
      expression: estimate?.expression ?? null,
    });
  });
  return { faces, raw, timings };
}

/** The faces feature's models as {@link analyzeFaces} takes them, with their versions' labels and pre-processing. */
export function faceModelsOf(models: Readonly<Record<string, FeatureRunner>>): {
  models: FaceModels;
  labels: NonNullable<AnalyzeOptions['labels']>;
  preprocess: NonNullable<AnalyzeOptions['preprocess']>;
} {
  const { detector, attributes, expression } = models;
  if (!detector || !attributes || !expression)
    throw new Error('the faces feature needs a detector, attributes and expression model');
  return {
    models: { detector, attributes, expression },
    labels: { gender: attributes.entry.labels, expression: expression.entry.labels },
    preprocess: {
      detector: detector.entry.preprocess,
      attributes: attributes.entry.preprocess,
      expression: expression.entry.preprocess,
    },
  };
}
