/**
 * @file The registry's models converted from TF.js graph models that npm packages ship (the
 * face-api converter, index.ts, covers face-api's layers weights): `object-detector` 1.0.0 from
 * Human's centernet and `image-classifier` 1.0.0 from nsfwjs's MobileNetV2Mid, each in its
 * task's contract with labels and provenance. Pure and deterministic: same packages, same bytes.
 */
import { convertCenternet, type NmsMode } from './tfjs-graph/models/centernet.ts';
import { convertNsfwjsMobileNetV2Mid } from './tfjs-graph/models/nsfwjs-mobilenet-v2-mid.ts';
import type { ConvertedTaskModel } from './tfjs-graph/models/task-model.ts';
import type { WeightEncoding } from '../../src/shared/manifest-types.ts';
import type { ConvertedModel } from './index.ts';

/**
 * NMS of object-detector 1.0.0: class-agnostic, as Human runs it. Class-aware NMS kept 8 more
 * detections on the 13 parity photos, every one a second label on an already-labelled box
 * (IoU ≥ 0.92); see src/features/objects/index.ts and the README.
 */
export const OBJECT_DETECTOR_NMS: NmsMode = 'class-agnostic';

function entry(
  id: string,
  task: string,
  encoding: WeightEncoding,
  model: ConvertedTaskModel,
  version = '1.0.0',
): ConvertedModel {
  return {
    id,
    version,
    task,
    variant: `${model.inputSize}-${encoding}`,
    size: model.inputSize,
    encoding,
    isDefault: true,
    labels: model.labels,
    source: model.source,
    onnx: model.onnx,
  };
}

/** object-detector 1.0.0 (centernet, float16 weights) and image-classifier 1.0.0 (nsfwjs, uint8 weights). */
export function convertGraphModels(): ConvertedModel[] {
  return [
    entry('object-detector', 'object-detection', 'float16', convertCenternet({ nms: OBJECT_DETECTOR_NMS })),
    entry('image-classifier', 'image-classification', 'uint8', convertNsfwjsMobileNetV2Mid()),
  ];
}

/**
 * object-detector 1.0.1: the same network and post-processing as 1.0.0 with its float16
 * weights widened to float32 (other bytes, same detections within float rounding), for
 * publishing a hot swap in tests and benchmarks.
 */
export function convertObjectDetectorFloat32(version = '1.0.1'): ConvertedModel {
  return entry(
    'object-detector',
    'object-detection',
    'float32',
    convertCenternet({ nms: OBJECT_DETECTOR_NMS, weights: 'float32' }),
    version,
  );
}
