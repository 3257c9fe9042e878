/**
 * @file `npx tsx tools/parity/face-counts.ts`: how many faces each detector generation finds
 * on face-api's six samples, with scores, as a Markdown table (HUMAN-FACE-PIPELINE.md §7).
 * face-api tiny (416, score ≥ 0.5) and SSD (minConfidence 0.5) run through the face-api
 * reference; Human runs with the reference configuration (BlazeFace, minConfidence 0.2,
 * maxDetected 100). SSD finds exactly the people in these photos, so faces of the other two
 * detectors are checked against it: a face whose box centre lies inside no SSD box is listed
 * (centres, not IoU: Human's boxes are 1.4× enlarged squares, SSD's are tight).
 */
import type { PixelBox } from '../../src/shared/geometry.ts';
import { decodeImage, FaceApiReference, SAMPLE_PHOTOS } from './faceapi-reference.ts';
import { HumanReference } from './human-reference.ts';

const scores = (xs: number[]): string => xs.map((s) => s.toFixed(2)).join(', ');

const centreInside = (a: PixelBox, b: PixelBox): boolean => {
  const cx = a.x + a.width / 2;
  const cy = a.y + a.height / 2;
  return cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height;
};

async function main(): Promise<void> {
  const faceapi = await FaceApiReference.create();
  const ref = await HumanReference.create();
  console.log(`${faceapi.describe()}; ${ref.describe()}\n`);
  console.log('| photo | face-api tiny 416 | face-api SSD | Human BlazeFace (mesh off) |');
  console.log('|---|---|---|---|');
  const totals = { tiny: [0, 0], ssd: 0, human: [0, 0] };
  for (const path of SAMPLE_PHOTOS) {
    const img = await decodeImage(path);
    const tiny = await faceapi.analyse(img, { kind: 'tiny', inputSize: 416 });
    const ssd = await faceapi.analyse(img, { kind: 'ssd' });
    const human = (await ref.analyse(img)).faces;
    // "n (scores) · m on SSD faces": how many of a detector's faces SSD also found.
    const cell = (faces: { box: PixelBox; score: number }[], total: number[]): string => {
      const off = faces.filter((f) => !ssd.some((s) => centreInside(f.box, s.box)));
      total[0]! += faces.length;
      total[1]! += faces.length - off.length;
      const note = off.length ? `; not on an SSD face: ${scores(off.map((f) => f.score))}` : '';
      return `${faces.length} (${scores(faces.map((f) => f.score))})${note}`;
    };
    totals.ssd += ssd.length;
    const ssdCell = `${ssd.length} (${scores(ssd.map((f) => f.score))})`;
    console.log(
      `| ${path.split('/').pop()} | ${cell(tiny, totals.tiny)} | ${ssdCell} | ${cell(human, totals.human)} |`,
    );
  }
  const t = (x: number[]) => `${x[0]} (${x[1]} on SSD faces)`;
  console.log(`| total | ${t(totals.tiny)} | ${totals.ssd} | ${t(totals.human)} |`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
