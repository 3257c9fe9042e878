/**
 * @file End-to-end parity with face-api: for each sample photo (decoded once with sharp),
 * face-api (TF.js wasm) and our converted ONNX models (onnxruntime-web, both weight encodings,
 * every detector variant) must find the same faces with the same boxes, scores, ages, genders
 * and expressions within PARITY_TOLERANCE. Prints the max-error table and the time taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertAll, type ConvertedModel } from '../../tools/convert/index.ts';
import {
  decodeImage,
  FaceApiReference,
  SAMPLE_PHOTOS,
  type ReferenceDetector,
  type ReferenceFace,
} from '../../tools/parity/faceapi-reference.ts';
import { analyseWithOnnx, openModel, pickModel, type PipelineSessions } from '../../tools/parity/onnx-pipeline.ts';
import {
  ErrorTable,
  faceErrors,
  maxErrors,
  NO_ERROR,
  pairFaces,
  PARITY_TOLERANCE,
} from '../../tools/parity/compare-faces.ts';
import type { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import type { WeightEncoding } from '../../src/shared/manifest-types.ts';

interface DetectorConfig {
  label: string;
  version: string;
  size: number;
  reference: ReferenceDetector;
}

const DETECTORS: DetectorConfig[] = [
  { label: 'tiny 416', version: '1.0.0', size: 416, reference: { kind: 'tiny', inputSize: 416 } },
  { label: 'tiny 320', version: '1.0.0', size: 320, reference: { kind: 'tiny', inputSize: 320 } },
  { label: 'tiny 224', version: '1.0.0', size: 224, reference: { kind: 'tiny', inputSize: 224 } },
  { label: 'ssd 512', version: '2.0.0', size: 512, reference: { kind: 'ssd' } },
];
const ENCODINGS: WeightEncoding[] = ['uint8', 'float32'];
const PHOTOS = SAMPLE_PHOTOS.map((path, index) => ({ index, name: path.split('/').pop()! }));

const started = performance.now();
let models: ConvertedModel[] = [];
let photos: RgbImage[] = [];
const referenceResults = new Map<string, ReferenceFace[]>();
const sessions = new Map<string, OrtModel>();
const ourResults = new Map<string, Promise<ReferenceFace[]>>();
const table = new ErrorTable();
const timings: Record<string, number> = {};

const refKey = (d: DetectorConfig, photo: number) => `${d.label}|${photo}`;

async function session(id: ConvertedModel['id'], version: string, variant: string): Promise<OrtModel> {
  const key = `${id}@${version}/${variant}`;
  let s = sessions.get(key);
  if (!s) {
    s = await openModel(pickModel(models, id, version, variant));
    sessions.set(key, s);
  }
  return s;
}

/** Our pipeline's faces for one photo, memoised so every test can ask for any combination. */
function ours(d: DetectorConfig, encoding: WeightEncoding, photo: number): Promise<ReferenceFace[]> {
  const key = `${d.label}|${encoding}|${photo}`;
  let result = ourResults.get(key);
  if (!result) {
    result = (async () => {
      const s: PipelineSessions = {
        detector: await session('face-detector', d.version, `${d.size}-${encoding}`),
        attributes: await session('face-attributes', '1.0.0', `112-${encoding}`),
        expression: await session('face-expression', '1.0.0', `112-${encoding}`),
      };
      return analyseWithOnnx(photos[photo]!, s);
    })();
    ourResults.set(key, result);
  }
  return result;
}

beforeAll(async () => {
  let t = performance.now();
  models = convertAll();
  timings['convert all models'] = performance.now() - t;
  t = performance.now();
  photos = await Promise.all(SAMPLE_PHOTOS.map((p) => decodeImage(p)));
  timings['decode photos (sharp)'] = performance.now() - t;
  t = performance.now();
  const reference = await FaceApiReference.create();
  for (const d of DETECTORS) {
    for (const { index } of PHOTOS)
      referenceResults.set(refKey(d, index), await reference.analyse(photos[index]!, d.reference));
  }
  timings['face-api reference (24 runs)'] = performance.now() - t;
}, 600_000);

afterAll(async () => {
  await Promise.all([...sessions.values()].map((s) => s.release()));
  const lines = Object.entries(timings).map(([k, v]) => `  ${k}: ${(v / 1000).toFixed(2)} s`);
  console.log(
    `\nParity with face-api — max absolute errors (box as fraction of image size)\n${table.format()}\n\nTimings\n${lines.join('\n')}\n  total (this file): ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
});

describe.each(ENCODINGS)('%s models reproduce face-api', (encoding) => {
  describe.each(DETECTORS)('$label', (d) => {
    it.each(PHOTOS)(
      '$name',
      async ({ index }) => {
        const t = performance.now();
        const reference = referenceResults.get(refKey(d, index))!;
        const got = await ours(d, encoding, index);
        timings[`our pipeline, ${encoding}`] = (timings[`our pipeline, ${encoding}`] ?? 0) + (performance.now() - t);

        expect(got.length, 'number of faces').toBe(reference.length);
        const pairs = pairFaces(reference, got);
        expect(pairs.length, 'every face pairs with an overlapping face').toBe(reference.length);
        let worst = NO_ERROR;
        for (const [r, o] of pairs) worst = maxErrors(worst, faceErrors(r, o, photos[index]!));
        table.record(`face-detector ${d.version} (${d.label})`, encoding, pairs.length, {
          box: worst.box,
          score: worst.score,
        });
        table.record('face-attributes 1.0.0', encoding, pairs.length, { age: worst.age, gender: worst.gender });
        table.record('face-expression 1.0.0', encoding, pairs.length, { expression: worst.expression });

        expect(worst.box).toBeLessThanOrEqual(PARITY_TOLERANCE.box);
        expect(worst.score).toBeLessThanOrEqual(PARITY_TOLERANCE.score);
        expect(worst.age).toBeLessThanOrEqual(PARITY_TOLERANCE.age);
        expect(worst.gender).toBeLessThanOrEqual(PARITY_TOLERANCE.gender);
        expect(worst.expression).toBeLessThanOrEqual(PARITY_TOLERANCE.expression);
      },
      120_000,
    );
  });
});

describe('uint8 and float32 files detect the same faces', () => {
  describe.each(DETECTORS)('$label', (d) => {
    it.each(PHOTOS)(
      '$name',
      async ({ index }) => {
        const [packed, full] = await Promise.all([ours(d, 'uint8', index), ours(d, 'float32', index)]);
        expect(packed.length).toBe(full.length);
        const pairs = pairFaces(full, packed);
        expect(pairs.length).toBe(full.length);
        for (const [f, p] of pairs)
          expect(faceErrors(f, p, photos[index]!).box).toBeLessThanOrEqual(PARITY_TOLERANCE.box);
      },
      120_000,
    );
  });
});
