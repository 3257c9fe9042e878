/**
 * @file The YOLO wrapper on stand-in exports whose head holds known boxes (no real YOLO weights
 * are reachable): the wrapped graph must return exactly Ultralytics' predict result — best
 * class per box, score > conf, class-aware NMS at IoU > iou, best first, max_det — with boxes
 * normalised and clipped, and must divide its 0..255 input by 255 before the export sees it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { asFloat32, type TensorData } from '../../../src/shared/tensor.ts';
import { adaptModel } from '../../../tools/adapt/adapt.ts';
import { parseOnnxModel } from '../../../tools/adapt/onnx-splice.ts';
import { headTensor, yoloHeadStandin, type HeadBox } from '../../../tools/adapt/standins/yolo-head.ts';
import { protobufFields } from '../../../src/shared/protobuf-fields.ts';
import { expectTaskContract } from './helpers/task-contract.ts';
import { ultralyticsDetect, type Detection } from './helpers/ultralytics-nms.ts';

const S = 640;
const f = Math.fround;

/**
 * The scene. Comments give each box's fate under the defaults (score > 0.25, IoU > 0.7).
 * IoUs: 1 vs 0 = 0.884, 2 vs 0 = 0.739 (both suppressed), 3 vs 0 = 0.538 (kept).
 */
const SCENE: HeadBox[] = [
  { cx: 100, cy: 120, w: 80, h: 160, scores: { 0: 0.9 } }, // 0 person: kept, first
  { cx: 104, cy: 122, w: 80, h: 160, scores: { 0: 0.85 } }, // 1 duplicate of 0: suppressed
  { cx: 112, cy: 120, w: 80, h: 160, scores: { 0: 0.8 } }, // 2 duplicate of 0: suppressed
  { cx: 124, cy: 120, w: 80, h: 160, scores: { 0: 0.7 } }, // 3 neighbour of 0 (IoU 0.54): kept
  { cx: 400, cy: 300, w: 200, h: 100, scores: { 16: 0.8, 15: 0.3 } }, // 4 dog; its cat score is not its best: never a cat
  { cx: 404, cy: 300, w: 200, h: 100, scores: { 15: 0.62 } }, // 5 cat on the dog's box: another class, kept
  { cx: 10, cy: 300, w: 60, h: 100, scores: { 2: 0.52 } }, // 6 car past the left edge: kept, x1 clipped to 0
  { cx: 300, cy: 500, w: 50, h: 50, scores: { 5: 0.25 } }, // 7 exactly at the threshold: dropped (strict >)
  { cx: 500, cy: 500, w: 50, h: 50, scores: { 7: 0.2 } }, // 8 below the threshold: dropped
  { cx: 550, cy: 100, w: 100, h: 60, scores: { 3: 0.5, 7: 0.45 } }, // 9 motorcycle (best), truck second
  { cx: 552, cy: 100, w: 100, h: 60, scores: { 7: 0.6 } }, // 10 truck on 9's box: another best class, kept
  { cx: 320, cy: 320, w: 10, h: 10, scores: {} }, // 11 background only: dropped
  { cx: 250, cy: 450, w: 60, h: 40, scores: { 14: 0.66, 33: 0.4 } }, // 12 bird, alone: its kite score is no detection
];

/** Box i of the scene as the graph computes it in float32: corners, ÷ S, clipped. */
function expectedBox(i: number): number[] {
  const { cx, cy, w, h } = SCENE[i]!;
  const hw = f(w / 2);
  const hh = f(h / 2);
  const norm = (v: number) => Math.min(1, Math.max(0, f(f(v) / S)));
  return [norm(f(cx - hw)), norm(f(cy - hh)), norm(f(cx + hw)), norm(f(cy + hh))];
}

/** [box index, score, class], best first: what Ultralytics predict returns for the scene. */
const EXPECTED: Array<[number, number, number]> = [
  [0, 0.9, 0],
  [4, 0.8, 16],
  [3, 0.7, 0],
  [12, 0.66, 14],
  [5, 0.62, 15],
  [10, 0.6, 7],
  [6, 0.52, 2],
  [9, 0.5, 3],
];

const models: OrtModel[] = [];
afterAll(async () => {
  for (const m of models) await m.release();
});

async function wrapAndLoad(raw: Uint8Array, yolo: Record<string, number> = {}) {
  const result = adaptModel({ kind: 'yolo', bytes: raw, fileName: 'raw.onnx', yolo });
  const model = await OrtModel.create(result.bytes);
  models.push(model);
  return { result, model };
}

/** What a wrapped detector returned, as plain numbers. */
interface Detections {
  boxes: number[][];
  boxDims: number[];
  scores: number[];
  scoreDims: number[];
  classes: number[];
  classDims: number[];
  classType: string;
}

