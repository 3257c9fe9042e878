/**
 * @file Rollout controls against a registry the test publishes into: a canary at 0% reaches
 * nobody (not even a download), a canary at 100% reaches everybody and the Models panel says
 * which channel a model follows; a pinned version holds across a newly published stable, and
 * unpinning returns to the channel. The panel's controls are used by keyboard and announce
 * what happened.
 */
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

test('canary at 0% and 100%, and a pin that holds across a published update', async ({ app, page, registry }) => {
  test.setTimeout(150_000);
  await app.openControlled(registry);

  // 0%: this client's bucket (0..99) is never below 0, so nothing is downloaded or swapped.
  const zero = await registry.publish('face-detector', '2.0.0', MODEL_FILES.ssd512, { canary: 0 });
  expect((await app.checkForUpdates()).serial).toBe(registry.manifest().serial);
  await page.waitForTimeout(3000); // three polls
  expect(await app.model('face-detector')).toMatchObject({ active: '1.0.0', channel: 'stable', target: '1.0.0' });
  expect(registry.blobRequests(zero.sha256)).toEqual([]);
  expect(await app.logWhere({ sha256: zero.sha256 })).toEqual([]);

  // 100%: every bucket is below 100.
  await registry.publish('face-detector', '1.1.0', MODEL_FILES.tiny320, { canary: 100 });
  const canary = await app.serves('face-detector', '1.1.0');
  expect(canary).toMatchObject({ channel: 'canary', previous: '1.0.0' });
  await page.getByRole('tab', { name: 'Models' }).click();
  const card = page.getByTestId('model-face-detector');
  await expect(card.getByTestId('model-channel')).toHaveText(/^canary \(bucket \d+\)$/);
  await expect(card.getByTestId('model-active')).toHaveText('1.1.0');

  // Pin the previous version (cached: no download), by keyboard; then publish a new stable: the pin holds.
  await card.getByLabel('Version of face-detector to pin').selectOption('1.0.0');
  await card.getByRole('button', { name: 'Pin face-detector to 1.0.0' }).focus();
  await page.keyboard.press('Enter');
  expect(await app.serves('face-detector', '1.0.0')).toMatchObject({ channel: 'pinned', pinned: '1.0.0' });
  await expect(page.getByTestId('announcer')).toHaveText('face-detector now serves 1.0.0 (pinned).');
  const stable = await registry.publish('face-detector', '3.0.0', MODEL_FILES.tiny224);
  await page.getByRole('button', { name: 'Check now' }).click();
  // The check may join one the 1 s poll had already started before the publish: wait for the
  // serial, not for the "up to date" text (an earlier poll already shows it).
  await expect.poll(async () => (await app.status()).updates.serial).toBe(registry.manifest().serial);
  await expect(page.getByTestId('last-check')).toContainText(/^Last check at .*: up to date\.$/);
  await page.waitForTimeout(2000);
  expect(await app.model('face-detector')).toMatchObject({ active: '1.0.0', channel: 'pinned', target: '1.0.0' });
  expect((await app.model('face-detector')).versions).toEqual(['3.0.0', '2.0.0', '1.1.0', '1.0.0']);
  expect(registry.blobRequests(stable.sha256)).toEqual([]);
  await expect(card.getByTestId('model-channel')).toHaveText('pinned');
  await app.screenshot('models-panel');

  // Unpinned, the model follows its channel again: the 100% canary.
  await card.getByRole('button', { name: 'Unpin face-detector' }).focus();
  await page.keyboard.press('Space');
  expect(await app.serves('face-detector', '1.1.0')).toMatchObject({ channel: 'canary', pinned: null });
  expect((await app.status()).frames.errors).toBe(0);
});
