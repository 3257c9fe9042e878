/**
 * @file A model blob that arrives broken, through the real service worker and a registry server
 * that misbehaves on purpose (tools/registry-server/faults.ts): one flipped bit (sha256 mismatch
 * → rejected, never stored, not retried), a connection dropped mid-blob (retried after a backoff
 * wait, resumed with HTTP Range → serves), a stalled response (the stall timeout, shortened with
 * `?stall=`, abandons it → resumed → serves) and a short "complete" response on every attempt
 * (a clear failure after the retries, then the next poll downloads it and it serves). Throughout,
 * the webcam keeps being annotated by the old version with zero frame errors, and every failure
 * and retry is in the update log of the Models panel.
 */
import type { Page } from '@playwright/test';
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import type { ServedRequest } from '../../tools/registry-server/static-server.ts';
import type { FaultKind } from '../../tools/registry-server/faults.ts';
import { MODEL_FILES } from '../support/paths.ts';
import { TestRegistry } from '../support/registry.ts';

/** The stall timeout the app is opened with (ms): seconds, not the users' 30 s. */
const STALL_MS = 3000;
const FILE = MODEL_FILES.tiny320;

/** Blob GETs for `sha256` in arrival order (a stalled one is recorded only when it ends). */
function blobGets(registry: TestRegistry, sha256: string): ServedRequest[] {
  return registry.blobRequests(sha256).sort((a, b) => a.time - b.time);
}

/** The blob of the version under test: its path, sha256 and size. */
const BLOB = TestRegistry.blobOf(FILE);

/**
 * Opens the app on the registry with the webcam running on 1.0.0 under a service worker, then
 * publishes 2.0.0 with its blob broken as `fault` says; returns the blob's sha256.
 */
async function publishBroken(
  app: HotlensPage,
  registry: TestRegistry,
  fault: FaultKind & { times?: number },
): Promise<string> {
  await app.openServing(registry, `&stall=${STALL_MS}`);
  expect((await app.model('face-detector')).active).toBe('1.0.0');
  registry.fault({ path: BLOB.path, ...fault });
  const { sha256 } = await registry.publish('face-detector', '2.0.0', FILE);
  expect(sha256).toBe(BLOB.sha256);
  return sha256;
}

/** The wait a retry record announces ("retrying in 420 ms (backoff)"), in ms. */
function announcedDelay(reason: string): number {
  const m = reason.match(/retrying in (\d+) ms \(backoff\)/);
  if (!m) throw new Error(`no backoff delay in "${reason}"`);
  return Number(m[1]);
}

/** The update log of the Models panel (the tab is opened). */
async function panelLog(page: Page) {
  await page.getByRole('tab', { name: 'Models' }).click();
  return page.getByRole('region', { name: 'Update log (scrollable)' });
}

test('a blob with one flipped bit is rejected at verifying, never stored, and the old version serves on', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(180_000);
  const sha256 = await publishBroken(app, registry, { flipBit: 1000 });

  await expect
    .poll(async () => (await app.logWhere({ sha256, stage: 'verifying' })).map((r) => r.outcome), { timeout: 60_000 })
    .toEqual(['rejected']);
  await expect
    .poll(async () => await app.model('face-detector'), { timeout: 10_000 })
    .toMatchObject({ active: '1.0.0', stage: 'rejected', stageVersion: '2.0.0', target: '1.0.0' });
  expect((await app.model('face-detector')).reason).toMatch(/sha256 mismatch/);
  expect(await app.cachedBlobs()).not.toContain(sha256);
  expect(blobGets(registry, sha256).map((r) => `${r.status} ${r.fault}`)).toEqual(['200 flipBit 1000']);

  // The rejected bytes are not fetched again on later polls, and the webcam never noticed.
  await app.keepsAnnotating(3000);
  expect(blobGets(registry, sha256)).toHaveLength(1);
  expect(await app.cachedBlobs()).not.toContain(sha256);
  expect((await app.logWhere({ sha256 })).map((r) => `${r.stage}:${r.outcome}`)).toEqual([
    'found:ok',
    'downloading:ok',
    'verifying:rejected',
  ]);
  await expect(page.getByTestId('hud')).toContainText('detector 1.0.0');

  const log = await panelLog(page);
  await expect(log.getByRole('row', { name: /verifying rejected/ })).toContainText('sha256 mismatch');
  const card = page.getByTestId('model-face-detector');
  await expect(card.getByTestId('model-stage')).toHaveText('Rejected 2.0.0');
});

