/**
 * @file `npx tsx tools/parity/compare-generations.ts [--registry DIR] [--runs N]`: the measurement
 * behind the default face-model generation (README "Models"). The app's own faces pipeline
 * (analyzeWithFeatures, quality gate on, as the app and `npm run annotate` run it) over the
 * registry's verified models, in Node on onnxruntime-web (wasm), for three sets:
 * generation 1 as shipped (tiny detector 1.0.0), generation 1 with the SSD detector (2.0.0), and
 * generation 2 (BlazeFace 3.0.0, FaceRes 2.0.0, emotion 2.0.0). Photos: face-api's six samples
 * (22 people, counted by eye), the same photos shrunk to 1/3 and 1/6 of their width (faces of
 * ~30–100 px and ~15–50 px: small faces), Human's sample collage and darknet's person.jpg.
 *
 * Printed per set and photo: faces found, faces estimated (past the quality gate), and — for
 * faces both generations found (a generation-2 box centre inside a generation-1 box) — the age
 * difference and whether the gender agrees; then the median time per photo over N runs.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { FEATURES, TASKS } from '../../src/features/index.ts';
import type { FaceAnnotation } from '../../src/features/faces/results.ts';
import { analyzeWithFeatures, selectFeatures } from '../../src/shared/feature-set.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import { humanPackage } from '../convert/tfjs-graph/models/packages.ts';
import { decodeRgb } from '../lib/decode-image.ts';
import { DEFAULT_REGISTRY } from '../lib/project-root.ts';
import { loadModels, type LoadedModels, type ModelRef } from '../lib/registry-models.ts';
import { SAMPLE_PHOTOS } from './faceapi-reference.ts';

/** The model sets compared, as registry overrides. */
const SETS: Record<string, Record<string, ModelRef>> = {
  'gen 1 (tiny 1.0.0)': {
    'face-detector': { id: 'face-detector', version: '1.0.0' },
    'face-attributes': { id: 'face-attributes', version: '1.0.0' },
    'face-expression': { id: 'face-expression', version: '1.0.0' },
  },
  'gen 1 (SSD 2.0.0)': {
    'face-detector': { id: 'face-detector', version: '2.0.0' },
    'face-attributes': { id: 'face-attributes', version: '1.0.0' },
    'face-expression': { id: 'face-expression', version: '1.0.0' },
  },
  'gen 2 (BlazeFace 3.0.0)': {
    'face-detector': { id: 'face-detector', version: '3.0.0' },
    'face-attributes': { id: 'face-attributes', version: '2.0.0' },
    'face-expression': { id: 'face-expression', version: '2.0.0' },
  },
};

/** People in face-api's samples, counted by eye (HUMAN-FACE-PIPELINE.md §7). */
const PEOPLE = [3, 3, 3, 4, 5, 4];

interface Photo {
  name: string;
  image: RgbImage;
  people: number | null;
  group: string;
}

async function shrink(path: string, factor: number): Promise<RgbImage> {
  const meta = await sharp(path).metadata();
  const png = await sharp(path)
    .resize({ width: Math.round(meta.width! / factor), kernel: 'lanczos3' })
    .png()
    .toBuffer();
  return decodeRgb(new Uint8Array(png));
}

async function photos(): Promise<Photo[]> {
  const out: Photo[] = [];
  for (const [i, p] of SAMPLE_PHOTOS.entries()) {
    const name = p.split('/').pop()!;
    out.push({
      name,
      image: await decodeRgb(new Uint8Array(await sharp(p).toBuffer())),
      people: PEOPLE[i]!,
      group: 'full',
    });
    out.push({ name: `${name} ÷3`, image: await shrink(p, 3), people: PEOPLE[i]!, group: '÷3' });
    out.push({ name: `${name} ÷6`, image: await shrink(p, 6), people: PEOPLE[i]!, group: '÷6' });
  }
  const extra = [join(humanPackage().dir, 'assets', 'samples.jpg'), '/usr/share/darknet/data/person.jpg'];
  for (const p of extra.filter((x) => existsSync(x)))
    out.push({
      name: p.split('/').pop()!,
      image: await decodeRgb(new Uint8Array(await sharp(p).toBuffer())),
      people: null,
      group: 'other',
    });
  return out;
}

