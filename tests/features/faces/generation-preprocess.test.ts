/**
 * @file The faces pipeline reads everything generation-specific from the manifest entries:
 * the detector's `preprocess.fit` (stretch vs letterbox, and how its boxes map back), each crop
 * model's `preprocess.crop` and input side, and the label order. Stub models record what they
 * are fed, so these checks need no real network. Human's crop is compared with the tensors
 * the Human re-implementation (bit-identical to Human 3.3.6) builds.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFaces } from '../../../src/features/faces/analyze.ts';
import { cropRegion, enlargedSquare, FaceCropper } from '../../../src/features/faces/face-crops.ts';
import { facePreprocess } from '../../../src/features/faces/preprocess.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import type { EnlargedSquareCrop, Preprocess } from '../../../src/shared/manifest-types.ts';
import { letterbox } from '../../../src/shared/pipeline/image-ops.ts';
import type { ModelRunner } from '../../../src/shared/pipeline/model-runner.ts';
import { stretch } from '../../../src/shared/pipeline/tf-kernels.ts';
import type { TensorData, TensorSpec } from '../../../src/shared/tensor.ts';
import { humanFaceCrop } from '../../../tools/convert/tfjs-graph/models/human-face-crop.ts';
import { emotionInput, faceCrop, faceresInput, type Detection } from '../../../tools/parity/human-pipeline.ts';
import { permute } from '../../../tools/convert/layers.ts';

/** 300×200 RGB noise. */
function image(width = 300, height = 200): RgbImage {
  let s = 7;
  const data = Uint8Array.from({ length: width * height * 3 }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
  return { width, height, channels: 3, data };
}

/** A model that records its feeds and answers fixed outputs (sized by the batch). */
class Stub implements ModelRunner {
  readonly feeds: TensorData[] = [];
  constructor(
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    private readonly answer: (batch: number) => Record<string, number[]>,
  ) {}
  async run(feeds: Record<string, TensorData>) {
    const feed = Object.values(feeds)[0]!;
    this.feeds.push(feed);
    const out: Record<string, TensorData> = {};
    for (const [name, values] of Object.entries(this.answer(feed.dims[0] as number)))
      out[name] = { type: 'float32', dims: [values.length], data: Float32Array.from(values) };
    return out;
  }
}

const floats = (t: TensorData) => t.data as Float32Array;
const faces = (side: number): TensorSpec[] => [{ name: 'faces', type: 'float32', dims: ['b', 3, side, side] }];
const detectorOf = (size: number, boxes: number[][], scores: number[]) =>
  new Stub([{ name: 'image', type: 'float32', dims: [1, 3, size, size] }], [], () => ({
    boxes: boxes.flat(),
    scores,
  }));
const attributesOf = (side: number) =>
  new Stub(faces(side), [], (b) => ({ age: Array(b).fill(30), gender: Array(b).fill([0.8, 0.2]).flat() }));
const expressionOf = (side: number, probs: number[]) =>
  new Stub(faces(side), [], (b) => ({ expression: Array(b).fill(probs).flat() }));

const HUMAN_ORDER = ['angry', 'disgusted', 'fearful', 'happy', 'sad', 'surprised', 'neutral'];
const gen2 = (crop: EnlargedSquareCrop): { detector: Preprocess; attributes: Preprocess; expression: Preprocess } => ({
  detector: { ...facePreprocess('face-detection', 256), fit: 'stretch' },
  attributes: { ...facePreprocess('face-attributes', 224), crop },
  expression: { ...facePreprocess('face-expression', 64), crop },
});

describe('generation 2 through the manifest', () => {
  const img = image();
  const box = [0.1, 0.2, 0.4, 0.7]; // relative to the stretched input: 90×100 px in the image

  it('stretches the frame for a `fit: stretch` detector and maps boxes by the image size', async () => {
    const det = detectorOf(256, [box], [0.9]);
    const out = await analyzeFaces(
      img,
      { detector: det, attributes: attributesOf(224), expression: expressionOf(64, [0, 0, 0, 1, 0, 0, 0]) },
      { qualityGate: false, preprocess: gen2(humanFaceCrop()), labels: { expression: HUMAN_ORDER } },
    );
    expect(floats(det.feeds[0]!)).toEqual(floats(stretch(img, 256)));
    expect(out.faces[0]!.box).toEqual({ x: 30, y: 40, width: 90, height: 100 });
  });

  it('letterboxes by default (face-api), as before', async () => {
    const det = detectorOf(64, [box], [0.9]);
    await analyzeFaces(
      img,
      { detector: det, attributes: attributesOf(112), expression: expressionOf(112, [1, 0, 0, 0, 0, 0, 0]) },
      { qualityGate: false },
    );
    expect(floats(det.feeds[0]!)).toEqual(floats(letterbox(img, 64)));
  });

  it('feeds each crop model at its own input side, cut as its `preprocess.crop` says', async () => {
    const attrs = attributesOf(224);
    const expr = expressionOf(64, [0, 0, 0, 1, 0, 0, 0]);
    const out = await analyzeFaces(
      img,
      { detector: detectorOf(256, [box, [0.6, 0.1, 0.9, 0.5]], [0.9, 0.8]), attributes: attrs, expression: expr },
      { qualityGate: false, preprocess: gen2(humanFaceCrop()), labels: { expression: HUMAN_ORDER } },
    );
    expect(attrs.feeds[0]!.dims).toEqual([2, 3, 224, 224]);
    expect(expr.feeds[0]!.dims).toEqual([2, 3, 64, 64]);
    // The label order is the manifest's: index 3 is "happy" in Human's order.
    expect(out.faces[0]!.expression).toEqual({ label: 'happy', probability: 1 });
    // The crop region: the 90×100 box enlarged 1.4× (126×140) and squared about its centre (75, 90).
    expect(out.raw[0]!.crop).toEqual({ x: 5, y: 20, width: 140, height: 140 });
  });

  it('cuts Human’s crop bit for bit, also where it leaves the image', () => {
    const crop = humanFaceCrop();
    const boxes = [
      { x: 30.4, y: 40.2, width: 90.3, height: 100.1 },
      { x: -20, y: 150, width: 80, height: 70 }, // past the left and bottom edges
    ];
    const cropper = new FaceCropper(img, boxes);
    const faceres = cropper.crops(224, crop);
    const emotion = cropper.crops(64, crop);
    boxes.forEach((b, i) => {
      const [x1, y1, x2, y2] = enlargedSquare(b, crop);
      const det: Detection = {
        start: [x1, y1],
        end: [x2, y2],
        corners: [x1, y1, x2, y2],
        confidence: 1,
        landmarks: [],
      };
      const human = faceCrop(img, det, crop.side).crop;
      const per224 = 3 * 224 * 224;
      const want224 = permute(faceresInput(human).data as Float32Array, [1, 224, 224, 3], [0, 3, 1, 2]).data;
      expect(Array.from(floats(faceres).subarray(i * per224, (i + 1) * per224))).toEqual(Array.from(want224));
      // Human feeds the emotion net gray 64-px crops; the RGB crop we feed turns into it in the graph.
      const rgb = floats(emotion).subarray(i * 3 * 64 * 64, (i + 1) * 3 * 64 * 64);
      const gray = emotionInput(human).data as Float32Array;
      let worst = 0;
      for (let p = 0; p < 64 * 64; p++) {
        let g = 0;
        [0.2989, 0.587, 0.114].forEach(
          (w, c) => (g = Math.fround(g + Math.fround(Math.fround(rgb[c * 4096 + p]! / 255) * Math.fround(w)))),
        );
        worst = Math.max(worst, Math.abs(Math.fround(Math.fround(g - 0.5) * 2) - gray[p]!));
      }
      expect(worst).toBeLessThan(1e-6);
    });
    expect(cropRegion(img, boxes[1]!, crop).x).toBeLessThan(0);
  });

  it('reports the most probable expression, where Human’s truncated stable sort would not', async () => {
    // angry 0.301 and disgusted 0.309 both truncate to 0.30: Human lists angry first (label order).
    const probs = [0.301, 0.309, 0.1, 0.1, 0.09, 0.05, 0.05];
    const out = await analyzeFaces(
      img,
      { detector: detectorOf(256, [box], [0.9]), attributes: attributesOf(224), expression: expressionOf(64, probs) },
      { qualityGate: false, preprocess: gen2(humanFaceCrop()), labels: { expression: HUMAN_ORDER } },
    );
    expect(out.faces[0]!.expression).toEqual({ label: 'disgusted', probability: 0.309 });
  });
});
