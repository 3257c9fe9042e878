/**
 * @file The function-level check: a version whose probe output does not match the manifest's
 * expectation (here a published SSD detector whose expected score was then changed and the
 * manifest re-signed) is downloaded and verified, then rejected at the probe stage before it
 * serves a single frame; the old version keeps serving the webcam, and the rejected bytes are
 * never tried again.
 */
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

test('a version with a wrong probe output is rejected at the probe stage; the old one keeps serving', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(120_000);
  await app.openServing(registry);

  const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.ssd512, {
    edit: (manifest) => {
      const probe = manifest.models['face-detector']!.versions['2.0.0']!.probe;
      probe.expect.scores = probe.expect.scores!.map((s) => Math.round((s - 0.25) * 1e6) / 1e6);
    },
  });
  await expect
    .poll(async () => (await app.logWhere({ sha256, stage: 'probed' })).map((r) => r.outcome), { timeout: 60_000 })
    .toEqual(['rejected']);
  // The log record is written as the stage fails; the mark-bad commit (which moves the target
  // back) follows a moment later, so wait for the state to settle rather than racing it.
  await expect
    .poll(async () => await app.model('face-detector'), { timeout: 10_000 })
    .toMatchObject({ active: '1.0.0', stage: 'rejected', stageVersion: '2.0.0', target: '1.0.0' });
  const model = await app.model('face-detector');
  expect(model.reason).toMatch(/output "scores"\[0\] is .*expected/);
  const rejected = (await app.logWhere({ sha256, stage: 'probed' }))[0]!;
  expect(rejected.durations).toMatchObject({ 'compat-checked': expect.any(Number), compiling: expect.any(Number) });

  // Serving never stopped, and the same bytes are not tried again on later polls.
  const processed = (await app.status()).frames.processed;
  await page.waitForTimeout(3000);
  const after = await app.status();
  expect(after.frames.processed).toBeGreaterThan(processed);
  expect(after.frames.errors).toBe(0);
  expect(await app.logWhere({ sha256, stage: 'compiling' })).toHaveLength(1);
  expect(registry.blobRequests(sha256)).toHaveLength(1);
  await expect(page.getByTestId('hud')).toContainText('detector 1.0.0');
  await expect(page.getByTestId('update-alert')).toHaveText('update rejected: face-detector 2.0.0');

  await page.getByRole('tab', { name: 'Models' }).click();
  const card = page.getByTestId('model-face-detector');
  await expect(card.getByTestId('model-stage')).toHaveText('Rejected 2.0.0');
  await expect(card.getByRole('row', { name: /2\.0\.0/ })).toContainText('bad (probed)');
});
