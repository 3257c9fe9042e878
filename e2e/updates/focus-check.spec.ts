/**
 * @file Update checks on page focus: with an hour-long poll interval nothing notices a publish
 * on its own, but the page becoming focused again asks the service worker to check (at most
 * once per 10 s), and the new version is swapped in.
 */
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

test('focusing the page checks for updates; the poll interval alone would not for an hour', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(90_000);
  await app.open(`?registry=${encodeURIComponent(registry.url)}&poll=3600000`);
  await app.ready();
  await app.controlled();
  expect((await app.status()).updates.pollIntervalMs).toBe(3_600_000);
  const checked = registry.requests.filter((r) => r.path === '/manifest.json').length;

  const { sha256 } = await registry.publish('face-detector', '1.1.0', MODEL_FILES.tiny320);
  await page.waitForTimeout(5000);
  const manifestChecks = () => registry.requests.filter((r) => r.path === '/manifest.json').length;
  expect(manifestChecks()).toBe(checked);
  expect((await app.model('face-detector')).active).toBe('1.0.0');

  // Focus checks are skipped within 10 s of the previous check (a storm of tab switches costs one
  // request), so right after the page opened the user may have to come back more than once.
  const focus = () =>
    page.evaluate(() =>
      (globalThis as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new Event('focus')),
    );
  await expect
    .poll(
      async () => {
        await focus();
        return manifestChecks();
      },
      { timeout: 40_000, intervals: [2000] },
    )
    .toBeGreaterThan(checked);
  expect(await app.serves('face-detector', '1.1.0')).toMatchObject({ channel: 'stable', previous: '1.0.0' });
  expect(registry.blobRequests(sha256)).toHaveLength(1);
});
