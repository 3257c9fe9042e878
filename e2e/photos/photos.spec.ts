/**
 * @file Photos end to end: the six face-api samples dropped on the page are annotated in the
 * worker exactly as `npm run annotate --json` annotates them in Node (same models, same
 * pipeline), and each result downloads as the same JSON and as an annotated PNG.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { AnnotateOutput, ImageAnnotation } from '../../src/shared/results.ts';
import { expect, test } from '../support/fixtures.ts';
import { ANNOTATE_JSON, LARGE_PHOTO, SAMPLES } from '../support/paths.ts';
import { MAX_INFERENCE_SIDE } from '../../src/shared/pipeline/limits.ts';

/** `npm run annotate --json` for the six samples, then the large photo (globalSetup). */
function reference(): ImageAnnotation[] {
  const entries = JSON.parse(readFileSync(ANNOTATE_JSON, 'utf8')) as AnnotateOutput[];
  return entries.map((e) => {
    if ('error' in e) throw new Error(`npm run annotate failed on ${e.file}: ${e.error}`);
    return e;
  });
}

/** Asserts the app's annotation equals annotate's within the agreed tolerances. */
function expectSameFaces(got: ImageAnnotation, want: ImageAnnotation): void {
  const where = got.file;
  expect(basename(want.file), where).toBe(got.file);
  expect([got.width, got.height], where).toEqual([want.width, want.height]);
  expect(got.models, where).toEqual(want.models);
  expect(got.faces!.length, `${where}: face count`).toBe(want.faces!.length);
  got.faces!.forEach((face, j) => {
    const ref = want.faces![j]!;
    const at = `${where} face ${j + 1}`;
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      expect(Math.abs(face.box[k] - ref.box[k]), `${at} box.${k}`).toBeLessThanOrEqual(1);
    }
    expect(face.gender, `${at} gender`).toBe(ref.gender);
    expect(face.quality, `${at} quality`).toBe(ref.quality);
    if (ref.age === null) expect(face.age, `${at} age`).toBeNull();
    else expect(Math.abs(face.age! - ref.age), `${at} age`).toBeLessThanOrEqual(0.05);
  });
}

test('dropped samples match npm run annotate --json (faces, boxes ±1 px, ages ±0.05, genders)', async ({
  app,
  page,
}) => {
  const expected = reference();
  await app.open();
  await app.ready();
  await app.drop(SAMPLES);
  await app.batchDone(SAMPLES.length);
  await expect(page.getByTestId('result-card')).toHaveCount(SAMPLES.length);
  await expect(page.getByTestId('error-card')).toHaveCount(0);

  const results = await app.lastResults();
  expect(results.map((r) => r.file)).toEqual(SAMPLES.map((p) => basename(p)));
  expect(results.reduce((n, r) => n + r.faces!.length, 0)).toBeGreaterThan(0);
  results.forEach((got, i) => expectSameFaces(got, expected[i]!));

  // Per-face details are listed on the cards.
  const faces = expected.slice(0, SAMPLES.length).reduce((n, r) => n + r.faces!.length, 0);
  await expect(page.getByTestId('face')).toHaveCount(faces);

  // Each card shows its photo (decoded by the browser from the file, at the photo's size and
  // orientation) under a canvas with the boxes drawn at the size the card is shown.
  for (const got of results) {
    const preview = page.getByRole('img', { name: new RegExp(`^${got.file.replace('.', '\\.')}, annotated`) });
    await expect(preview).toBeVisible();
    await expect
      .poll(() =>
        preview.evaluate((el) => {
          const photo = el.querySelector('img')!;
          const overlay = el.querySelector('canvas')!;
          const pixels = overlay.getContext('2d')!.getImageData(0, 0, overlay.width, overlay.height).data;
          let drawn = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) drawn++;
          return {
            photo: photo.complete ? [photo.naturalWidth, photo.naturalHeight] : null,
            overlayMatchesShown: Math.abs(overlay.width - overlay.clientWidth * devicePixelRatio) <= 1,
            drawn: drawn > 0,
          };
        }),
      )
      .toEqual({ photo: [got.width, got.height], overlayMatchesShown: true, drawn: got.faces!.length > 0 });
  }
  await app.screenshot('photo-gallery');
});

test('a result downloads as the annotate JSON and as an annotated PNG', async ({ app, page }) => {
  await app.open();
  await app.ready();
  await app.pick([SAMPLES[1]!]);
  await app.batchDone(1);
  const [annotation] = await app.lastResults();
  const name = basename(SAMPLES[1]!);

  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download ${name} annotations as JSON` }).click(),
  ]);
  expect(json.suggestedFilename()).toBe('sample2.json');
  const body = JSON.parse(readFileSync(await json.path(), 'utf8')) as ImageAnnotation;
  expect(Object.keys(body).sort()).toEqual(['faces', 'file', 'height', 'models', 'width']);
  expect(body).toEqual(annotation);

  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download ${name} as annotated PNG` }).click(),
  ]);
  expect(png.suggestedFilename()).toBe('sample2.annotated.png');
  const bytes = readFileSync(await png.path());
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([annotation!.width, annotation!.height]);
});

test('the gallery fits a phone-width screen without horizontal scrolling', async ({ app, page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await app.open();
  await app.ready();
  await app.pick([SAMPLES[5]!]);
  await app.batchDone(1);
  await expect(page.getByTestId('result-card')).toBeVisible();
  const overflow = await page.evaluate(() => {
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  expect(overflow).toBeLessThanOrEqual(0);
  await app.screenshot('phone-gallery');
  // The dark theme follows prefers-color-scheme.
  await page.emulateMedia({ colorScheme: 'dark' });
  const background = await page.evaluate(
    () =>
      (
        globalThis as unknown as {
          getComputedStyle(e: unknown): { backgroundColor: string };
          document: { body: unknown };
        }
      ).getComputedStyle((globalThis as unknown as { document: { documentElement: unknown } }).document.documentElement)
        .backgroundColor,
  );
  expect(background).toBe('rgb(11, 17, 32)');
  await app.screenshot('phone-gallery-dark');
});

test('a photo above MAX_INFERENCE_SIDE is downscaled for inference, boxes in original pixels, as annotate does', async ({
  app,
  page,
}) => {
  const want = reference()[SAMPLES.length]!;
  expect(Math.max(want.width, want.height)).toBeGreaterThan(MAX_INFERENCE_SIDE);
  await app.open();
  await app.ready();
  await app.pick([LARGE_PHOTO]);
  await app.batchDone(1);
  await expect(page.getByTestId('result-card')).toContainText(`${want.width}×${want.height}`);
  const [got] = await app.lastResults();
  expect(got!.faces!.length).toBeGreaterThan(0);
  expectSameFaces(got!, want);
});
