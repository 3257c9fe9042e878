/**
 * @file The centernet object-detection wrapper end to end against Human's own pipeline: TF.js
 * (wasm) runs Human's centernet.json on the picture stretched to 512×512 with
 * `tf.image.resizeBilinear(img, [512, 512])` (what Human's `predict` does and what the app feeds
 * our graph), then Human's `process` — split, reorder to (y1,x1,y2,x2),
 * `tf.image.nonMaxSuppressionAsync(boxes, scores, maxDetected, iouThreshold, minConfidence)`,
 * boxes divided by the input size — re-implemented here line for line. Our ONNX must return the
 * same detections in the same order: classes equal, boxes within 1e-3 (of the image size, i.e.
 * in normalised units), scores within 1e-4. Both NMS modes are checked: class-agnostic against
 * Human's code as is, class-aware (the default) against the same code run per class.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { permute } from '../../tools/convert/layers.ts';
import {
  CENTERNET_POSTPROCESS,
  convertCenternet,
  type NmsMode,
} from '../../tools/convert/tfjs-graph/models/centernet.ts';
import { humanModelArtifacts, humanPackage } from '../../tools/convert/tfjs-graph/models/packages.ts';
import type { ConvertedTaskModel } from '../../tools/convert/tfjs-graph/models/task-model.ts';
import {
  DARKNET_SAMPLES,
  decodePhoto,
  FACEAPI_SAMPLES,
  HUMAN_SAMPLES,
  requireDarknetPhotos,
} from '../tools/convert/tfjs-graph/helpers/photos.ts';
import { loadTfGraphModel, loadTfjs, type TfGraphModel, type Tfjs } from '../tools/convert/tfjs-graph/helpers/tfjs.ts';

const SIZE = 512;
const BOX_TOLERANCE = 1e-3;
const SCORE_TOLERANCE = 1e-4;
const PHOTOS = [...FACEAPI_SAMPLES, HUMAN_SAMPLES, ...DARKNET_SAMPLES];

interface Detection {
  box: [number, number, number, number];
  score: number;
  cls: number;
}

let tf: Tfjs;
let reference: TfGraphModel;
const converted = new Map<NmsMode, { model: ConvertedTaskModel; ms: number; session?: OrtModel }>();
const report: string[] = [];

/** Human's `process` (src/object/centernet.ts), with NMS over all candidates or class by class. */
async function humanProcess(detections: number[][], mode: NmsMode): Promise<Detection[]> {
  const { maxDetected, iouThreshold, minConfidence } = CENTERNET_POSTPROCESS;
  const nms = async (ids: number[]) => {
    const boxes = tf.tensor2d(
      ids.map((i) => [detections[i]![1]!, detections[i]![0]!, detections[i]![3]!, detections[i]![2]!]),
    );
    const scores = tf.tensor1d(ids.map((i) => detections[i]![4]!));
    const kept = await tf.image.nonMaxSuppressionAsync(boxes, scores, maxDetected, iouThreshold, minConfidence);
    const picked = Array.from(await kept.data(), (k) => ids[k]!);
    tf.dispose([boxes, scores, kept]);
    return picked;
  };
  const all = detections.map((_, i) => i);
  let ids: number[];
  if (mode === 'class-agnostic') {
    ids = await nms(all);
  } else {
    const classes = [...new Set(detections.map((d) => d[5]!))].sort((a, b) => a - b);
    const perClass = (await Promise.all(classes.map((c) => nms(all.filter((i) => detections[i]![5] === c))))).flat();
    // Stable sort: equal scores keep class order, as TopK's lower-index-first does in the graph.
    ids = perClass.sort((a, b) => detections[b]![4]! - detections[a]![4]!).slice(0, maxDetected);
  }
  return ids.map((id) => {
    const d = detections[id]!;
    return { box: [d[0]! / SIZE, d[1]! / SIZE, d[2]! / SIZE, d[3]! / SIZE], score: d[4]!, cls: d[5]! };
  });
}

async function ours(mode: NmsMode, nchw: Float32Array): Promise<Detection[]> {
  const entry = converted.get(mode)!;
  entry.session ??= await OrtModel.create(entry.model.onnx);
  const out = await entry.session.run({ image: { type: 'float32', dims: [1, 3, SIZE, SIZE], data: nchw } });
  const boxes = out.boxes!.data as Float32Array;
  const scores = out.scores!.data as Float32Array;
  const classes = out.classes!.data as Int32Array;
  return Array.from(scores, (score, i) => ({
    box: Array.from(boxes.subarray(i * 4, i * 4 + 4)) as Detection['box'],
    score,
    cls: classes[i]!,
  }));
}

beforeAll(async () => {
  requireDarknetPhotos();
  tf = await loadTfjs('wasm');
  const artifacts = humanModelArtifacts('centernet');
  reference = await loadTfGraphModel(tf, artifacts.json, artifacts.weightData);
  for (const nms of ['class-aware', 'class-agnostic'] as const) {
    const started = performance.now();
    const model = convertCenternet({ nms });
    converted.set(nms, { model, ms: performance.now() - started });
  }
}, 300_000);

