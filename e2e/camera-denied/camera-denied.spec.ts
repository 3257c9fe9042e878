/**
 * @file Camera permission denied: a clear message says what to do, and photos still work.
 */
import { expect, test } from '../support/fixtures.ts';
import { SAMPLES } from '../support/paths.ts';

test('a denied camera shows a clear message and photos still annotate', async ({ app, page }) => {
  await app.open();
  await app.ready();
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();

  const alert = page.getByTestId('camera-error');
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('Camera blocked');
  await expect(alert).toContainText('use photos instead');
  expect((await app.status()).error.camera).toBe('CameraDeniedError');
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
  await app.screenshot('camera-denied');

  await page.getByRole('tab', { name: 'Photos' }).click();
  await app.pick([SAMPLES[0]!]);
  await app.batchDone(1);
  await expect(page.getByTestId('result-card')).toHaveCount(1);
  const [result] = await app.lastResults();
  expect(result!.file).toBe('sample1.jpg');
  expect(result!.faces!.length).toBeGreaterThan(0);
});
