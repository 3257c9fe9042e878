/**
 * @file Objects live, and a detector update while it runs: the fake webcam (face-api's
 * sample1.jpg, three people) is annotated with Objects on by object-detector 1.0.0; a model
 * team publishes 1.0.1 (same network, float32 weights) with `npm run publish-model`, and this
 * page serves it within a few poll intervals — every stage logged in order, frames never stop,
 * no frame fails, the page never reloads, the HUD caption keeps naming the people.
 */
import { expect, test } from '../support/fixtures.ts';
import { FEATURE_MODELS, publishFeatureModels } from '../support/feature-models.ts';

type Marked = { __marker?: string };

test('object-detector 1.0.1 is hot-swapped into the running webcam with Objects on', async ({
  app,
  page,
  registry,
}) => {
  // Generous: centernet at 512 px takes 0.2–2.5 s per frame on a shared 2-core machine.
  test.setTimeout(420_000);
  await publishFeatureModels(registry.dir);
  await app.openServing(registry, '&features=objects');
  const status = await app.status();
  expect(status.features.serving).toEqual(['objects']);
  expect(status.models['object-detector']).toMatchObject({ active: '1.0.0', stage: 'idle' });
  // Features that are off load nothing and wait, idle.
  expect(status.models['face-detector']).toMatchObject({ active: null, stage: 'idle' });
  await page.evaluate(() => ((globalThis as unknown as Marked).__marker = 'no reload'));
  await expect(page.getByTestId('hud-objects')).toContainText(/\d+ objects?: .*person/);
  await app.screenshot('objects-webcam');

  const { sha256 } = await registry.publish('object-detector', '1.0.1', FEATURE_MODELS.objectDetectorFloat32);
  const served = await app.serves('object-detector', '1.0.1', 180_000);
  expect(served).toMatchObject({ previous: '1.0.0', channel: 'stable' });
  // Frames keep coming on the new version, and none failed across the swap.
  await app.framesAbove((await app.status()).frames.processed + 2, 90_000);
  await app.keepsAnnotating();
  const after = await app.status();
  expect(after.frames.errors).toBe(0);
  expect(await page.evaluate(() => (globalThis as unknown as Marked).__marker)).toBe('no reload');
  await expect(page.getByTestId('hud')).toContainText('object-detector 1.0.1');
  await expect(page.getByTestId('hud-objects')).toContainText(/person/);
  const stages = after.log.filter((r) => r.sha256 === sha256).map((r) => `${r.source}:${r.stage}:${r.outcome}`);
  expect(stages).toEqual([
    'sw:found:ok',
    'sw:downloading:ok',
    'sw:verifying:ok',
    'sw:stored:ok',
    'worker:compat-checked:ok',
    'worker:compiling:ok',
    'worker:probed:ok',
    'worker:warmed:ok',
    'worker:serving:ok',
    'worker:draining:ok',
    'worker:released:ok',
  ]);
});
