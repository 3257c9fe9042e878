/**
 * @file Blocked storage in real Chromium, in a fresh persistent profile (only a profile's
 * preferences can block site data for the page, its workers and its service worker alike):
 * IndexedDB, Cache Storage and service workers refused, the models come from the registry,
 * verified, photos and webcam are annotated, an update still swaps in, and a warning says the
 * app cannot work offline.
 *
 * Quota exhaustion is not here: CDP `Storage.overrideQuotaForOrigin` has no effect in this
 * Chromium (156 headless: `navigator.storage.estimate()` keeps reporting 10 GiB after the
 * override, and a 6 MB IndexedDB put over a 1.5 MB override commits), and no other switch
 * shrinks an origin's quota short of a tiny disk. Eviction, the retry and "storage full" are
 * proven in tests/models/common/update-check-storage.test.ts and tests/models/cache/model-store.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { expect, FIRST_VERSIONS, HotlensPage, test, watchPageErrors, WORKER_SWAP_STAGES } from '../support/fixtures.ts';
import { MODEL_FILES, SAMPLES } from '../support/paths.ts';
import type { TestRegistry } from '../support/registry.ts';

interface Session {
  context: BrowserContext;
  page: Page;
  app: HotlensPage;
  /** Fails on uncaught page errors, closes the browser and deletes the profile. */
  close(): Promise<void>;
}

/** Launches this project's Chromium (fake camera) on a fresh profile; `blockSiteData` refuses all site data. */
async function launch(testInfo: TestInfo, options: { blockSiteData?: boolean } = {}): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'hotlens-storage-'));
  if (options.blockSiteData) {
    // chrome://settings "Don't allow sites to save data": IndexedDB, Cache Storage, service workers and localStorage refused.
    mkdirSync(join(profile, 'Default'));
    const prefs = { profile: { default_content_setting_values: { cookies: 2 } } };
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(prefs));
  }
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: launchOptions.executablePath,
    args: launchOptions.args,
    baseURL: testInfo.project.use.baseURL,
    viewport: testInfo.project.use.viewport,
    permissions: ['camera'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const checkErrors = watchPageErrors(page);
  return {
    context,
    page,
    app: new HotlensPage(page, testInfo),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      checkErrors();
    },
  };
}

/** Opens the app on `registry` polled every `pollMs`, with the camera on, and waits for annotated frames. */
async function startWebcam(app: HotlensPage, registry: TestRegistry, pollMs = 1000): Promise<void> {
  await app.open(`?registry=${encodeURIComponent(registry.url)}&poll=${pollMs}&camera=on`);
  await app.ready();
  await expect.poll(async () => (await app.status()).frames.processed, { timeout: 30_000 }).toBeGreaterThan(3);
}

test('site data blocked: models come from the network, verified; photos and webcam work; a warning says so', async ({
  registry,
}, testInfo) => {
  test.setTimeout(180_000);
  const { page, app, close } = await launch(testInfo, { blockSiteData: true });
  try {
    await startWebcam(app, registry);
    const status = await app.status();
    expect(status.storage).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('IndexedDB') });
    expect(status.updates.updater).toBe('failed'); // Chromium refuses the service worker too
    expect(status.models['face-detector']!.active).toBe('1.0.0');
    // Every model blob crossed the network once, for the one worker that serves it, and the log says why.
    expect(registry.blobRequests()).toHaveLength(3);
    expect(status.log.filter((r) => r.source === 'page').map((r) => `${r.model}: ${r.reason}`)).toEqual(
      ['face-detector', 'face-attributes', 'face-expression'].map(
        (id) =>
          `${id}: loaded at start-up; downloaded and verified, but browser storage could not keep it (blocked or full)`,
      ),
    );
    await expect(page.getByTestId('storage-notice')).toContainText('Browser storage is blocked for this site');
    await expect(page.getByTestId('storage-notice')).toContainText('cannot work offline');

    const result = await app.annotatePhoto(SAMPLES[1]!);
    expect(result.faces!.length).toBeGreaterThan(0);
    expect(result.models).toEqual(FIRST_VERSIONS);
    await app.screenshot('storage-blocked');

    // An update still arrives: the page checks, the standby worker downloads, verifies and swaps.
    const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.tiny320);
    await page.getByRole('tab', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Check now' }).click();
    await app.serves('face-detector', '2.0.0');
    expect(registry.blobRequests(sha256)).toHaveLength(1);
    // `found` is noted by the page's check (logged as the service worker's step) while the swap may already run.
    const stages = (await app.logWhere({ sha256 })).map((r) => `${r.source}:${r.stage}:${r.outcome}`);
    expect(stages.filter((s) => s.startsWith('sw:'))).toEqual(['sw:found:ok']);
    expect(stages.filter((s) => !s.startsWith('sw:'))).toEqual(WORKER_SWAP_STAGES);
    await expect(page.getByRole('region', { name: /Update log/ })).toContainText('inference worker downloads');
    await app.keepsAnnotating();
  } finally {
    await close();
  }
});
