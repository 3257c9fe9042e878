/**
 * @file A registry whose manifest.json breaks, through the real service worker: 404, 500, a
 * response that stalls, invalid JSON, a schema-invalid manifest and ones with a required field
 * missing (signed: an unsigned one is refused for its signature first). Each is served for as long as the test looks (a fault on every poll), and each is
 * ignored with its reason in the Models panel (the update log and the status line for an
 * unreachable manifest, the "refused" alert for a bad one); the last good manifest stays in
 * force, nothing is downloaded or stored, and the webcam keeps being annotated with zero frame
 * errors. Then a good publish is picked up as usual.
 */
import type { Page } from '@playwright/test';
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

type Json = Record<string, unknown>;

/** The stall timeout the app is opened with (ms), which also bounds a manifest request. */
const STALL_MS = 3000;

/** `text` as a literal inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The 1.0.0 entry of face-detector in a manifest object. */
function detector100(m: Json): Json {
  const models = m.models as Record<string, { versions: Record<string, Json> }>;
  return models['face-detector']!.versions['1.0.0']!;
}

/** Nothing changed for the app: same serial, same versions, frames still annotated without error. */
async function unchanged(app: HotlensPage, page: Page, serial: number, blobs: string[]): Promise<void> {
  const before = (await app.status()).frames.processed;
  await page.waitForTimeout(1500); // at least one more poll with the fault in place
  const status = await app.status();
  expect(status.updates.serial).toBe(serial);
  expect(status.models['face-detector']).toMatchObject({ active: '1.0.0', target: '1.0.0' });
  // Polled: a loaded CI machine may pause frames for a moment; they must keep coming.
  await expect.poll(async () => (await app.status()).frames.processed, { timeout: 30_000 }).toBeGreaterThan(before);
  expect((await app.status()).frames.errors).toBe(0);
  expect((await app.cachedBlobs()).sort()).toEqual(blobs);
}

test('manifest 404, 500, stall, invalid JSON, schema-invalid and missing fields are each ignored with a reason', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(240_000);
  await app.openServing(registry, `&stall=${STALL_MS}`);
  const serial = registry.manifest().serial;
  await expect.poll(async () => (await app.status()).updates.serial).toBe(serial);
  const blobs = (await app.cachedBlobs()).sort();
  const blobGets = registry.blobRequests().length;
  await page.getByRole('tab', { name: 'Models' }).click();
  const log = page.getByRole('region', { name: 'Update log (scrollable)' });

  // Unreachable: the reason goes to the update log (once per outage) and the registry status line.
  const unreachable = [
    { fault: { status: 404 }, says: 'answered HTTP 404' },
    { fault: { status: 500 }, says: 'answered HTTP 500' },
    // Headers and a few bytes, then nothing: given up after the stall timeout, so polls go on.
    { fault: { stallAfter: 20 }, says: `broke off mid-answer (no complete answer within ${STALL_MS} ms)` },
  ];
  for (const { fault, says } of unreachable) {
    registry.fault({ path: 'manifest.json', ...fault, times: 1000 });
    await expect
      .poll(async () => (await app.logWhere({ model: 'manifest.json' })).map((r) => r.reason).at(-1), {
        timeout: 30_000,
      })
      .toMatch(
        new RegExp(`^manifest not fetched, the last accepted one stays in force: .*manifest\\.json ${escape(says)}$`),
      );
    await expect(page.getByRole('status').filter({ hasText: 'The registry cannot be reached' })).toContainText(says);
    await expect(log.getByRole('row', { name: new RegExp(escape(says)) })).toHaveCount(1);
    await unchanged(app, page, serial, blobs);
    // Polled again and again during the outage, logged once.
    const records = await app.logWhere({ model: 'manifest.json' });
    expect(records.filter((r) => r.reason === records.at(-1)!.reason)).toHaveLength(1);
    registry.clearFaults();
  }

  // Served but refused: the reason is in the Models panel's alert; the accepted manifest stays.
  const refused = [
    {
      what: 'invalid JSON',
      body: '{"schema": 1, "serial": 9, "models": {',
      reason: /manifest\.json is not valid JSON/,
    },
    {
      what: 'schema-invalid',
      body: await registry.manifestText((m) => {
        m.serial = serial + 1;
        detector100(m).bytes = 'a lot';
      }),
      reason: /invalid manifest: models\["face-detector"\]\.versions\["1\.0\.0"\]\.bytes must be a positive integer/,
    },
    {
      what: 'missing field',
      body: await registry.manifestText((m) => {
        m.serial = serial + 1;
        delete detector100(m).sha256;
      }),
      reason: /invalid manifest: models\["face-detector"\]\.versions\["1\.0\.0"\]\.sha256 is missing/,
    },
    {
      what: 'no serial',
      body: await registry.manifestText((m) => {
        delete m.serial;
      }),
      reason: /invalid manifest: serial is missing/,
    },
  ];
  for (const { what, body, reason } of refused) {
    registry.fault({ path: 'manifest.json', body, times: 1000 });
    const alert = page.getByRole('alert').filter({ hasText: 'The registry published a manifest this app refused' });
    await expect(alert, what).toContainText(reason, { timeout: 30_000 });
    await expect(alert).toContainText('The models in use keep serving');
    await unchanged(app, page, serial, blobs);
    registry.clearFaults();
  }
  // Nothing was downloaded while the manifest was broken.
  expect(registry.blobRequests()).toHaveLength(blobGets);

  // The next good publish is picked up and served.
  const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.tiny320);
  await app.serves('face-detector', '2.0.0', 90_000);
  await expect.poll(async () => (await app.status()).updates.serial).toBe(serial + 1);
  expect(await app.cachedBlobs()).toContain(sha256);
  expect((await app.status()).frames.errors).toBe(0);
});