const centreIn = (a: PixelBox, b: PixelBox) => {
  const cx = a.x + a.width / 2;
  const cy = a.y + a.height / 2;
  return cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { registry: { type: 'string' }, runs: { type: 'string', default: '3' } } });
  const registry = resolve(values.registry ?? DEFAULT_REGISTRY);
  const runs = Number(values.runs);
  const features = selectFeatures(FEATURES, ['faces']);
  const list = await photos();
  const results: Record<string, FaceAnnotation[][]> = {};
  const times: Record<string, number[]> = {};
  const stages: Record<string, Record<string, number[]>> = {};
  for (const [set, overrides] of Object.entries(SETS)) {
    let loaded: LoadedModels | undefined;
    try {
      loaded = await loadModels(registry, features, TASKS, overrides);
      results[set] = [];
      times[set] = [];
      for (const photo of list) {
        let faces: FaceAnnotation[] = [];
        const ms: number[] = [];
        for (let r = 0; r < runs + 1; r++) {
          const t = performance.now();
          const out = await analyzeWithFeatures(features, {
            image: photo.image,
            scaleToOriginal: 1,
            runners: loaded.runners,
          });
          if (r > 0) ms.push(performance.now() - t); // the first run warms up
          if (r > 0 && photo.group === 'full')
            for (const [k, v] of Object.entries(out.timings)) ((stages[set] ??= {})[k] ??= []).push(v);
          faces = out.results.faces as FaceAnnotation[];
        }
        results[set].push(faces);
        if (photo.group === 'full') times[set].push(median(ms));
      }
    } finally {
      await loaded?.release();
    }
  }

  const sets = Object.keys(SETS);
  console.log(`faces found (estimated past the quality gate) per photo; people counted by eye where known\n`);
  console.log(`| photo | people | ${sets.join(' | ')} |`);
  console.log(`|---|---|${sets.map(() => '---').join('|')}|`);
  const totals: Record<string, Record<string, [number, number]>> = {};
  list.forEach((photo, i) => {
    const cells = sets.map((s) => {
      const faces = results[s]![i]!;
      const est = faces.filter((f) => f.age !== null).length;
      const t = ((totals[s] ??= {})[photo.group] ??= [0, 0]);
      t[0] += faces.length;
      t[1] += est;
      return `${faces.length} (${est})`;
    });
    console.log(`| ${photo.name} | ${photo.people ?? '?'} | ${cells.join(' | ')} |`);
  });
  for (const group of ['full', '÷3', '÷6', 'other']) {
    const people = list.filter((p) => p.group === group).reduce((n, p) => n + (p.people ?? 0), 0);
    console.log(
      `| **${group}** | ${people || '?'} | ${sets.map((s) => `${totals[s]![group]?.[0] ?? 0} (${totals[s]![group]?.[1] ?? 0})`).join(' | ')} |`,
    );
  }

  const gen2 = sets[2]!;
  console.log(`\nagreement with ${gen2} on faces both estimated (full-size and ÷3 photos)\n`);
  console.log('| generation 1 set | faces paired | median abs(Δage) | max abs(Δage) | same gender |');
  console.log('|---|---|---|---|---|');
  for (const s of sets.slice(0, 2)) {
    const d: number[] = [];
    let same = 0;
    list.forEach((photo, i) => {
      if (photo.group !== 'full' && photo.group !== '÷3') return;
      const a = results[s]![i]!.filter((f) => f.age !== null);
      const b = results[gen2]![i]!.filter((f) => f.age !== null);
      for (const f of b) {
        const g = a.find((x) => centreIn(f.box, x.box));
        if (!g) continue;
        d.push(Math.abs(g.age! - f.age!));
        if (g.gender === f.gender) same++;
      }
    });
    console.log(
      `| ${s} | ${d.length} | ${median(d).toFixed(1)} | ${Math.max(...d).toFixed(1)} | ${same}/${d.length} |`,
    );
  }
  console.log(`\nmedian time per full-size photo (ms, Node, onnxruntime-web wasm; ${runs} runs after a warm-up)\n`);
  console.log(`| photo | ${sets.join(' | ')} |`);
  console.log(`|---|${sets.map(() => '---').join('|')}|`);
  list
    .filter((p) => p.group === 'full')
    .forEach((p, i) => console.log(`| ${p.name} | ${sets.map((s) => times[s]![i]!.toFixed(0)).join(' | ')} |`));
  console.log(`| **median** | ${sets.map((s) => median(times[s]!).toFixed(0)).join(' | ')} |`);
  for (const k of Object.keys(stages[sets[0]!] ?? {}))
    console.log(`| ${k} (median) | ${sets.map((s) => median(stages[s]![k] ?? []).toFixed(0)).join(' | ')} |`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
