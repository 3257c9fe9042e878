/**
 * @file nsfwjs's MobileNetV2Mid as a hotlens `image-classification` model.
 *
 *   input  `image`          float32 [b,3,224,224], RGB 0..255, NCHW. The app resizes as nsfwjs's
 *                           `infer` does: `tf.image.resizeBilinear(img, [224, 224], true)` —
 *                           align_corners=true, half_pixel_centers=false — skipped when the
 *                           picture already is 224×224;
 *   output `probabilities`  float32 [b,5] over drawing, hentai, neutral, porn, sexy (nsfwjs's
 *                           NSFW_CLASSES order), already softmax-ed by the model.
 *
 * nsfwjs divides by 255 (`img.toFloat().div(255)`) before resizing; the graph divides after the
 * app's resize instead (same float32 division; bilinear interpolation commutes with the scaling
 * up to float rounding). The model's own input stage (x·2 − 1, a Mul and a Sub) follows.
 * Weights stay uint8-quantised and are dequantised in the graph bit-identically to TF.js.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { WeightStorage } from '../context.ts';
import { declareOutput, translateGraph } from '../translate.ts';
import { nsfwjsPackage, readNsfwjsModel } from './packages.ts';
import type { ConvertedTaskModel } from './task-model.ts';

const require = createRequire(import.meta.url);

const INPUT = 'input';
const OUTPUT = 'Identity';

/** Options for {@link convertNsfwjsMobileNetV2Mid}. */
export interface NsfwjsOptions {
  /** 'compact' (default) keeps the uint8 weights; 'float32' dequantises them at conversion time. */
  weights?: WeightStorage;
}

/** nsfwjs's class names in output order (its NSFW_CLASSES), lower-cased. */
export function nsfwjsLabels(dir = nsfwjsPackage().dir): string[] {
  const { NSFW_CLASSES } = require(join(dir, 'dist', 'cjs', 'nsfw_classes.js')) as {
    NSFW_CLASSES: Record<number, string>;
  };
  return Object.keys(NSFW_CLASSES)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i, k) => {
      if (i !== k) throw new Error(`nsfwjs NSFW_CLASSES has no class ${k}`);
      return NSFW_CLASSES[i]!.toLowerCase();
    });
}

/** Converts nsfwjs's MobileNetV2Mid to the image-classification contract. */
export function convertNsfwjsMobileNetV2Mid(options: NsfwjsOptions = {}): ConvertedTaskModel {
  const pkg = nsfwjsPackage();
  const labels = nsfwjsLabels(pkg.dir);
  const t = translateGraph(readNsfwjsModel('mobilenet_v2_mid'), [OUTPUT], {
    inputNames: { [INPUT]: 'image' },
    batchName: 'b',
    reservedNames: ['probabilities'],
    graphName: 'nsfwjs-mobilenet-v2-mid',
    weights: options.weights ?? 'compact',
    // nsfwjs: img.toFloat().div(tf.scalar(255)).
    preprocess: (g, input) => g.node('Div', [input, g.f32('scale/255', [255], [])], {}, 'scale'),
  });
  const probabilities = t.tensor(OUTPUT);
  if (probabilities.shape[1] !== labels.length) {
    throw new Error(
      `nsfwjs MobileNetV2Mid outputs ${probabilities.shape[1]} classes but NSFW_CLASSES lists ${labels.length}`,
    );
  }
  declareOutput(t, probabilities, 'probabilities');
  const inputSize = t.tensor(INPUT).shape[1]!;
  const weights =
    options.weights === 'float32' ? 'uint8 weights dequantised to float32' : 'uint8 weights dequantised in-graph';
  const source =
    `converted from ${pkg.name} ${pkg.version} dist/models/mobilenet_v2_mid (MobileNetV2Mid, 5 classes; ` +
    `package licence ${pkg.license}); ${weights}; /255 scaling in the graph`;
  const onnx = t.g.toModel({ doc: source, metadata: { labels: JSON.stringify(labels) } });
  return { onnx, labels, source, inputSize };
}
