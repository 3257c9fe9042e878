/**
 * @file Human's emotion net (oarriaga's mini-Xception, 64 px grayscale, 7 classes) as a hotlens
 * `face-expression` model. The contract takes RGB face crops, so Human's grayscale conversion
 * and normalisation go into the graph (tools/parity/HUMAN-FACE-PIPELINE.md §5, Human 3.3.6
 * `src/gear/emotion.ts`):
 *
 *   input  `faces`       float32 [b,3,64,64], RGB 0..255, NCHW: Human's 256-px face crop resized
 *                        to 64 (the manifest's `preprocess.crop`, done by the app);
 *   graph                v / 255 → Σ v_c · [0.2989, 0.587, 0.114]_c (accumulated R, G, B in
 *                        float32, as tf.sum over the channel axis) → (g − 0.5) · 2 → the net;
 *   output `expression`  float32 [b,7] softmax, in the model's (Human's one-channel) label order:
 *                        angry, disgust, fear, happy, sad, surprise, neutral — published with the
 *                        hotlens words for them (angry, disgusted, fearful, happy, sad, surprised,
 *                        neutral) as the manifest's `labels`, which tell the app the order.
 */
import type { WeightStorage } from '../context.ts';
import { declareOutput, translateGraph } from '../translate.ts';
import { humanPackage, readHumanModel } from './packages.ts';
import { humanFaceCrop } from './human-face-crop.ts';
import type { ConvertedTaskModel } from './task-model.ts';

/** Human's class names for a one-channel emotion model (emotion.ts `annotations`), in output order. */
export const HUMAN_EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

/** The hotlens face-expression word for each of Human's emotion names. */
export const EMOTION_TO_EXPRESSION: Readonly<Record<(typeof HUMAN_EMOTIONS)[number], string>> = {
  angry: 'angry',
  disgust: 'disgusted',
  fear: 'fearful',
  happy: 'happy',
  sad: 'sad',
  surprise: 'surprised',
  neutral: 'neutral',
};

/** Human's grayscale weights (constants.ts `rgb`). */
export const GRAY_WEIGHTS = [0.2989, 0.587, 0.114] as const;

/** Options of {@link convertEmotion}. */
export interface EmotionOptions {
  weights?: WeightStorage;
}

const INPUT = 'input_1';
const OUTPUT = 'Identity';

/** Converts Human's emotion.json to the face-expression contract. */
export function convertEmotion(options: EmotionOptions = {}): ConvertedTaskModel {
  const pkg = humanPackage();
  const model = readHumanModel('emotion');
  const placeholder = model.json.modelTopology.node.find((n) => n.name === INPUT);
  const side = Number(placeholder?.attr?.shape?.shape?.dim?.[1]?.size);
  if (!Number.isInteger(side)) throw new Error(`emotion.json: input ${INPUT} has no fixed size`);
  const t = translateGraph(model, [OUTPUT], {
    inputNames: { [INPUT]: 'faces' },
    inputDims: { [INPUT]: ['b', 3, side, side] },
    batchName: 'b',
    reservedNames: ['expression'],
    graphName: 'emotion-face-expression',
    weights: options.weights ?? 'compact',
    preprocess: (g, input) => {
      const unit = g.node('Div', [input, g.f32('pre/255', [255], [])], {}, 'pre/unit');
      let gray = '';
      GRAY_WEIGHTS.forEach((w, c) => {
        const channel = g.node(
          'Slice',
          [unit, g.i64(`pre/c${c}/start`, [c]), g.i64(`pre/c${c}/end`, [c + 1]), g.i64(`pre/c${c}/axis`, [1])],
          {},
          `pre/channel${c}`,
        );
        const weighted = g.node('Mul', [channel, g.f32(`pre/w${c}`, [w], [])], {}, `pre/weighted${c}`);
        gray = c === 0 ? weighted : g.node('Add', [gray, weighted], {}, `pre/sum${c}`);
      });
      const centred = g.node('Sub', [gray, g.f32('pre/half', [0.5], [])], {}, 'pre/centred');
      return g.node('Mul', [centred, g.f32('pre/two', [2], [])], {}, 'pre/normalized');
    },
  });
  const probabilities = t.tensor(OUTPUT);
  if (probabilities.shape[1] !== HUMAN_EMOTIONS.length)
    throw new Error(`emotion.json outputs ${probabilities.shape[1]} classes, Human labels ${HUMAN_EMOTIONS.length}`);
  declareOutput(t, probabilities, 'expression');
  const labels = HUMAN_EMOTIONS.map((e) => EMOTION_TO_EXPRESSION[e]);
  const source =
    `converted from ${pkg.name} ${pkg.version} models/emotion.json (oarriaga face_classification mini-Xception; ` +
    `package licence ${pkg.license}); Human's grayscale (${GRAY_WEIGHTS.join(', ')}) and (g − 0.5)·2 in the graph, ` +
    `RGB 0..255 in; classes in Human's order (${HUMAN_EMOTIONS.join(', ')})`;
  const preprocess = { crop: humanFaceCrop() };
  const onnx = t.g.toModel({
    doc: source,
    metadata: { labels: labels.join(','), preprocess: JSON.stringify(preprocess) },
  });
  return { onnx, preprocess, labels, source, inputSize: side };
}
