/**
 * @file Pipeline parity with Human 3.3.6 itself: on face-api's six sample photos (decoded once
 * with sharp), Human's Node wasm build (human-reference.ts) and our re-implementation of its
 * face pipeline (human-pipeline.ts, the same graphs run through TF.js by human-tfjs-runner.ts)
 * must find the same faces with boxes within 1 px, ages within 0.1 year, P(male) within 1e-3
 * and the same top emotion. It also checks the three graph inputs tensor by tensor, which is
 * what makes the rest agree, and prints a table of max errors per photo.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, SAMPLE_PHOTOS } from '../../tools/parity/faceapi-reference.ts';
import { HumanReference, HUMAN_MODEL_DIR, type HumanResult } from '../../tools/parity/human-reference.ts';
import { TfjsGraphRunner } from '../../tools/parity/human-tfjs-runner.ts';
import {
  analyseWithHumanPipeline,
  HUMAN_EMOTION_LABELS,
  type HumanGraph,
  type HumanPipelineFace,
  type RunGraph,
} from '../../tools/parity/human-pipeline.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type { TensorData } from '../../src/shared/tensor.ts';

const TOLERANCE = { boxPx: 1, age: 0.1, probMale: 1e-3, graphInput: 1e-4 } as const;

interface PhotoRun {
  name: string;
  human: HumanResult;
  ours: HumanPipelineFace[];
  inputs: Record<HumanGraph, TensorData[]>;
}

interface Row {
  photo: string;
  faces: string;
  box: number;
  age: number;
  probMale: number;
  emotion: number;
  descriptor: number;
  landmarks: number;
  inputs: number;
  topEmotion: string;
}

const started = performance.now();
const runs: PhotoRun[] = [];
const rows: Row[] = [];
const timings: Record<string, number> = {};

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

const boxError = (a: PixelBox, b: PixelBox): number =>
  Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y), Math.abs(a.width - b.width), Math.abs(a.height - b.height));

beforeAll(async () => {
  let t = performance.now();
  const photos = await Promise.all(SAMPLE_PHOTOS.map((p) => decodeImage(p)));
  timings['decode photos (sharp)'] = performance.now() - t;
  t = performance.now();
  const reference = await HumanReference.create();
  const runner = await TfjsGraphRunner.create(HUMAN_MODEL_DIR);
  timings['load Human + graphs'] = performance.now() - t;
  for (const [i, img] of photos.entries()) {
    t = performance.now();
    const human = await reference.analyse(img);
    timings['Human (6 photos)'] = (timings['Human (6 photos)'] ?? 0) + performance.now() - t;
    const inputs: Record<HumanGraph, TensorData[]> = { blazeface: [], faceres: [], emotion: [] };
    const run: RunGraph = (graph, input) => {
      inputs[graph].push(input);
      return runner.run(graph, input);
    };
    t = performance.now();
    const ours = await analyseWithHumanPipeline(img, run);
    timings['re-implementation (6 photos)'] = (timings['re-implementation (6 photos)'] ?? 0) + performance.now() - t;
    runs.push({ name: SAMPLE_PHOTOS[i]!.split('/').pop()!, human, ours, inputs });
  }
}, 300_000);

describe('the re-implemented pipeline reproduces Human 3.3.6 (mesh off)', () => {
  it.each(SAMPLE_PHOTOS.map((p, index) => ({ index, name: p.split('/').pop()! })))('$name', ({ index }) => {
    const { human, ours, inputs, name } = runs[index]!;
    expect(ours.length, 'number of faces').toBe(human.faces.length);
    const row: Row = {
      photo: name,
      faces: `${human.faces.length}/${ours.length}`,
      box: 0,
      age: 0,
      probMale: 0,
      emotion: 0,
      descriptor: 0,
      landmarks: 0,
      inputs: maxAbs(human.blazeface.input.data, inputs.blazeface[0]!.data as Float32Array),
      topEmotion: 'same',
    };
    // Faces come in the same order on both sides (detector confidence, NMS order); pair by index.
    human.faces.forEach((h, i) => {
      const o = ours[i]!;
      row.box = Math.max(row.box, boxError(h.box, o.box), boxError(h.squareBox, o.squareBox));
      expect(o.score, `face ${i} score`).toBe(h.score);
      row.age = Math.max(
        row.age,
        h.age === null || o.age === null ? (h.age === o.age ? 0 : Infinity) : Math.abs(h.age - o.age),
      );
      // Human reports only genderScore; P(male) is FaceRes's output in Human's own call.
      row.probMale = Math.max(
        row.probMale,
        Math.abs(h.faceres.outputs.find((t) => t.dims[1] === 1)!.data[0]! - o.probMale),
      );
      expect(o.gender, `face ${i} gender`).toBe(h.gender);
      expect(o.genderScore, `face ${i} genderScore`).toBe(h.genderScore);
      expect(o.emotions, `face ${i} emotion list`).toEqual(h.emotions);
      if (h.emotions[0]?.label !== o.emotions[0]?.label) row.topEmotion = 'DIFFERENT';
      row.emotion = Math.max(row.emotion, maxAbs(h.emotion.outputs[0]!.data, o.emotionProbabilities));
      row.descriptor = Math.max(row.descriptor, maxAbs(h.descriptor, o.descriptor));
      row.landmarks = Math.max(row.landmarks, maxAbs(h.landmarks.flat(), o.landmarks.flat()));
      row.inputs = Math.max(
        row.inputs,
        maxAbs(h.faceres.input.data, inputs.faceres[i]!.data as Float32Array),
        maxAbs(h.emotion.input.data, inputs.emotion[i]!.data as Float32Array),
      );
      expect(o.wasmCropShortcut, 'crop hit the wasm CropAndResize shortcut').toBe(false);
    });
    rows.push(row);
    expect(row.box, 'box error (px)').toBeLessThanOrEqual(TOLERANCE.boxPx);
    expect(row.age, 'age error (years)').toBeLessThanOrEqual(TOLERANCE.age);
    expect(row.probMale, 'P(male) error').toBeLessThanOrEqual(TOLERANCE.probMale);
    expect(row.topEmotion).toBe('same');
    expect(row.inputs, 'graph input error').toBeLessThanOrEqual(TOLERANCE.graphInput);
  });

  it('reports emotions in Human’s label order for a grayscale emotion model', () => {
    const labels = new Set(runs.flatMap((r) => r.human.faces.flatMap((f) => f.emotions.map((e) => e.label))));
    for (const l of labels) expect(HUMAN_EMOTION_LABELS).toContain(l);
  });
});

/** Distance from v to the nearest boundary k + 0.5 where Math.round flips. */
const roundSlack = (v: number): number => Math.abs(v - Math.floor(v) - 0.5);
/** Distance from v to the nearest integer, where Math.trunc flips. */
const truncSlack = (v: number): number => Math.min(v - Math.floor(v), Math.ceil(v) - v) || 1;