/** Runs a wrapped detector on a constant image (0..255). */
async function detect(model: OrtModel, pixel: number, size = S): Promise<Detections> {
  const image: TensorData = {
    type: 'float32',
    dims: [1, 3, size, size],
    data: new Float32Array(3 * size * size).fill(pixel),
  };
  const out = await model.run({ [model.inputs[0]!.name]: image });
  const { boxes, scores, classes } = out as Record<'boxes' | 'scores' | 'classes', TensorData>;
  const flat = Array.from(asFloat32(boxes, 'boxes'));
  return {
    boxes: Array.from({ length: boxes.dims[0]! }, (_, i) => flat.slice(i * 4, i * 4 + 4)),
    boxDims: boxes.dims,
    scores: Array.from(asFloat32(scores, 'scores')),
    scoreDims: scores.dims,
    classes: Array.from(classes.data as Int32Array),
    classDims: classes.dims,
    classType: classes.type,
  };
}

const sceneRaw = yoloHeadStandin({ boxes: SCENE, background: 0.001 });

describe('adapt-model --kind yolo on a head with known boxes', () => {
  it('returns exactly the detections Ultralytics predict keeps, best first, boxes normalised and clipped', async () => {
    const { result, model } = await wrapAndLoad(sceneRaw);
    expect(result.task).toBe('object-detection');
    expect(expectTaskContract(result.bytes, 'object-detection', result.labels.labels).size).toBe(S);
    const out = await detect(model, 255);
    expect(out.boxDims).toEqual([EXPECTED.length, 4]);
    expect(out.classType).toBe('int32');
    expect(out.classes).toEqual(EXPECTED.map((e) => e[2]));
    expect(out.scores).toEqual(EXPECTED.map((e) => f(e[1])));
    expect(out.boxes).toEqual(EXPECTED.map((e) => expectedBox(e[0])));
    expect(out.boxes[6]![0]).toBe(0); // the car's clipped left edge
  });

  it('agrees with the JavaScript port of Ultralytics NMS on the scene', async () => {
    const { model } = await wrapAndLoad(sceneRaw);
    const { boxRows, classRows } = headTensor({ boxes: SCENE, background: 0.001 });
    const head = new Float32Array([...boxRows, ...classRows]);
    const ref = ultralyticsDetect(head, 80, SCENE.length, S, { conf: 0.25, iou: 0.7, maxDet: 300 });
    const out = await detect(model, 255);
    expect(out.classes).toEqual(ref.map((d) => d.cls));
    expect(out.scores).toEqual(ref.map((d) => d.score));
  });

  it('divides the 0..255 input by 255 before the export sees it', async () => {
    // The stand-in multiplies its class scores by the mean of what it is fed: 1.0 for an
    // all-255 image only if the wrapper divided by 255. A grey 127.5 image halves every score,
    // which drops the motorcycle (0.5 → 0.25, not above 0.25) and keeps the rest.
    const { model } = await wrapAndLoad(sceneRaw);
    const grey = await detect(model, 127.5);
    const kept = EXPECTED.filter((e) => e[1] / 2 > 0.25);
    expect(kept).toHaveLength(EXPECTED.length - 1);
    expect(grey.scores).toEqual(kept.map((e) => f(f(e[1]) * 0.5)));
    expect(grey.classes).toEqual(kept.map((e) => e[2]));
  });

  it('applies --score, --iou and --max as built into the graph', async () => {
    const tight = await detect((await wrapAndLoad(sceneRaw, { iou: 0.5 })).model, 255);
    // At IoU > 0.5 the person's neighbour (0.54) is suppressed too.
    expect(tight.scores).toEqual(EXPECTED.filter((e) => e[0] !== 3).map((e) => f(e[1])));

    const top3 = await detect((await wrapAndLoad(sceneRaw, { max: 3 })).model, 255);
    expect(top3.classes).toEqual(EXPECTED.slice(0, 3).map((e) => e[2]));

    const strict = await detect((await wrapAndLoad(sceneRaw, { score: 0.61 })).model, 255);
    expect(strict.scores).toEqual(EXPECTED.filter((e) => e[1] > 0.61).map((e) => f(e[1])));
  });

  it('returns empty outputs of the contract types when nothing passes', async () => {
    const none = await detect((await wrapAndLoad(sceneRaw, { score: 0.95 })).model, 255);
    expect([none.boxDims, none.scoreDims, none.classDims]).toEqual([[0, 4], [0], [0]]);
    expect(none.classType).toBe('int32');
  });

  it('matches the Ultralytics reference on 600 random boxes with clustered duplicates', async () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const boxes: HeadBox[] = [];
    for (let c = 0; c < 60; c++) {
      const cx = rand() * S;
      const cy = rand() * S;
      const w = 20 + rand() * 200;
      const h = 20 + rand() * 200;
      for (let j = 0; j < 10; j++) {
        const scores: Record<number, number> = {};
        for (let t = 0; t < 3; t++) scores[Math.floor(rand() * 80)] = rand();
        boxes.push({ cx: cx + (rand() - 0.5) * w * 0.4, cy: cy + (rand() - 0.5) * h * 0.4, w, h, scores });
      }
    }
    const raw = yoloHeadStandin({ boxes, background: 0.01 });
    const { boxRows, classRows } = headTensor({ boxes, background: 0.01 });
    const head = new Float32Array([...boxRows, ...classRows]);
    for (const opts of [
      { conf: 0.25, iou: 0.7, maxDet: 300 },
      { conf: 0.05, iou: 0.45, maxDet: 100 },
    ]) {
      const ref = ultralyticsDetect(head, 80, boxes.length, S, opts);
      const { model } = await wrapAndLoad(raw, { score: opts.conf, iou: opts.iou, max: opts.maxDet });
      const out = await detect(model, 255);
      expect(ref.length).toBeGreaterThan(20);
      expect(out.classes).toEqual(ref.map((d: Detection) => d.cls));
      expect(out.scores).toEqual(ref.map((d) => d.score));
      out.boxes.forEach((b, i) => b.forEach((v, j) => expect(v).toBeCloseTo(ref[i]!.box[j]!, 6)));
    }
  });
});

