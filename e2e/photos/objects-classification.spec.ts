/**
 * @file Objects and Classification on photos, end to end: Debian darknet's dog, person and kite
 * photos and face-api's sample1.jpg, picked with `?features=objects,classification`, are
 * annotated in the worker exactly as `npm run annotate --json` annotates them in Node (same
 * models, same pipeline): the same objects in the same order, boxes within 1 px (as the faces
 * spec), scores and probabilities within 1e-3 (the probe tolerance; results carry 4 decimals).
 * The cards list the objects and the top 3 classes with bars; the JSON download is the annotate
 * entry with both keys; the PNG is the photo's size. The picker's choice is remembered;
 * `?features=` overrides it for one visit.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import type { AnnotateOutput, ImageAnnotation } from '../../src/shared/results.ts';
import { expect, test } from '../support/fixtures.ts';
import { SAMPLES } from '../support/paths.ts';

const DARKNET = ['dog', 'person', 'kite'].map((n) => `/usr/share/darknet/data/${n}.jpg`);
const PHOTOS = [...DARKNET, SAMPLES[0]!];
const FEATURES = 'objects,classification';

let reference: ImageAnnotation[] = [];

test.beforeAll(async () => {
  const missing = DARKNET.filter((p) => !existsSync(p));
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.join(', ')}: install the Debian package that ships them (apt-get install darknet)`,
    );
  // The registry the build serves (dist/models is a copy of public/models).
  const { stdout } = await promisify(execFile)(
    'npm',
    ['run', '--silent', 'annotate', '--', ...PHOTOS, '--features', FEATURES, '--json'],
    { maxBuffer: 16 << 20 },
  );
  reference = (JSON.parse(stdout) as AnnotateOutput[]).map((e) => {
    if ('error' in e) throw new Error(`npm run annotate failed on ${e.file}: ${e.error}`);
    return e;
  });
});

function expectSameAnnotation(got: ImageAnnotation, want: ImageAnnotation): void {
  const where = got.file;
  expect(got.file).toBe(basename(want.file));
  expect([got.width, got.height], where).toEqual([want.width, want.height]);
  expect(got.models, where).toEqual(want.models);
  expect(Object.keys(got).sort(), where).toEqual(['classification', 'file', 'height', 'models', 'objects', 'width']);
  expect(
    got.objects!.map((o) => o.label),
    `${where}: objects`,
  ).toEqual(want.objects!.map((o) => o.label));
  got.objects!.forEach((o, i) => {
    const ref = want.objects![i]!;
    for (const k of ['x', 'y', 'width', 'height'] as const)
      expect(Math.abs(o.box[k] - ref.box[k]), `${where} object ${i + 1} box.${k}`).toBeLessThanOrEqual(1);
    expect(Math.abs(o.score - ref.score), `${where} object ${i + 1} score`).toBeLessThanOrEqual(1e-3);
  });
  expect(
    got.classification!.map((c) => c.label),
    `${where}: classes`,
  ).toEqual(want.classification!.map((c) => c.label));
  got.classification!.forEach((c, i) =>
    expect(
      Math.abs(c.probability - want.classification![i]!.probability),
      `${where} class ${i + 1}`,
    ).toBeLessThanOrEqual(1e-3),
  );
}

test('picked photos match npm run annotate --json (objects ±1 px, scores and probabilities ±1e-3)', async ({
  app,
  page,
}) => {
  test.setTimeout(300_000);
  await app.open(`?features=${FEATURES}`);
  await app.ready();
  expect((await app.status()).features.serving).toEqual(['objects', 'classification']);
  await app.pick(PHOTOS);
  await app.batchDone(PHOTOS.length);
  await expect(page.getByTestId('result-card')).toHaveCount(PHOTOS.length);
  await expect(page.getByTestId('error-card')).toHaveCount(0);

  const results = await app.lastResults();
  expect(results.map((r) => r.file)).toEqual(PHOTOS.map((p) => basename(p)));
  results.forEach((got, i) => expectSameAnnotation(got, reference[i]!));
  expect(results[0]!.objects!.map((o) => o.label)).toEqual(expect.arrayContaining(['dog', 'bicycle']));
  expect(results[1]!.objects!.map((o) => o.label)).toEqual(expect.arrayContaining(['person', 'dog', 'horse']));

  // One row per object; the top 3 classes with probability bars on every card.
  const objects = results.reduce((n, r) => n + r.objects!.length, 0);
  await expect(page.getByTestId('object')).toHaveCount(objects);
  await expect(page.getByTestId('class')).toHaveCount(3 * PHOTOS.length);
  await expect(page.locator('[data-testid="class"] .details__bar').first()).toBeVisible();
  await expect(page.getByTestId('face')).toHaveCount(0);
  await app.screenshot('objects-classification-gallery');
});

test('a result downloads as the annotate JSON with objects and classification, and as an annotated PNG', async ({
  app,
  page,
}) => {
  test.setTimeout(180_000);
  await app.open(`?features=faces,${FEATURES}`);
  await app.ready();
  await app.pick([SAMPLES[0]!]);
  await app.batchDone(1);
  const [annotation] = await app.lastResults();
  const name = basename(SAMPLES[0]!);
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download ${name} annotations as JSON` }).click(),
  ]);
  const body = JSON.parse(readFileSync(await json.path(), 'utf8')) as ImageAnnotation;
  expect(Object.keys(body).sort()).toEqual(['classification', 'faces', 'file', 'height', 'models', 'objects', 'width']);
  expect(body).toEqual(annotation);
  expect(body.objects!.length).toBeGreaterThan(0);

  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download ${name} as annotated PNG` }).click(),
  ]);
  const bytes = readFileSync(await png.path());
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([annotation!.width, annotation!.height]);
});

test('the picker’s choice is remembered; ?features= overrides it for one visit', async ({ app, page }) => {
  test.setTimeout(240_000);
  await app.open();
  await app.ready();
  expect((await app.status()).features.serving).toEqual(['faces']);
  await page.getByRole('checkbox', { name: 'Objects' }).check();
  await expect
    .poll(async () => (await app.status()).features.serving, { timeout: 120_000 })
    .toEqual(['faces', 'objects']);
  expect((await app.model('object-detector')).active).toBe('1.0.0');

  await page.reload();
  await app.ready();
  await expect(page.getByRole('checkbox', { name: 'Objects' })).toBeChecked();
  expect((await app.status()).features.serving).toEqual(['faces', 'objects']);

  await app.open('?features=classification');
  await app.ready();
  expect((await app.status()).features.serving).toEqual(['classification']);
  await expect(page.getByRole('checkbox', { name: 'Faces' })).not.toBeChecked();
});
