/**
 * @file One replay floor per registry identity, not per URL string. The attack of issue 14: a
 * client accepted serial 2 (face-detector 1.1.0); a link then points it at the same registry
 * under another spelling of its URL (a doubled slash reaches the same files), where an older
 * genuine manifest (serial 1, face-detector 1.0.0) is served. The signed `registry` identity of
 * that manifest is the one whose floor is 2, so it is refused as a replay: the active version
 * does not move, the refusal is shown, and a later ordinary visit still serves 1.1.0 at serial 2.
 * And a `?registry=` outside the build's allowlist is refused visibly and ignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

/** The detector serves `version` at manifest `serial`, the webcam annotated without errors. */
async function holds(app: HotlensPage, version: string, serial: number): Promise<void> {
  const status = await app.status();
  expect(status.models['face-detector']).toMatchObject({ active: version });
  expect(status.updates.serial).toBe(serial);
  await app.keepsAnnotating();
}

test('an older signed manifest under another spelling of the registry URL is refused as a replay', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(180_000);
  const older = readFileSync(join(registry.dir, 'manifest.json'), 'utf8');
  const olderSerial = (JSON.parse(older) as { serial: number }).serial;
  await app.openServing(registry);
  await registry.publish('face-detector', '1.1.0', MODEL_FILES.tiny320);
  const serial = registry.manifest().serial;
  expect(serial).toBe(olderSerial + 1);
  await app.serves('face-detector', '1.1.0');
  await expect.poll(async () => (await app.status()).updates.serial).toBe(serial);

  // The same registry spelled with a doubled slash answers the older genuine manifest.
  const respelled = `${registry.url}/`;
  registry.fault({ path: '//manifest.json', body: older, times: 100_000 });
  await app.open(`?registry=${encodeURIComponent(respelled)}&poll=1000&camera=on`);
  await app.ready();
  await app.framesAbove(3);
  await expect
    .poll(async () => (await app.status()).updates.manifestProblem ?? '', { timeout: 30_000 })
    .toMatch(new RegExp(`serial ${olderSerial} .*last accepted serial ${serial}`));
  await page.waitForTimeout(3000); // a few more polls of the replayed file
  expect(registry.requests.filter((r) => r.path === '//manifest.json' && r.fault === 'body').length).toBeGreaterThan(1);
  await holds(app, '1.1.0', serial);
  expect(await app.logWhere({ model: 'face-detector', version: '1.0.0', stage: 'serving' })).toHaveLength(1);
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'The registry published a manifest this app refused' }),
  ).toContainText(`serial ${olderSerial}`);

  // A later ordinary visit: still 1.1.0 at serial 2, and the refusal is over.
  await app.openServing(registry);
  await page.waitForTimeout(2000);
  await holds(app, '1.1.0', serial);
  await expect.poll(async () => (await app.status()).updates.manifestProblem).toBeNull();
});

test('a ?registry= outside the allowlist is refused visibly; the app follows its own registry', async ({
  app,
  page,
}) => {
  test.setTimeout(120_000);
  await app.open('?registry=https%3A%2F%2Fmodels.example.com%2Fhotlens%2F&camera=on');
  const status = await app.ready();
  expect(status.updates.registryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/models\/$/);
  expect(status.updates.registryRefused).toMatch(/https:\/\/models\.example\.com/);
  await app.framesAbove(3);
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'registry in this link was refused' })).toContainText(
    'https://models.example.com/hotlens/',
  );
});
