/**
 * @file `npx tsx tools/parity/time-models.ts [--runs N] [--threads N]`: Node run times of every
 * converted model on onnxruntime-web (the browser's engine, wasm backend), fed with a real
 * sample photo (detectors) or real face crops (attribute nets), plus the preprocessing. Prints
 * session-create time and the median of N timed runs after two warm-up runs.
 */
import { parseArgs } from 'node:util';
import { configureRuntime, OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { cropSquares, letterbox } from '../../src/shared/pipeline/image-ops.ts';
import type { TensorData } from '../../src/shared/tensor.ts';
import { convertAll } from '../convert/index.ts';
import { decodeImage, SAMPLE_PHOTOS } from './faceapi-reference.ts';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timed(fn: () => unknown, runs: number): Promise<number> {
  await fn();
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, threads: { type: 'string' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (values.threads !== undefined) configureRuntime({ numThreads: Number(values.threads) });

  const img = await decodeImage(SAMPLE_PHOTOS[0]!);
  // Four real faces from the first sample (face-api's SSD boxes, rounded).
  const boxes = [
    { x: 414, y: 355, width: 177, height: 240 },
    { x: 776, y: 445, width: 313, height: 256 },
    { x: 1378, y: 152, width: 363, height: 341 },
    { x: 1400, y: 170, width: 300, height: 300 },
  ];
  const rows: string[][] = [];
  for (const size of [416, 320, 224, 512]) {
    rows.push([
      `letterbox ${img.width}x${img.height} → ${size}`,
      '',
      '',
      (await timed(() => letterbox(img, size), runs)).toFixed(2),
    ]);
  }
  rows.push(['cropSquares ×4 → 112', '', '', (await timed(() => cropSquares(img, boxes, 112), runs)).toFixed(2)]);

  for (const m of convertAll()) {
    const t = performance.now();
    const session = await OrtModel.create(m.onnx);
    const createMs = performance.now() - t;
    const feeds: { label: string; feed: Record<string, TensorData> }[] =
      m.task === 'face-detection'
        ? [{ label: 'image', feed: { image: letterbox(img, m.size) } }]
        : [
            { label: 'b=1', feed: { faces: cropSquares(img, boxes.slice(0, 1), 112) } },
            { label: 'b=4', feed: { faces: cropSquares(img, boxes, 112) } },
          ];
    for (const { label, feed } of feeds) {
      const ms = await timed(() => session.run(feed), runs);
      rows.push([`${m.id}@${m.version} ${m.variant}`, label, createMs.toFixed(0), ms.toFixed(2)]);
    }
    await session.release();
  }
  const header = ['step / model', 'input', 'create ms', `median ms (${runs} runs)`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows])
    console.log(r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
