/**
 * @file Times model files in a fresh worker on one runtime (WASM with N threads, or WebGPU):
 * download, session create, warm-up, timed runs. ORT's thread count is fixed per worker once
 * the first session exists, so the page starts one worker per runtime. Inputs are real: the
 * sample photos letterboxed for detectors, real face crops (found by the serving detector) for
 * the attribute nets. Uses the app's engine module (OrtModel) and shared pre-processing, never
 * onnxruntime-web directly.
 */
import * as Comlink from 'comlink';
import { configureRuntime, OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { cropSquares, letterbox } from '../../../src/shared/pipeline/image-ops.ts';
import { toPixelDetections } from '../../../src/features/faces/detection-boxes.ts';
import type { PixelBox } from '../../../src/shared/geometry.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import { asFloat32, type TensorData } from '../../../src/shared/tensor.ts';
import type { BreakdownJob, ModelCase, ModelTiming, ModelsWorkerApi, RuntimeJob, RuntimeResult } from '../api.ts';
import { browser } from '../lib/browser-globals.ts';
import { pipelineBreakdown } from './breakdown.ts';

const now = (): number => performance.now();

async function fetchBytes(url: string): Promise<Uint8Array> {
  // no-store: the download time must be a download, not an HTTP-cache hit. (`cache` is a
  // browser RequestInit field that Node's types lack.)
  const res = await fetch(url, { cache: 'no-store' } as RequestInit);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function decode(url: string): Promise<RgbImage> {
  const bitmap = await browser.createImageBitmap(await (await fetch(url)).blob(), { premultiplyAlpha: 'none' });
  const canvas = new browser.OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('OffscreenCanvas 2D is unavailable');
  ctx.drawImage(bitmap, 0, 0);
  const { width, height } = bitmap;
  bitmap.close();
  return { width, height, channels: 4, data: ctx.getImageData(0, 0, width, height).data };
}

function inputName(model: OrtModel): string {
  const name = model.inputs[0]?.name;
  if (name === undefined) throw new Error('the model declares no inputs');
  return name;
}

/** Real faces: [image, box] pairs the detector finds in the photos. */
async function findFaces(detector: OrtModel, size: number, images: RgbImage[]) {
  const faces: { image: RgbImage; box: PixelBox }[] = [];
  for (const image of images) {
    const out = await detector.run({ [inputName(detector)]: letterbox(image, size) });
    const scores = asFloat32(out.scores, 'scores');
    const boxes = asFloat32(out.boxes, 'boxes');
    for (const d of toPixelDetections(boxes, scores, image, size)) faces.push({ image, box: d.box });
  }
  return faces;
}

/** A [b,3,112,112] batch of real crops (cycling through the faces when there are fewer than b). */
function cropBatch(faces: { image: RgbImage; box: PixelBox }[], b: number): TensorData {
  const per = 3 * 112 * 112;
  const data = new Float32Array(b * per);
  for (let i = 0; i < b; i++) {
    const f = faces[i % faces.length]!;
    data.set(cropSquares(f.image, [f.box], 112).data as Float32Array, i * per);
  }
  return { type: 'float32', dims: [b, 3, 112, 112], data };
}

async function timeCase(c: ModelCase, job: RuntimeJob, feedsFor: (c: ModelCase, b: number) => TensorData) {
  const base = { id: c.id, version: c.version, variant: c.variant, encoding: c.encoding, size: c.size };
  const rows: ModelTiming[] = [];
  const t0 = now();
  const bytes = await fetchBytes(c.url);
  const fetchMs = now() - t0;
  const t1 = now();
  const model = await OrtModel.create(bytes, { executionProvider: job.ep });
  const createMs = now() - t1;
  try {
    for (const batch of c.batches) {
      const feeds = { [inputName(model)]: feedsFor(c, batch) };
      for (let i = 0; i < job.warmupRuns; i++) await model.run(feeds);
      const runMs: number[] = [];
      for (let i = 0; i < job.timedRuns; i++) {
        const t = now();
        await model.run(feeds);
        runMs.push(now() - t);
      }
      rows.push({
        ...base,
        batch,
        ep: job.ep,
        threads: job.threads,
        bytes: bytes.byteLength,
        fetchMs,
        createMs,
        runMs,
      });
    }
  } finally {
    await model.release();
  }
  return rows;
}

const api: ModelsWorkerApi = {
  async run(job: RuntimeJob): Promise<RuntimeResult> {
    configureRuntime({ numThreads: job.threads, build: job.ep });
    const images = await Promise.all(job.photos.map(decode));
    // The first session pays for the wasm compile and the thread pool: measured apart, so the
    // per-file create times below compare files, not start-up.
    const detBytes = await fetchBytes(job.cropDetector.url);
    const t0 = now();
    const detector = await OrtModel.create(detBytes, { executionProvider: job.ep });
    const runtimeInitMs = now() - t0;
    const faces = await findFaces(detector, job.cropDetector.size, images);
    await detector.release();
    if (faces.length === 0) throw new Error('the detector found no faces in the sample photos');
    const letterboxed = new Map<number, TensorData>();
    const feedsFor = (c: ModelCase, b: number): TensorData => {
      if (c.task !== 'face-detection') return cropBatch(faces, b);
      let t = letterboxed.get(c.size);
      if (!t) letterboxed.set(c.size, (t = letterbox(images[0]!, c.size)));
      return t;
    };
    const timings: ModelTiming[] = [];
    for (const c of job.cases) {
      try {
        timings.push(...(await timeCase(c, job, feedsFor)));
      } catch (err) {
        timings.push({
          id: c.id,
          version: c.version,
          variant: c.variant,
          encoding: c.encoding,
          size: c.size,
          batch: c.batches[0] ?? 1,
          ep: job.ep,
          threads: job.threads,
          bytes: c.bytes,
          fetchMs: NaN,
          createMs: NaN,
          runMs: [],
          error: (err as Error).message,
        });
      }
    }
    return { ep: job.ep, threads: job.threads, runtimeInitMs, timings, distinctFaces: faces.length };
  },
  breakdown(job: BreakdownJob) {
    configureRuntime({ numThreads: job.threads });
    return pipelineBreakdown(job);
  },
};

Comlink.expose(api);
