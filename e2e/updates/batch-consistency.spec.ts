/**
 * @file One photo batch, one set of model versions: a swap that happens while a batch runs
 * flips the webcam to the new worker at once, but the batch finishes on the worker it started
 * on (the swap's drain stage waits for it), so every result of the batch names the same
 * versions in `models`. The next batch uses the new versions.
 */
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES, SAMPLES } from '../support/paths.ts';

test('a photo batch keeps one consistent set of versions across a hot swap', async ({ app, page, registry }) => {
  test.setTimeout(150_000);
  await app.openControlled(registry, '&camera=on');
  await registry.publish('face-detector', '2.0.0', MODEL_FILES.ssd512);
  await app.serves('face-detector', '2.0.0');

  await page.getByRole('tab', { name: 'Photos' }).click();
  const files = [...SAMPLES, ...SAMPLES, ...SAMPLES];
  await app.pick(files);
  const progress = page.getByTestId('batch-progress');
  await expect
    .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 30_000 })
    .toBeGreaterThan(1);
  // Swap back to 1.0.0 (cached) mid-batch: the webcam flips as soon as the standby is ready.
  const pinned = app.pin('face-detector', '1.0.0');
  await expect.poll(async () => (await app.model('face-detector')).active, { timeout: 30_000 }).toBe('1.0.0');
  const doneAtFlip = Number(await progress.getAttribute('aria-valuenow'));
  expect(doneAtFlip).toBeLessThan(files.length);
  await pinned;
  await app.batchDone(files.length);

  const results = await app.lastResults();
  expect(results).toHaveLength(files.length);
  for (const r of results)
    expect(r.models).toEqual({ 'face-detector': '2.0.0', 'face-attributes': '1.0.0', 'face-expression': '1.0.0' });
  // The old worker was drained, not cut off: the drain stage lasted until the batch ended.
  await app.serves('face-detector', '1.0.0');
  const to1 = (await app.logWhere({ model: 'face-detector', version: '1.0.0', stage: 'draining' })).at(-1)!;
  expect(to1.outcome).toBe('ok');
  expect(to1.durationMs).toBeGreaterThan(100);

  await app.pick([SAMPLES[0]!]);
  await app.batchDone(1);
  expect((await app.lastResults())[0]!.models['face-detector']).toBe('1.0.0');
  expect((await app.status()).frames.errors).toBe(0);
});
