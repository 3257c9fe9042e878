/**
 * @file The hotlens photo pipeline timed stage by stage, in a worker, with the app's own
 * engine and shared pipeline functions (the steps of analyzeFaces, timed one by one): decode
 * (the app worker's `decodePhoto`, downscale included), detector letterbox, detector run, box mapping + quality gate, face crops, attribute run, expression
 * run. Shows where a photo's time goes when the pipeline misses its target.
 */
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { decodePhoto, PixelReader } from '../../../src/inference/worker/decode.ts';
import { cropSquares, fitLength, letterbox } from '../../../src/shared/pipeline/image-ops.ts';
import { toPixelDetections } from '../../../src/features/faces/detection-boxes.ts';
import { measureFace, qualityIssue } from '../../../src/features/faces/quality.ts';
import { asFloat32 } from '../../../src/shared/tensor.ts';
import type { BreakdownJob, BreakdownResult } from '../api.ts';

async function load(url: string): Promise<OrtModel> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return OrtModel.create(new Uint8Array(await res.arrayBuffer()));
}

/** Times every stage for every photo, `rounds` times (after one untimed pass). */
export async function pipelineBreakdown(job: BreakdownJob): Promise<BreakdownResult> {
  const detector = await load(job.detector.url);
  const attributes = await load(job.attributesUrl);
  const expression = await load(job.expressionUrl);
  const blobs = await Promise.all(job.photos.map(async (u) => (await fetch(u)).blob()));
  const reader = new PixelReader();
  const stages: Record<string, number[]> = {};
  const faces: number[] = [];
  const input = (m: OrtModel) => m.inputs[0]!.name;
  // One detector input array for every photo, as the app's runner lends a reused buffer.
  const detInput = new Float32Array(fitLength(job.detector.size));
  for (let round = -1; round < job.rounds; round++) {
    for (const blob of blobs) {
      const t: Record<string, number> = {};
      let t0 = performance.now();
      const lap = (name: string) => {
        const now = performance.now();
        t[name] = now - t0;
        t0 = now;
      };
      // The app worker's own decoder (validation, the opaque fast path, any downscale inside).
      const { image } = await decodePhoto(blob, 'photo', reader);
      lap('decode');
      const det = letterbox(image, job.detector.size, undefined, detInput);
      lap('letterbox');
      const out = await detector.run({ [input(detector)]: det });
      lap('detector');
      const found = toPixelDetections(
        asFloat32(out.boxes, 'boxes'),
        asFloat32(out.scores, 'scores'),
        image,
        job.detector.size,
      );
      const good = found.filter((d) => !qualityIssue(measureFace(image, d.box)));
      lap('boxes+quality');
      if (good.length) {
        const crops = cropSquares(
          image,
          good.map((d) => d.box),
          112,
        );
        lap('crops');
        await attributes.run({ [input(attributes)]: crops });
        lap('attributes');
        await expression.run({ [input(expression)]: crops });
        lap('expression');
      }
      // As the app's engine does after a photo's analysis: its pixel buffer serves the next photo.
      reader.pool.give(image.data.buffer as ArrayBuffer);
      if (round < 0) continue;
      t.total = Object.values(t).reduce((a, b) => a + b, 0);
      for (const [k, v] of Object.entries(t)) (stages[k] ??= []).push(v);
      faces.push(good.length);
    }
  }
  await Promise.all([detector.release(), attributes.release(), expression.release()]);
  return { threads: job.threads, stages, faces };
}
