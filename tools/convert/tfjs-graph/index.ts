/**
 * @file The TF.js graph → ONNX translator's public surface: read a graph model (file or memory),
 * translate it (or part of it, to extend with post-processing), and the model wrappers that
 * produce hotlens task models.
 */
export { graphModelFromMemory, readGraphModel, type GraphModel, type GraphModelJson } from './model-source.ts';
export {
  convertGraphModel,
  declareOutput,
  defaultOutputs,
  translateGraph,
  type ConvertOptions,
  type ConvertedGraph,
  type TranslateOptions,
  type Translation,
} from './translate.ts';
export { TranslationError } from './node-attrs.ts';
export { SUPPORTED_OPS } from './ops/index.ts';
export { convertCenternet, CENTERNET_POSTPROCESS, type CenternetOptions, type NmsMode } from './models/centernet.ts';
export { convertNsfwjsMobileNetV2Mid, type NsfwjsOptions } from './models/nsfwjs-mobilenet-v2-mid.ts';
export { convertBlazeface, BLAZEFACE_POSTPROCESS, type BlazefaceOptions } from './models/blazeface.ts';
export { convertFaceres, type FaceresOptions } from './models/faceres.ts';
export { convertEmotion, EMOTION_TO_EXPRESSION, HUMAN_EMOTIONS, type EmotionOptions } from './models/emotion.ts';
export type { ConvertedTaskModel } from './models/task-model.ts';
