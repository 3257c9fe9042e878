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
import { letterbox } from '../../shared/pipeline/image-ops.ts';
import { stretch } from '../../shared/pipeline/tf-kernels.ts';
import { ModelOutputError, ModelSignatureError } from '../../shared/pipeline/errors.ts';
import type { ModelRunner } from '../../shared/pipeline/model-runner.ts';
import type { ExpressionLabel, FaceAnnotation, Gender } from './results.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from './results.ts';
import { toPixelDetections } from './detection-boxes.ts';
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

/** Detects faces in `image` and estimates age, gender and expression for each good face. */
export async function analyzeFaces(
  image: RgbImage,
  models: FaceModels,
  options: AnalyzeOptions = {},
): Promise<AnalyzedFaces> {
  const now = options.now ?? defaultNow;
  const scale = options.scaleToOriginal ?? 1;
  const genderLabels = (options.labels?.gender ?? GENDER_LABELS) as readonly Gender[];
  const expressionLabels = (options.labels?.expression ?? EXPRESSION_LABELS) as readonly ExpressionLabel[];
  const gate = options.qualityGate ?? true;

  const size = squareInputSize(models.detector.inputs);
  if (size === null) throw new ModelSignatureError('the detector model has no fixed square input size');
  const pre = options.preprocess ?? {};
  const fit = pre.detector?.fit ?? 'letterbox';
  const t0 = now();
  const detIn = fit === 'stretch' ? stretch(image, size) : letterbox(image, size);
  const detOut = await models.detector.run({ [inputName('detector', models.detector)]: detIn });
  const detect = now() - t0;
  const scores = finiteOutput('detector', detOut, 'scores', detOut.scores?.data.length ?? 0);
  const boxes = finiteOutput('detector', detOut, 'boxes', scores.length * 4);
  const detections = toPixelDetections(boxes, scores, image, size, fit).sort((a, b) => b.score - a.score);

  const metrics = detections.map((d) => measureFace(image, d.box));
  const issues = metrics.map((m) => (gate ? qualityIssue(m) : undefined));
  const good = detections.flatMap((_, i) => (issues[i] ? [] : [i]));
  const timings = { detect, attributes: 0, expression: 0 };
  let age: Float32Array | null = null;
  let gender: Float32Array | null = null;
  let expression: Float32Array | null = null;
  if (good.length > 0) {
    const cropper = new FaceCropper(
      image,
      good.map((i) => detections[i]!.box),
    );
    const b = good.length;
    const t1 = now();
    const attrIn = cropper.crops(cropSide('attributes', models.attributes), pre.attributes?.crop);
    const attrOut = await models.attributes.run({ [inputName('attributes', models.attributes)]: attrIn });
    timings.attributes = now() - t1;
    age = finiteOutput('attributes', attrOut, 'age', b);
    gender = finiteOutput('attributes', attrOut, 'gender', b * genderLabels.length);
    const t2 = now();
    const exprIn = cropper.crops(cropSide('expression', models.expression), pre.expression?.crop);
    const exprOut = await models.expression.run({ [inputName('expression', models.expression)]: exprIn });
    timings.expression = now() - t2;
    expression = finiteOutput('expression', exprOut, 'expression', b * expressionLabels.length);
  }

  const faces: FaceAnnotation[] = [];
  const raw: RawFace[] = [];
  detections.forEach((d, i) => {
    const box = scaleBox(d.box, scale);
    const slot = good.indexOf(i);
    const issue = issues[i];
    if (slot < 0 || !age || !gender || !expression) {
      faces.push({
        box: roundBox(box),
        score: roundTo(d.score, 4),
        age: null,
        gender: null,
        genderProbability: null,
        expression: null,
        ...(issue ? { quality: issue } : {}),
      });
      raw.push({ box, crop: null, score: d.score, quality: metrics[i]!, age: null, gender: null, expression: null });
      return;
    }
    const ng = genderLabels.length;
    const ne = expressionLabels.length;
    const g = Array.from(gender.subarray(slot * ng, slot * ng + ng));
    const e = Array.from(expression.subarray(slot * ne, slot * ne + ne));
    const gi = argmax(g, ng);
    const ei = argmax(e, ne);
    faces.push({
      box: roundBox(box),
      score: roundTo(d.score, 4),
      age: roundTo(age[slot]!, 1),
      gender: genderLabels[gi]!,
      genderProbability: roundTo(g[gi]!, 4),
      expression: { label: expressionLabels[ei]!, probability: roundTo(e[ei]!, 4) },
    });
    const crop = scaleBox(cropRegion(image, d.box, pre.attributes?.crop), scale);
    raw.push({ box, crop, score: d.score, quality: metrics[i]!, age: age[slot]!, gender: g, expression: e });
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