describe('adapt-model --kind yolo on other exports', () => {
  it('reads K from the head and takes an Ultralytics export its own class names', async () => {
    const raw = yoloHeadStandin({
      classes: 3,
      size: 320,
      boxes: [
        { cx: 50, cy: 50, w: 40, h: 40, scores: { 2: 0.9 } },
        { cx: 200, cy: 200, w: 60, h: 60, scores: { 1: 0.4 } },
        ...Array.from({ length: 5 }, () => ({ cx: 10, cy: 10, w: 5, h: 5, scores: {} })),
      ],
      metadata: { task: 'detect', names: `{0: 'cat', 1: "owner's car", 2: 'dog'}`, imgsz: '[320, 320]' },
    });
    const { result, model } = await wrapAndLoad(raw);
    expect(result.labels.labels).toEqual(['cat', "owner's car", 'dog']);
    expect(result.labels.source).toMatch(/names/);
    const out = await detect(model, 255, 320);
    expect(out.classes).toEqual([2, 1]);
    expect(out.boxes[0]).toEqual([30 / 320, 30 / 320, 70 / 320, 70 / 320].map(f));
  });

  it('keeps every raw node, initializer, opset import and metadata entry, and records provenance', () => {
    const metadata = { task: 'detect', names: '{0: "a", 1: "b"}', author: 'someone' };
    const boxes = Array.from({ length: 7 }, () => ({ cx: 10, cy: 10, w: 5, h: 5, scores: { 1: 0.5 } }));
    const raw = yoloHeadStandin({ classes: 2, boxes, metadata, opset: 10 });
    const wrapped = adaptModel({ kind: 'yolo', bytes: raw, fileName: 'raw.onnx' }).bytes;
    const before = parseOnnxModel(raw);
    const after = parseOnnxModel(wrapped);
    const graphOf = (m: typeof before, no: number) =>
      m.graphFields.filter((x) => x.no === no).map((x) => Buffer.from(x.value as Uint8Array).toString('hex'));
    for (const no of [1, 5]) {
      // Nodes (1) and initializers (5): every raw one, byte for byte and in order.
      const raws = graphOf(before, no);
      const wrappedOnes = graphOf(after, no);
      const start = wrappedOnes.indexOf(raws[0]!);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(wrappedOnes.slice(start, start + raws.length)).toEqual(raws);
    }
    expect(after.ops.slice(0, 2)).toEqual(['Div', 'Identity']);
    expect(after.ops).toContain('NonMaxSuppression');
    // opset 10 lacks the class-aware NonMaxSuppression-11 and GatherElements: raised to 11.
    expect(before.opset).toBe(10);
    expect(after.opset).toBe(11);
    for (const [k, v] of Object.entries(metadata)) expect(after.metadata[k]).toBe(v);
    expect(after.metadata.provenance).toMatch(/^adapt-model --kind yolo on raw\.onnx \(sha256 [0-9a-f]{16}/);
    const details = JSON.parse(after.metadata['hotlens.adapt']!) as Record<string, unknown>;
    expect(details).toMatchObject({ kind: 'yolo', task: 'object-detection', score: 0.25, iou: 0.7, max: 300 });
    expect(details.opset).toEqual({ from: 10, to: 11 });
    // The raw input and output are internal values now, their declarations kept as value_info.
    const valueInfo = after.graphFields
      .filter((x) => x.no === 13)
      .map((x) => [...protobufFields(x.value as Uint8Array, (r) => new Error(r))].find((y) => y.no === 1)!.value);
    expect(valueInfo.map((v) => new TextDecoder().decode(v as Uint8Array))).toEqual(['images', 'output0']);
  });

  it('still runs when the opset was raised', async () => {
    const scores = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const boxes = scores.map((s, i) => ({ cx: 50 + 80 * i, cy: 50, w: 40, h: 40, scores: { 0: s } }));
    const { model } = await wrapAndLoad(yoloHeadStandin({ boxes, opset: 10 }));
    const out = await detect(model, 255);
    expect(out.scores).toEqual([...scores].reverse().map(f));
  });
});
