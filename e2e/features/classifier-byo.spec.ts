/**
 * @file Bring your own classifier, in the browser: while the webcam runs with Classification on
 * (image-classifier 1.0.0, nsfwjs's 5 classes), a model team wraps a torchvision ResNet-18
 * export with `npm run adapt-model` and publishes it as image-classifier 2.0.0 with its 1000
 * ImageNet labels (`npm run publish-model --labels`). The page swaps it in without a reload or
 * a failed frame, and then classifies with 1000-label output: the HUD caption and a photo's
 * top 5 name ImageNet classes. The export is a stand-in (the real ResNet-18 architecture with
 * seeded random weights: no trained ResNet weights are reachable here), so the classes it
 * picks mean nothing; the plumbing is what is proven.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '../support/fixtures.ts';
import { SAMPLES } from '../support/paths.ts';
import {
  FEATURE_MODELS,
  publishFeatureModels,
  publishWithTask,
  writeWrappedResnet,
} from '../support/feature-models.ts';

type Marked = { __marker?: string };

test('a wrapped ResNet-18 published as image-classifier 2.0.0 serves with 1000-label output, live', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(480_000);
  await writeWrappedResnet();
  const imagenet = JSON.parse(readFileSync(FEATURE_MODELS.resnetLabels, 'utf8')) as string[];
  expect(imagenet).toHaveLength(1000);
  await publishFeatureModels(registry.dir);
  await app.openServing(registry, '&features=classification');
  expect((await app.model('image-classifier')).active).toBe('1.0.0');
  await page.evaluate(() => ((globalThis as unknown as Marked).__marker = 'no reload'));
  await expect(page.getByTestId('hud-classification')).toContainText(/(drawing|neutral|sexy|porn|hentai) \d+%/);

  const publishing = Date.now();
  await publishWithTask(
    registry.dir,
    'image-classifier',
    '2.0.0',
    FEATURE_MODELS.resnetWrapped,
    'image-classification',
    FEATURE_MODELS.resnetLabels,
  );
  const published = registry.manifest().models['image-classifier']!.versions['2.0.0']!;
  expect(published.labels).toEqual(imagenet);
  const served = await app.serves('image-classifier', '2.0.0', 240_000);
  expect(served).toMatchObject({ previous: '1.0.0', channel: 'stable' });
  const swapSeconds = (Date.now() - publishing) / 1000;

  // Frames keep coming on the new version, and its caption names ImageNet classes.
  await app.framesAbove((await app.status()).frames.processed + 2, 90_000);
  await app.keepsAnnotating();
  const caption = (await page.getByTestId('hud-classification').textContent()) ?? '';
  const top = caption
    .replace(/^classification/, '')
    .split(' · ')[0]!
    .replace(/ \d+%$/, '');
  expect(imagenet, `caption "${caption}"`).toContain(top);
  const status = await app.status();
  expect(status.frames.errors).toBe(0);
  expect(await page.evaluate(() => (globalThis as unknown as Marked).__marker)).toBe('no reload');
  const stages = status.log.filter((r) => r.sha256 === published.sha256).map((r) => `${r.stage}:${r.outcome}`);
  expect(stages).toEqual(expect.arrayContaining(['probed:ok', 'serving:ok', 'released:ok']));
  await expect(page.getByTestId('hud')).toContainText('image-classifier 2.0.0');
  test.info().annotations.push({ type: 'publish → serving', description: `${swapSeconds.toFixed(1)} s` });

  // A photo: the top 5 of 1000 classes, ImageNet names, from version 2.0.0.
  await page.getByRole('tab', { name: 'Photos' }).click();
  await app.pick([SAMPLES[1]!]);
  await app.batchDone(1);
  const [result] = await app.lastResults();
  expect(result!.models).toEqual({ 'image-classifier': '2.0.0' });
  expect(result!.classification).toHaveLength(5);
  for (const c of result!.classification!) expect(imagenet).toContain(c.label);
  await expect(page.getByTestId('class')).toHaveCount(3);
});
