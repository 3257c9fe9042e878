/**
 * @file The offline PWA: after one online visit, a repeat visit fetches only the registry's
 * manifest (the app shell comes from the service worker's precache, the models from
 * IndexedDB), and with the network off a reload still starts the app cross-origin isolated,
 * loads its models and annotates both webcam frames and photos. The app is installable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page, type Request } from '@playwright/test';
import { CspWatch } from '../support/csp-watch.ts';
import { expect, FIRST_VERSIONS, HotlensPage, test } from '../support/fixtures.ts';
import { SAMPLES } from '../support/paths.ts';
import { wasmThreads } from '../../src/inference/host/threads.ts';
import { recordMetrics } from '../support/swap-metrics.ts';

interface Fetched {
  url: string;
  bytes: number;
  by: 'page' | 'service worker';
}

test('a repeat visit fetches only the manifest, and offline the app annotates webcam and photos', async ({
  app,
  page,
  context,
  registry,
}, testInfo) => {
  test.setTimeout(120_000);
  await app.openControlled(registry, '&camera=on');
  await expect.poll(async () => (await app.status()).frames.processed, { timeout: 30_000 }).toBeGreaterThan(2);

  // Repeat visit, online: record what actually crosses the network.
  const fetched: Fetched[] = [];
  const onFinished = async (r: Request) => {
    const res = await r.response();
    if (!res || res.fromServiceWorker()) return; // answered from the precache
    const sizes = await r.sizes();
    fetched.push({ url: r.url(), bytes: sizes.responseBodySize, by: r.serviceWorker() ? 'service worker' : 'page' });
  };
  context.on('requestfinished', onFinished);
  const registryBefore = registry.requests.length;
  await page.reload();
  await app.ready();
  await page.waitForTimeout(2500); // a couple of polls
  context.off('requestfinished', onFinished);
  const registryPaths = new Set(registry.requests.slice(registryBefore).map((r) => r.path));
  expect([...registryPaths]).toEqual(['/manifest.json']);
  const models = fetched.filter((f) => f.url.startsWith(registry.url));
  expect(models.every((f) => f.url.endsWith('/manifest.json'))).toBe(true);
  const appShell = fetched.filter((f) => !f.url.startsWith(registry.url) && !f.url.startsWith('blob:'));
  // The browser re-checks the service worker script on navigation; everything else is precached.
  expect(appShell.map((f) => new URL(f.url).pathname)).toEqual(appShell.length ? ['/sw.js'] : []);
  await recordMetrics(testInfo, 'repeat-visit', {
    registryRequests: registry.requests.slice(registryBefore).map((r) => `${r.method} ${r.path} ${r.status}`),
    registryBytes: registry.requests.slice(registryBefore).reduce((n, r) => n + r.bytes, 0),
    networkRequests: fetched,
    networkBytes: fetched.reduce((n, f) => n + f.bytes, 0),
  });

  // Offline: reload, models from IndexedDB, shell from the precache (with COOP/COEP intact).
  await context.setOffline(true);
  try {
    await page.reload();
    const status = await app.ready();
    expect(status.models['face-detector']!.active).toBe('1.0.0');
    expect((await app.metrics()).crossOriginIsolated).toBe(true);
    // The default thread count for this machine's cores (threads.ts: 1 below 4 cores).
    expect(status.threads).toBe(
      wasmThreads(
        undefined,
        true,
        await page.evaluate(
          () => (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency,
        ),
      ),
    );
    await expect.poll(async () => (await app.status()).frames.processed, { timeout: 30_000 }).toBeGreaterThan(2);
    const result = await app.annotatePhoto(SAMPLES[1]!);
    expect(result.faces!.length).toBeGreaterThan(0);
    expect(result.models).toEqual(FIRST_VERSIONS);
    expect((await app.status()).frames.errors).toBe(0);
    // Polls fail quietly: the panel says why, the models keep serving.
    await page.getByRole('tab', { name: 'Models' }).click();
    await expect(page.getByText(/The registry cannot be reached/)).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
});

test('the app is installable: a web app manifest with icons and a service worker', async ({ browser }, testInfo) => {
  // Chromium never offers to install from an incognito profile (every Playwright context is one).
  const profile = mkdtempSync(join(tmpdir(), 'hotlens-profile-'));
  const launch = testInfo.project.use.launchOptions ?? {};
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: launch.executablePath,
    args: launch.args,
    baseURL: testInfo.project.use.baseURL,
  });
  void browser;
  const csp = await CspWatch.start(context);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const app = new HotlensPage(page, testInfo);
    await app.open();
    await app.ready();
    await app.controlled();
    await checkInstallable(page);
    csp.check();
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

async function checkInstallable(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
    installabilityErrors: Array<{ errorId: string }>;
  };
  expect(installabilityErrors).toEqual([]);
  const manifest = (await (await page.request.get('manifest.webmanifest')).json()) as {
    name: string;
    display: string;
    icons: Array<{ sizes: string; purpose: string }>;
  };
  expect(manifest).toMatchObject({ name: expect.stringContaining('hotlens'), display: 'standalone' });
  expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual([
    '192x192 any',
    '512x512 any',
    '512x512 maskable',
  ]);
}