afterAll(async () => {
  for (const { session } of converted.values()) await session?.release();
  reference?.dispose();
  console.log(`centernet → object-detection vs Human's pipeline (TF.js wasm)\n${report.join('\n')}`);
});

describe('centernet as an object-detection model', () => {
  it('follows the hotlens contract and Human 3.3.6 config values', async () => {
    const model = converted.get('class-aware')!;
    report.push(
      `  conversion: ${model.ms.toFixed(0)} ms (class-aware), ${converted.get('class-agnostic')!.ms.toFixed(0)} ms (class-agnostic); ` +
        `${model.model.onnx.length.toLocaleString('en-US')} bytes`,
    );
    expect(model.model.inputSize).toBe(SIZE);
    expect(model.model.labels).toHaveLength(80);
    expect(model.model.labels.slice(0, 3)).toEqual(['person', 'bicycle', 'car']);
    expect(model.model.source).toMatch(
      /^converted from @vladmandic\/human 3\.3\.6 models\/centernet\.json .*licence MIT/,
    );
    const config = readFileSync(join(humanPackage().dir, 'src', 'config.ts'), 'utf8');
    const object = /object: \{([^}]*)\}/.exec(config)![1]!;
    const value = (key: string) => Number(new RegExp(`${key}: ([\\d.]+)`).exec(object)![1]);
    expect(CENTERNET_POSTPROCESS).toEqual({
      minConfidence: value('minConfidence'),
      iouThreshold: value('iouThreshold'),
      maxDetected: value('maxDetected'),
    });
    const session = await OrtModel.create(model.model.onnx);
    try {
      expect(session.inputs).toEqual([{ name: 'image', type: 'float32', dims: [1, 3, SIZE, SIZE] }]);
      expect(session.outputs).toEqual([
        { name: 'boxes', type: 'float32', dims: ['n', 4] },
        { name: 'scores', type: 'float32', dims: ['n'] },
        { name: 'classes', type: 'int32', dims: ['n'] },
      ]);
      // A blank picture: well-formed (possibly empty) outputs.
      const out = await session.run({
        image: { type: 'float32', dims: [1, 3, SIZE, SIZE], data: new Float32Array(3 * SIZE * SIZE) },
      });
      const n = out.scores!.dims[0]!;
      expect(out.boxes!.dims).toEqual([n, 4]);
      expect(out.classes!.dims).toEqual([n]);
    } finally {
      await session.release();
    }
  });

  it('is deterministic: converting again gives the same bytes', () => {
    const again = convertCenternet();
    expect(Buffer.from(again.onnx).equals(Buffer.from(converted.get('class-aware')!.model.onnx))).toBe(true);
  });

  it.each(PHOTOS.map((p) => [p.split('/').pop()!, p] as const))(
    'finds the same objects as Human in %s',
    async (name, path) => {
      const photo = await decodePhoto(path);
      const img = tf.tensor3d(Float32Array.from(photo.data), [photo.height, photo.width, 3]);
      const resized = tf.image.resizeBilinear(img, [SIZE, SIZE], false, false).expandDims(0);
      const nhwc = resized.dataSync() as Float32Array;
      const raw = reference.execute(resized, ['tower_0/detections']) as ReturnType<Tfjs['tensor']>;
      const detections = ((await raw.array()) as number[][][])[0]!;
      tf.dispose([img, resized, raw]);
      const nchw = permute(nhwc, [1, SIZE, SIZE, 3], [0, 3, 1, 2]).data;
      const labels = converted.get('class-aware')!.model.labels;
      for (const mode of ['class-aware', 'class-agnostic'] as const) {
        const want = await humanProcess(detections, mode);
        const got = await ours(mode, nchw);
        let boxError = 0;
        let scoreError = 0;
        got.forEach((d, i) => {
          const w = want[i];
          if (!w) return;
          boxError = Math.max(boxError, ...d.box.map((v, k) => Math.abs(v - w.box[k]!)));
          scoreError = Math.max(scoreError, Math.abs(d.score - w.score));
        });
        report.push(
          `  ${name.padEnd(12)} ${mode.padEnd(14)} ${String(got.length).padStart(2)} vs Human ${String(want.length).padStart(2)}; ` +
            `max box error ${boxError.toExponential(2)}, max score error ${scoreError.toExponential(2)}; ` +
            got.map((d) => `${labels[d.cls]} ${d.score.toFixed(2)}`).join(', '),
        );
        expect(
          got.map((d) => d.cls),
          `${name} ${mode} classes`,
        ).toEqual(want.map((d) => d.cls));
        expect(boxError, `${name} ${mode} boxes`).toBeLessThanOrEqual(BOX_TOLERANCE);
        expect(scoreError, `${name} ${mode} scores`).toBeLessThanOrEqual(SCORE_TOLERANCE);
      }
    },
    120_000,
  );
});