/** Top-1 minus top-2 of a distribution: how much an output may move before its argmax changes. */
function margin(p: ArrayLike<number>): number {
  const sorted = Array.from(p).sort((x, y) => y - x);
  return sorted[0]! - sorted[1]!;
}

/**
 * How close each photo's reported values are to flipping (smallest over its faces), in the
 * units a translated graph's outputs must not move: box corners (px) and score (0..1) from
 * Math.round, age argmax (probability) and 0.1 rounding (years), gender truncation
 * (probability), the top emotion (probability).
 */
function slackRow(faces: HumanPipelineFace[]): number[] {
  const min = (f: (x: HumanPipelineFace) => number) => Math.min(...faces.map(f));
  return [
    min((f) => Math.min(...f.squareCorners.map(roundSlack))),
    min((f) => roundSlack(100 * f.confidence) / 100),
    min((f) => margin(f.ageDistribution)),
    min((f) => roundSlack(10 * f.ageUnrounded) / 10),
    min((f) => truncSlack(200 * Math.abs(f.probMale - 0.5)) / 200),
    min((f) => margin(f.emotionProbabilities)),
  ];
}

describe('report', () => {
  it('prints the max-error table', () => {
    const header = [
      'photo',
      'faces H/ours',
      'box px',
      '|Δage|',
      '|ΔP(male)|',
      '|Δemotion p|',
      '|Δdescriptor|',
      '|Δlandmark| px',
      'graph inputs',
      'top emotion',
    ];
    const fmt = (v: number) => (v === 0 ? '0' : v.toExponential(2));
    const body = [...rows]
      .sort((a, b) => a.photo.localeCompare(b.photo))
      .map((r) => [
        r.photo,
        r.faces,
        fmt(r.box),
        fmt(r.age),
        fmt(r.probMale),
        fmt(r.emotion),
        fmt(r.descriptor),
        fmt(r.landmarks),
        fmt(r.inputs),
        r.topEmotion,
      ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const table = [header, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
    const slackHeader = [
      'photo',
      'box corner px',
      'score',
      'age argmax p',
      'age 0.1 step',
      'P(male) trunc',
      'top emotion p',
    ];
    const slackBody = runs.map((r) => [r.name, ...slackRow(r.ours).map((v) => v.toExponential(1))]);
    const slackWidths = slackHeader.map((h, i) => Math.max(h.length, ...slackBody.map((b) => b[i]!.length)));
    const slack = [slackHeader, ...slackBody]
      .map((r) => r.map((c, i) => c.padEnd(slackWidths[i]!)).join('  '))
      .join('\n');
    const lines = Object.entries(timings).map(([k, v]) => `  ${k}: ${(v / 1000).toFixed(2)} s`);
    console.log(
      `\nParity with Human 3.3.6 (mesh off): max absolute errors per photo\n${table}\n\n` +
        `Slack: smallest distance of a reported value from flipping (rounding boundary or argmax tie)\n${slack}\n\nTimings\n${lines.join('\n')}\n  total (this file): ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    expect(rows.length).toBe(SAMPLE_PHOTOS.length);
  });
});
