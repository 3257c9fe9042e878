/**
 * @file URL options are per visit: `?poll=` and `?stall=` change how the service worker polls for
 * that page's visit only, and the next visit without them polls at the default interval again
 * (seen in the registry server's request log). A manifest request has its own timeout,
 * independent of the download stall timeout: a registry that takes 1.5 s to answer is slow, not
 * unreachable, even under `?stall=1000`.
 */
import { expect, test } from '../support/fixtures.ts';
import type { TestRegistry } from '../support/registry.ts';

/** Manifest requests the registry answered since `since` (ms since the epoch). */
function manifestGets(registry: TestRegistry, since: number): number {
  return registry.requests.filter((r) => r.path === '/manifest.json' && r.time >= since).length;
}

test('?poll= and ?stall= apply to one visit; an ordinary visit polls at the default again', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(120_000);
  const url = encodeURIComponent(registry.url);
  await app.open(`?registry=${url}&poll=1000&stall=1000&camera=on`);
  await app.ready();
  await app.controlled();
  const t0 = Date.now();
  await page.waitForTimeout(6000);
  expect(manifestGets(registry, t0)).toBeGreaterThanOrEqual(3);

  // The next visit names the registry only (a test registry is on another origin than the app).
  await app.open(`?registry=${url}&camera=on`);
  await app.ready();
  await app.controlled();
  await app.framesAbove(3);
  const t1 = Date.now();
  await page.waitForTimeout(8000);
  // At most the visit's own first check; the default interval is a minute.
  expect(manifestGets(registry, t1)).toBeLessThanOrEqual(1);
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByText(/every 60 s/)).toBeVisible();
});

test('a registry that takes 1.5 s to answer the manifest is not unavailable under ?stall=1000', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(120_000);
  registry.fault({ path: '/manifest.json', delay: 1500, times: 100_000 });
  await app.openServing(registry, '&stall=1000');
  const t0 = Date.now();
  await page.waitForTimeout(8000);
  const slow = registry.requests.filter((r) => r.path === '/manifest.json' && r.time >= t0 && r.fault === 'delay 1500');
  expect(slow.length).toBeGreaterThanOrEqual(2);
  expect(await app.logWhere({ model: 'manifest.json', outcome: 'failed' })).toEqual([]);
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByText(/The registry cannot be reached/)).toHaveCount(0);
  await app.keepsAnnotating();
});
