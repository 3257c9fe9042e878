/**
 * @file The nsfwjs image-classification wrapper against nsfwjs itself: `nsfwjs.load(
 * 'MobileNetV2Mid')` + `classify(img, 5)` on TF.js (wasm) — nsfwjs's own path: toFloat, /255,
 * resizeBilinear(…, [224, 224], alignCorners = true), predict — versus our ONNX fed what the app
 * feeds it: the picture resized the same way (align_corners, no half-pixel centres) in 0..255.
 * Probabilities must agree within 1e-4 for every class on every photo; the model's own predict
 * on nsfwjs's exact resized pixels is compared too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { permute } from '../../tools/convert/layers.ts';
import {
  convertNsfwjsMobileNetV2Mid,
  nsfwjsLabels,
} from '../../tools/convert/tfjs-graph/models/nsfwjs-mobilenet-v2-mid.ts';
import type { ConvertedTaskModel } from '../../tools/convert/tfjs-graph/models/task-model.ts';
import {
  DARKNET_SAMPLES,
  decodePhoto,
  FACEAPI_SAMPLES,
  HUMAN_SAMPLES,
  requireDarknetPhotos,
} from '../tools/convert/tfjs-graph/helpers/photos.ts';
import { loadTfjs, type Tfjs } from '../tools/convert/tfjs-graph/helpers/tfjs.ts';

const require = createRequire(import.meta.url);
const TOLERANCE = 1e-4;
const SIZE = 224;
const PHOTOS = [...FACEAPI_SAMPLES, HUMAN_SAMPLES, ...DARKNET_SAMPLES];

interface Nsfwjs {
  classify(img: unknown, topk?: number): Promise<{ className: string; probability: number }[]>;
  model: { predict(x: unknown): { dataSync(): Float32Array; dispose(): void } };
}

let tf: Tfjs;
let nsfw: Nsfwjs;
let converted: ConvertedTaskModel;
let convertMs = 0;
let session: OrtModel;
const report: string[] = [];

beforeAll(async () => {
  requireDarknetPhotos();
  tf = await loadTfjs('wasm');
  const nsfwjs = require('nsfwjs') as { load(name: string): Promise<Nsfwjs> };
  nsfw = await nsfwjs.load('MobileNetV2Mid');
  const started = performance.now();
  converted = convertNsfwjsMobileNetV2Mid();
  convertMs = performance.now() - started;
  session = await OrtModel.create(converted.onnx);
}, 300_000);

afterAll(async () => {
  await session?.release();
  console.log(`nsfwjs MobileNetV2Mid → image-classification vs nsfwjs.classify (TF.js wasm)\n${report.join('\n')}`);
});

describe('nsfwjs MobileNetV2Mid as an image-classification model', () => {
  it('follows the contract: image [b,3,224,224] → probabilities [b,5] in nsfwjs label order', () => {
    report.push(`  conversion: ${convertMs.toFixed(0)} ms; ${converted.onnx.length.toLocaleString('en-US')} bytes`);
    expect(converted.labels).toEqual(['drawing', 'hentai', 'neutral', 'porn', 'sexy']);
    expect(converted.labels).toEqual(nsfwjsLabels());
    expect(converted.inputSize).toBe(SIZE);
    expect(converted.source).toMatch(/^converted from nsfwjs 4\.4\.0 dist\/models\/mobilenet_v2_mid .*licence MIT/);
    expect(session.inputs).toEqual([{ name: 'image', type: 'float32', dims: ['b', 3, SIZE, SIZE] }]);
    expect(session.outputs).toEqual([{ name: 'probabilities', type: 'float32', dims: ['b', 5] }]);
  });

  it('is deterministic: converting again gives the same bytes', () => {
    expect(Buffer.from(convertNsfwjsMobileNetV2Mid().onnx).equals(Buffer.from(converted.onnx))).toBe(true);
  });

  it('classifies a batch of photos like nsfwjs, within 1e-4', async () => {
    const batch: Float32Array[] = [];
    const expected: number[][] = [];
    const predicted: number[][] = [];
    for (const path of PHOTOS) {
      const photo = await decodePhoto(path);
      const img = tf.tensor3d(photo.data, [photo.height, photo.width, 3], 'int32');
      const top = await nsfw.classify(img, 5);
      expected.push(converted.labels.map((label) => top.find((c) => c.className.toLowerCase() === label)!.probability));
      // nsfwjs's own preprocessing, to also compare the bare model on identical pixels.
      const own = tf.tidy(() =>
        tf.image.resizeBilinear(img.toFloat().div<typeof img>(255), [SIZE, SIZE], true).reshape([1, SIZE, SIZE, 3]),
      );
      const logits = nsfw.model.predict(own);
      predicted.push(Array.from(logits.dataSync()));
      logits.dispose();
      own.dispose();
      // What the app feeds our graph: 0..255 resized with align_corners=true.
      const resized = tf.tidy(() => tf.image.resizeBilinear(img.toFloat(), [SIZE, SIZE], true));
      batch.push(permute(resized.dataSync() as Float32Array, [1, SIZE, SIZE, 3], [0, 3, 1, 2]).data);
      tf.dispose([img, resized]);
    }
    const data = new Float32Array(batch.length * 3 * SIZE * SIZE);
    batch.forEach((b, i) => data.set(b, i * b.length));
    const out = await session.run({ image: { type: 'float32', dims: [batch.length, 3, SIZE, SIZE], data } });
    expect(out.probabilities!.dims).toEqual([batch.length, 5]);
    const probs = out.probabilities!.data as Float32Array;
    let worst = 0;
    PHOTOS.forEach((path, i) => {
      const ours = Array.from(probs.subarray(i * 5, i * 5 + 5));
      const err = Math.max(...ours.map((p, k) => Math.abs(p - expected[i]![k]!)));
      const errModel = Math.max(...ours.map((p, k) => Math.abs(p - predicted[i]![k]!)));
      worst = Math.max(worst, err, errModel);
      const best = ours.indexOf(Math.max(...ours));
      report.push(
        `  ${path.split('/').pop()!.padEnd(12)} max |Δp| vs classify ${err.toExponential(2)}, vs predict ${errModel.toExponential(2)}; ` +
          `top: ${converted.labels[best]} ${ours[best]!.toFixed(4)}`,
      );
      expect(err, `${path} vs classify`).toBeLessThanOrEqual(TOLERANCE);
      expect(errModel, `${path} vs predict`).toBeLessThanOrEqual(TOLERANCE);
    });
    report.push(`  worst: ${worst.toExponential(2)} (tolerance ${TOLERANCE})`);
  }, 300_000);
});
