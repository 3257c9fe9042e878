/**
 * @file Several tabs of the app, one origin: model bytes are downloaded once (the service
 * worker and every tab's worker take the same Web Lock per blob, so whoever comes second finds
 * the blob stored), even when both tabs and the service worker's poll race on the same update;
 * every stored blob still hashes to its name, and the published version is swapped into every tab.
 */
import { expect, HotlensPage, test, watchPageErrors } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

test('two tabs share one download of each blob and both swap to a published version', async ({
  app,
  context,
  registry,
}, testInfo) => {
  test.setTimeout(120_000);
  await app.openControlled(registry);
  const page2 = await context.newPage();
  const checkErrors = watchPageErrors(page2);
  const second = new HotlensPage(page2, testInfo);
  await second.openControlled(registry);
  for (const tab of [app, second]) expect((await tab.model('face-detector')).active).toBe('1.0.0');
  // Both tabs started: each 1.0.0 blob crossed the network once.
  for (const m of Object.values(registry.manifest().models)) {
    expect(registry.blobRequests(m.versions['1.0.0']!.sha256)).toHaveLength(1);
  }

  const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.ssd512);
  // Both tabs ask at once while the service worker's own 1 s poll runs: a three-way race.
  await Promise.all([app.checkForUpdates(), second.checkForUpdates()]);
  await Promise.all([app.serves('face-detector', '2.0.0'), second.serves('face-detector', '2.0.0')]);
  expect(registry.blobRequests(sha256)).toHaveLength(1);
  // No corrupted state: every stored blob hashes to its key, and the new one is among them.
  const stored = await app.storedBlobDigests();
  expect(stored.map((b) => b.key)).toContain(sha256);
  for (const blob of stored) expect(blob.digest).toBe(blob.key);
  for (const tab of [app, second]) {
    const flips = await tab.logWhere({ sha256, stage: 'serving', outcome: 'ok' });
    // Each tab logs its own flip and hears the other's on the models channel.
    expect(flips.length).toBeGreaterThanOrEqual(1);
    expect((await tab.status()).frames.errors).toBe(0);
  }
  await page2.close();
  checkErrors();
});