test('a connection dropped mid-blob is retried after a backoff wait and resumed with Range', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(180_000);
  const dropAt = Math.floor(BLOB.bytes / 3);
  const sha256 = await publishBroken(app, registry, { dropAfter: dropAt });

  await app.serves('face-detector', '2.0.0');
  const requests = blobGets(registry, sha256);
  expect(requests.map((r) => `${r.status} ${r.fault ?? '-'}`)).toEqual([`200 dropAfter ${dropAt}`, '206 -']);
  // The retry asked only for what had not arrived, and got exactly that.
  const resumeAt = Number(requests[1]!.range?.match(/^bytes=(\d+)-$/)?.[1]);
  expect(resumeAt).toBeGreaterThan(0);
  expect(resumeAt).toBeLessThanOrEqual(dropAt);
  expect(requests[1]!.bytes).toBe(BLOB.bytes - resumeAt);

  const records = await app.logWhere({ sha256, source: 'sw' });
  expect(records.map((r) => `${r.stage}:${r.outcome}`)).toEqual([
    'found:ok',
    'downloading:failed',
    'downloading:ok',
    'verifying:ok',
    'stored:ok',
  ]);
  const retry = records[1]!;
  expect(retry.reason).toMatch(
    new RegExp(
      `^attempt 1 of 5 failed: connection lost after ${resumeAt} of ${BLOB.bytes} bytes .*; retrying in .* \\(backoff\\), resuming at byte ${resumeAt}$`,
    ),
  );
  // The retry went out no sooner than the backoff it announced (10 ms for rounding and clocks).
  expect(requests[1]!.time).toBeGreaterThanOrEqual(retry.time + announcedDelay(retry.reason!) - 10);
  expect(await app.cachedBlobs()).toContain(sha256);
  await app.keepsAnnotating();

  const log = await panelLog(page);
  await expect(log.getByRole('row', { name: /downloading failed/ })).toContainText(`resuming at byte ${resumeAt}`);
});

test('a stalled response is abandoned after the stall timeout, then resumed and served', async ({ app, registry }) => {
  test.setTimeout(180_000);
  const stallAt = Math.floor(BLOB.bytes / 2);
  const sha256 = await publishBroken(app, registry, { stallAfter: stallAt });

  // While the response hangs, the old version keeps annotating.
  await expect
    .poll(() => registry.requests.filter((r) => r.fault === `stallAfter ${stallAt}`).length, { timeout: 60_000 })
    .toBe(1);
  await app.serves('face-detector', '2.0.0');
  const requests = blobGets(registry, sha256);
  expect(requests.map((r) => `${r.status} ${r.range ?? '-'} ${r.fault ?? '-'}`)).toEqual([
    `200 - stallAfter ${stallAt}`,
    `206 bytes=${stallAt}- -`,
  ]);
  // Abandoned no sooner than the stall timeout.
  expect(requests[1]!.time - requests[0]!.time).toBeGreaterThanOrEqual(STALL_MS);
  const retry = (await app.logWhere({ sha256, stage: 'downloading', outcome: 'failed' }))[0]!;
  expect(retry.reason).toMatch(
    new RegExp(`no data for ${STALL_MS} ms .* after ${stallAt} of ${BLOB.bytes} bytes; retrying in .*, resuming`),
  );
  expect(await app.cachedBlobs()).toContain(sha256);
  await app.keepsAnnotating();
});

test('a truncated "complete" response on every attempt fails clearly after the retries; the next poll serves it', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(210_000);
  const cut = Math.floor(BLOB.bytes * 0.6);
  // Five attempts (1 + 4 retries), all cut short, even the ones asking to resume with Range.
  const sha256 = await publishBroken(app, registry, { truncate: cut, times: 5 });

  await expect
    .poll(
      async () =>
        (await app.logWhere({ sha256, stage: 'downloading', outcome: 'failed' })).map((r) => r.reason ?? '').at(-1),
      { timeout: 90_000 },
    )
    .toMatch(/^gave up after 5 attempts: truncated: got \d+ of \d+ bytes/);
  const failed = await app.logWhere({ sha256, stage: 'downloading', outcome: 'failed' });
  expect(failed).toHaveLength(5);
  expect(failed.slice(0, 4).map((r) => r.reason)).toEqual([
    expect.stringMatching(new RegExp(`^attempt 1 of 5 failed: truncated: got ${cut} of ${BLOB.bytes} bytes`)),
    expect.stringMatching(/^attempt 2 of 5 failed: /),
    expect.stringMatching(/^attempt 3 of 5 failed: /),
    expect.stringMatching(/^attempt 4 of 5 failed: /),
  ]);
  // Waits grow (full jitter: each one is drawn below base·2^attempt, so only the bound is checked).
  const attempts = blobGets(registry, sha256).slice(0, 5);
  expect(attempts.map((r) => `${r.status} ${r.bytes} ${r.fault}`)).toEqual(
    Array.from({ length: 5 }, () => `200 ${cut} truncate ${cut}`),
  );
  for (let i = 1; i < 5; i++) {
    expect(attempts[i]!.time).toBeGreaterThanOrEqual(failed[i - 1]!.time + announcedDelay(failed[i - 1]!.reason!) - 10);
  }
  // After the first cut, the retry asked to resume where the bytes stopped.
  expect(attempts[1]!.range).toBe(`bytes=${cut}-`);
  // Nothing of the failed attempts was stored or served: the next poll (1 s later) may already
  // have brought it in whole, so this is read from the log, not from a racing snapshot.
  const gaveUp = failed[4]!.time;
  for (const stage of ['verifying', 'stored', 'serving'] as const) {
    for (const r of await app.logWhere({ sha256, stage })) expect(r.time).toBeGreaterThanOrEqual(gaveUp);
  }
  expect((await app.status()).frames.errors).toBe(0);

  // Not condemned: the next poll downloads it in one go, and it serves.
  await app.serves('face-detector', '2.0.0', 60_000);
  expect(blobGets(registry, sha256).at(-1)).toMatchObject({ status: 200, bytes: BLOB.bytes });
  expect(await app.cachedBlobs()).toContain(sha256);
  await app.keepsAnnotating();
  const log = await panelLog(page);
  await expect(log.getByRole('row', { name: /gave up after 5 attempts/ })).toBeVisible();
});
