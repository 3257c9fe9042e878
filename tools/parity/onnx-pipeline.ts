/**
 * @file Our side of the parity comparison: the app's own faces pipeline (analyzeFaces:
 * letterbox → detector → boxes in pixels → face crops → age/gender and expression, all faces of
 * an image in one batched run per net) on converted ONNX files, with the quality gate off
 * (face-api estimates every face), reporting faces in the same shape as the face-api reference
 * so the two can be compared field by field.
 */
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { analyzeFaces } from '../../src/features/faces/analyze.ts';
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
  attributes: OrtModel;
  expression: OrtModel;
}

/** Creates a session from a converted file. */
export function openModel(model: ConvertedModel): Promise<OrtModel> {
  return OrtModel.create(model.onnx);
}

/** Runs the full pipeline on one image. */
export async function analyseWithOnnx(img: RgbImage, s: PipelineSessions): Promise<ReferenceFace[]> {
  const { raw } = await analyzeFaces(img, s, { qualityGate: false });
  return raw.map((face) => {
    const [probMale, probFemale] = face.gender!;
    const isMale = probMale! > 0.5;
    return {
      box: face.box,
      score: face.score,
      age: face.age!,
      probMale: probMale!,
      gender: isMale ? 'male' : 'female',
      genderProbability: isMale ? probMale! : probFemale!,
      expressions: face.expression!,
    };
  });
}
