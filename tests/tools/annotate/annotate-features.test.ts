/**
 * @file `npm run annotate` with the objects and classification features on real photos, with the
 * shipped models (object-detector 1.0.0 = Human's centernet, image-classifier 1.0.0 = nsfwjs
 * MobileNetV2Mid): Debian darknet's dog.jpg and person.jpg print their dog, bicycle, person and
 * horse; the JSON has exactly the DESIGN.md keys, boxes in original pixels inside the image,
 * the top 5 classes sorted; it equals the in-process pipeline; all three features run together.
 * darknet's photos are a test input only (`sudo apt-get install darknet`, which .ci/run does).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import { analyzeWithFeatures, selectFeatures } from '../../../src/shared/feature-set.ts';
import type { AnnotateOutput, ImageAnnotation } from '../../../src/shared/results.ts';
import { convertAll } from '../../../tools/convert/index.ts';
import { convertGraphModels } from '../../../tools/convert/graph-models.ts';
import { nsfwjsLabels } from '../../../tools/convert/tfjs-graph/models/nsfwjs-mobilenet-v2-mid.ts';
import { buildRegistry } from '../../../tools/models/registry-builder.ts';
import { loadModels, type LoadedModels } from '../../../tools/lib/registry-models.ts';
import { decodeImageFile } from '../../../tools/lib/decode-image.ts';
import { ROOT, runCli } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/fs.ts';
import { SAMPLES } from '../../helpers/samples.ts';
import { requireDarknetPhotos } from '../convert/tfjs-graph/helpers/photos.ts';

const CLI = 'tools/annotate/annotate.ts';
const DOG = '/usr/share/darknet/data/dog.jpg';
const PERSON = '/usr/share/darknet/data/person.jpg';
const registry = join(tempDir('hotlens-annotate-features-'), 'registry');
const OBJECTS_AND_CLASSES = selectFeatures(FEATURES, ['objects', 'classification']);
let loaded: LoadedModels;

const labelsOf = (r: ImageAnnotation) => r.objects!.map((o) => o.label);

beforeAll(async () => {
  requireDarknetPhotos();
  // What `npm run models` ships, less the face models' extra sizes and encodings.
  await buildRegistry(registry, [...convertAll().filter((m) => m.isDefault), ...convertGraphModels()]);
  loaded = await loadModels(registry, OBJECTS_AND_CLASSES, TASKS);
}, 300_000);

afterAll(async () => loaded?.release());

describe('npm run annotate --features objects,classification', () => {
  it('prints the dog and the bicycle of dog.jpg and the person, dog and horse of person.jpg', async () => {
    // Exactly the documented command line, through npm.
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'annotate', '--', DOG, PERSON, '--features', 'objects,classification', '--json'].concat([
        '--registry',
        registry,
      ]),
      { cwd: ROOT, maxBuffer: 16 << 20 },
    );
    const [dog, person] = JSON.parse(stdout) as ImageAnnotation[];
    expect(labelsOf(dog!)).toEqual(expect.arrayContaining(['dog', 'bicycle']));
    expect(labelsOf(person!)).toEqual(expect.arrayContaining(['person', 'dog', 'horse']));
    for (const [r, width, height] of [
      [dog!, 768, 576],
      [person!, 640, 424],
    ] as const) {
      expect(Object.keys(r).sort()).toEqual(['classification', 'file', 'height', 'models', 'objects', 'width']);
      expect(r).toMatchObject({ width, height, models: { 'object-detector': '1.0.0', 'image-classifier': '1.0.0' } });
      const scores = r.objects!.map((o) => o.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const o of r.objects!) {
        expect(Object.keys(o).sort()).toEqual(['box', 'label', 'score']);
        expect(o.score).toBeGreaterThan(0.2);
        expect(o.box.x).toBeGreaterThanOrEqual(0);
        expect(o.box.y).toBeGreaterThanOrEqual(0);
        expect(o.box.x + o.box.width).toBeLessThanOrEqual(width + 0.1);
        expect(o.box.y + o.box.height).toBeLessThanOrEqual(height + 0.1);
      }
      const classes = r.classification!;
      expect(classes).toHaveLength(5);
      expect(classes.map((c) => c.label).sort()).toEqual([...nsfwjsLabels()].sort());
      const p = classes.map((c) => c.probability);
      expect(p).toEqual([...p].sort((a, b) => b - a));
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
    // Where the dog is: darknet's dog sits at the bottom left of dog.jpg.
    const theDog = dog!.objects!.find((o) => o.label === 'dog')!;
    expect(theDog.box.x + theDog.box.width / 2).toBeLessThan(768 / 2);
    expect(theDog.box.y + theDog.box.height / 2).toBeGreaterThan(576 / 2);
  }, 120_000);

  it('prints what the in-process pipeline (the worker’s code) returns, and a readable table', async () => {
    const r = await runCli(CLI, ['--registry', registry, '--json', '--features', 'objects,classification', DOG]);
    expect(r.code, r.stderr).toBe(0);
    const [cli] = JSON.parse(r.stdout) as ImageAnnotation[];
    const { image, scale } = await decodeImageFile(DOG);
    const direct = await analyzeWithFeatures(OBJECTS_AND_CLASSES, {
      image,
      scaleToOriginal: scale,
      runners: loaded.runners,
    });
    expect(cli!.objects).toEqual(direct.results.objects);
    expect(cli!.classification).toEqual(direct.results.classification);

    const table = await runCli(CLI, ['--registry', registry, '--features', 'objects,classification', DOG]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/dog\.jpg {2}768×576 {2}\d+ objects {2}\(\d+ ms\)/);
    expect(table.stdout).toMatch(/#\d+ {2}box \d+,\d+ \d+×\d+ {2}dog {2}score \d+%/);
    expect(table.stdout).toMatch(/#1 {2}(neutral|drawing|hentai|porn|sexy) {2}\d+%/);
  }, 120_000);

  it('runs faces, objects and classification together: one key per feature, every model version', async () => {
    const r = await runCli(CLI, [
      ...['--registry', registry, '--json', '--features', 'classification,faces,objects'],
      SAMPLES[0]!,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [result] = JSON.parse(r.stdout) as AnnotateOutput[];
    const a = result as ImageAnnotation;
    expect(Object.keys(a).sort()).toEqual(['classification', 'faces', 'file', 'height', 'models', 'objects', 'width']);
    expect(Object.keys(a.models).sort()).toEqual([
      'face-attributes',
      'face-detector',
      'face-expression',
      'image-classifier',
      'object-detector',
    ]);
    // sample1.jpg: three women; every face lies inside a detected person.
    expect(a.faces!.length).toBeGreaterThan(0);
    const people = a.objects!.filter((o) => o.label === 'person');
    for (const face of a.faces!) {
      const cx = face.box.x + face.box.width / 2;
      const cy = face.box.y + face.box.height / 2;
      const inside = people.some(
        (p) => cx >= p.box.x && cx <= p.box.x + p.box.width && cy >= p.box.y && cy <= p.box.y + p.box.height,
      );
      expect(inside, `face at ${cx},${cy}`).toBe(true);
    }
  }, 120_000);
});
