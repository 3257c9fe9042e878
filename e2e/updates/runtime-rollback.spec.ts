/**
 * @file The health check after a flip: a published detector that passes its probe (bright probe
 * image) but returns NaN on the dark webcam frames goes live, fails K=3 frames in a row, and is
 * rolled back automatically to the previous version — from IndexedDB, no download — and marked
 * bad, so later polls never bring it back.
 */
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

test('a version that fails on real frames after its flip is rolled back automatically and marked bad', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(120_000);
  await app.openServing(registry);
  expect((await app.status()).frames.errors).toBe(0);
  const blobsBefore = registry.blobRequests().length;

  const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.nanOnDark);
  // It passes every check, so it serves…
  await expect
    .poll(async () => (await app.logWhere({ sha256, stage: 'serving', outcome: 'ok' })).length, { timeout: 60_000 })
    .toBe(1);
  // …until three consecutive frames fail on it.
  await expect
    .poll(async () => (await app.logWhere({ model: 'face-detector', outcome: 'rolled-back' })).length, {
      timeout: 30_000,
    })
    .toBe(1);
  const [rollback] = await app.logWhere({ model: 'face-detector', outcome: 'rolled-back' });
  expect(rollback).toMatchObject({ version: '2.0.0', sha256 });
  expect(rollback!.reason).toMatch(/^runtime rollback to 1\.0\.0: 3 consecutive failures after the swap .*non-finite/);
  expect(await app.serves('face-detector', '1.0.0')).toMatchObject({ previous: '2.0.0', target: '1.0.0' });
  // Only the one download of the faulty blob; the rollback came from IndexedDB.
  expect(registry.blobRequests()).toHaveLength(blobsBefore + 1);

  // Healthy again, and the bad version stays out.
  const settled = await app.status();
  expect(settled.frames.errors).toBeGreaterThanOrEqual(3);
  await page.waitForTimeout(3000);
  const later = await app.status();
  expect(later.frames.errors).toBe(settled.frames.errors);
  expect(later.frames.processed).toBeGreaterThan(settled.frames.processed);
  expect(await app.logWhere({ sha256, stage: 'compiling' })).toHaveLength(1);
  await page.getByRole('tab', { name: 'Models' }).click();
  const card = page.getByTestId('model-face-detector');
  await expect(card.getByRole('button', { name: 'Roll back face-detector to 2.0.0' })).toBeDisabled();
  await expect(card.getByTestId('model-active')).toHaveText('1.0.0');
});
