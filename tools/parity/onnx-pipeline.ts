/**
 * @file Our side of the parity comparison: the hotlens pipeline (letterbox → detector →
 * toPixelDetections → cropFaces → age/gender and expression, all faces of an image in one
 * batched run per net) on converted ONNX files, reporting faces in the same shape as the
 * face-api reference so the two can be compared field by field.
 */
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { asFloat32 } from '../../src/shared/tensor.ts';
import { cropFaces, letterbox } from '../../src/shared/pipeline/image-ops.ts';
import { toPixelDetections } from '../../src/shared/pipeline/detection-boxes.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import type { ConvertedModel } from '../convert/index.ts';
import type { ReferenceFace } from './faceapi-reference.ts';

/** Finds one converted file or fails naming what is missing. */
export function pickModel(
  models: ConvertedModel[],
  id: ConvertedModel['id'],
  version: string,
  variant: string,
): ConvertedModel {
  const m = models.find((x) => x.id === id && x.version === version && x.variant === variant);
  if (!m) throw new Error(`convertAll() produced no ${id}@${version} variant ${variant}`);
  return m;
}

/** The sessions one pipeline run needs (attribute sessions may be shared between detectors). */
export interface PipelineSessions {
  detector: OrtModel;
  /** Square input side of the detector. */
  inputSize: number;
  attributes: OrtModel;
  expression: OrtModel;
}

/** Creates a session from a converted file. */
export function openModel(model: ConvertedModel): Promise<OrtModel> {
  return OrtModel.create(model.onnx);
}

/** Runs the full pipeline on one image. */
export async function analyseWithOnnx(img: RgbImage, s: PipelineSessions): Promise<ReferenceFace[]> {
  const out = await s.detector.run({ image: letterbox(img, s.inputSize) });
  const detections = toPixelDetections(
    asFloat32(out.boxes, 'boxes'),
    asFloat32(out.scores, 'scores'),
    img,
    s.inputSize,
  );
  if (detections.length === 0) return [];
  const faces = cropFaces(
    img,
    detections.map((d) => d.box),
  );
  const attrs = await s.attributes.run({ faces });
  const expr = await s.expression.run({ faces });
  const age = asFloat32(attrs.age, 'age');
  const gender = asFloat32(attrs.gender, 'gender');
  const expression = asFloat32(expr.expression, 'expression');
  return detections.map((d, i) => {
    const probMale = gender[2 * i]!;
    const isMale = probMale > 0.5;
    return {
      box: d.box,
      score: d.score,
      age: age[i]!,
      probMale,
      gender: isMale ? 'male' : 'female',
      genderProbability: isMale ? probMale : gender[2 * i + 1]!,
      expressions: Array.from(expression.subarray(7 * i, 7 * i + 7)),
    };
  });
}
