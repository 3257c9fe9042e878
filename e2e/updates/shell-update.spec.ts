/**
 * @file App-shell updates ask before they reload: the built app is served from a copy (the
 * registry server's `app` profile, with COOP/COEP), its service worker is changed the way a
 * deploy changes it, and the running page shows a non-modal "New version" banner while it keeps
 * working; only the user's "Reload" activates the new shell and reloads.
 */
import { appendFileSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startStaticServer } from '../../tools/registry-server/static-server.ts';
import { e2eCsp } from '../support/csp-watch.ts';
import { expect, test } from '../support/fixtures.ts';
import { APP_COPY } from '../support/paths.ts';

type Marked = {
  __marker?: string;
  navigator: { serviceWorker: { getRegistration(): Promise<{ update(): Promise<unknown> } | undefined> } };
};

test('a new app shell waits for the user: banner, no reload until Reload', async ({ app, page }) => {
  test.setTimeout(90_000);
  rmSync(APP_COPY, { recursive: true, force: true });
  cpSync('dist', APP_COPY, { recursive: true });
  const server = await startStaticServer({ root: APP_COPY, profile: 'app', csp: e2eCsp() });
  try {
    await page.goto(server.url);
    await app.ready();
    await app.controlled();
    await page.evaluate(() => ((globalThis as unknown as Marked).__marker = 'old shell'));

    // A deploy: the service worker script changes (as it does whenever the precache list does).
    appendFileSync(join(APP_COPY, 'sw.js'), `\n// deployed ${Date.now()}\n`);
    await page.evaluate(async () => {
      const reg = await (globalThis as unknown as Marked).navigator.serviceWorker.getRegistration();
      await reg!.update();
    });
    const banner = page.getByTestId('shell-update');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('New version');
    expect((await app.status()).updates.shellUpdate).toBe(true);
    // Still the same page, still working.
    expect(await page.evaluate(() => (globalThis as unknown as Marked).__marker)).toBe('old shell');
    expect((await app.status()).ready).toBe(true);

    const reloaded = page.waitForEvent('load');
    await banner.getByRole('button', { name: 'Reload' }).click();
    await reloaded;
    await app.ready();
    expect(await page.evaluate(() => (globalThis as unknown as Marked).__marker ?? 'reloaded')).toBe('reloaded');
    await expect(page.getByTestId('shell-update')).toHaveCount(0);
  } finally {
    await server.close();
  }
});
