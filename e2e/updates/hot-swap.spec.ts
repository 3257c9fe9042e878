/**
 * @file The heart of the product, end to end: the webcam runs on face-detector 1.0.0, a model
 * team publishes 2.0.0 (the SSD detector) with `npm run publish-model`, and within a few poll
 * intervals this page serves 2.0.0 — every stage logged, frames never stop, no frame fails, the
 * page never reloads. Then a rollback returns to 1.0.0 from IndexedDB without a single request
 * for a model blob. Frame gaps and stage times go to e2e/.artifacts/swap-metrics.json.
 */
import type { Request } from '@playwright/test';
import { expect, test, WORKER_SWAP_STAGES } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';
import { gapStats, recordMetrics, stageDurations, swapWindow } from '../support/swap-metrics.ts';

type Marked = { __marker?: string };

test('a published version is hot-swapped into the running webcam, and rolled back without network', async ({
  app,
  page,
  context,
  registry,
}, testInfo) => {
  test.setTimeout(150_000);
  await app.openRegistry(registry, '&camera=on');
  await app.ready();
  expect((await app.model('face-detector')).active).toBe('1.0.0');
  await app.controlled();
  await page.evaluate(() => ((globalThis as unknown as Marked).__marker = 'no reload'));
  await expect.poll(async () => (await app.status()).frames.processed, { timeout: 30_000 }).toBeGreaterThan(5);
  const framesFrom = Date.now();
  await page.waitForTimeout(1500); // cadence before the swap

  const publishing = Date.now();
  const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.ssd512);
  const published = Date.now();
  const served = await app.serves('face-detector', '2.0.0');
  expect(served).toMatchObject({ previous: '1.0.0', channel: 'stable' });
  const atFlip = (await app.status()).frames.processed;
  await expect.poll(async () => (await app.status()).frames.processed).toBeGreaterThan(atFlip + 5);
  await page.waitForTimeout(1500); // cadence on the new version
  const samples = await app.framesSince(framesFrom);

  const status = await app.status();
  expect(status.frames.errors).toBe(0);
  expect(await page.evaluate(() => (globalThis as unknown as Marked).__marker)).toBe('no reload');
  await expect(page.getByTestId('hud')).toContainText('detector 2.0.0');
  // Every stage, in order: the service worker's, then this tab's.
  const stages = status.log.filter((r) => r.sha256 === sha256).map((r) => `${r.source}:${r.stage}:${r.outcome}`);
  expect(stages).toEqual([
    'sw:found:ok',
    'sw:downloading:ok',
    'sw:verifying:ok',
    'sw:stored:ok',
    ...WORKER_SWAP_STAGES,
  ]);
  const window = swapWindow(status.log, sha256);
  const servingAt = status.log.find((r) => r.sha256 === sha256 && r.stage === 'serving')!.time;
  const gaps = gapStats(samples, window.start, window.end);
  // Frames kept coming while the candidate compiled next to the serving worker.
  expect(gaps.framesDuringSwap).toBeGreaterThan(0);
  expect(gaps.maxGapDuringSwapMs).toBeLessThan(5000);

  // Rollback: from IndexedDB, so not one model blob may be requested (page, workers, service worker).
  const blobRequests: string[] = [];
  const onRequest = (r: Request) => {
    if (r.url().includes('/blobs/')) blobRequests.push(`${r.serviceWorker() ? 'sw' : 'page'} ${r.url()}`);
  };
  context.on('request', onRequest);
  const servedBlobs = registry.blobRequests().length;
  const rolledBackAt = Date.now();
  expect(await app.rollback('face-detector')).toEqual({ from: '2.0.0', to: '1.0.0' });
  const back = await app.serves('face-detector', '1.0.0');
  const rollbackMs = Date.now() - rolledBackAt;
  expect(back).toMatchObject({ previous: '2.0.0' });
  await page.waitForTimeout(2500); // a few polls: nothing downloads 2.0.0 again
  context.off('request', onRequest);
  expect(blobRequests).toEqual([]);
  expect(registry.blobRequests()).toHaveLength(servedBlobs);
  expect(await app.logWhere({ model: 'face-detector', outcome: 'rolled-back' })).toHaveLength(1);
  expect((await app.model('face-detector')).active).toBe('1.0.0');
  const after = await app.status();
  expect(after.frames.errors).toBe(0);
  expect(await page.evaluate(() => (globalThis as unknown as Marked).__marker)).toBe('no reload');

  await recordMetrics(testInfo, 'hot-swap', {
    publishCommandMs: published - publishing,
    publishToServingMs: servingAt - published,
    ...gaps,
    stageDurationsMs: stageDurations(status.log, sha256),
    rollbackToServingMs: rollbackMs,
    frames: after.frames,
  });
});
