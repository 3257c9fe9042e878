/**
 * @file The Content Security Policy is on and its violation check can fail. The production
 * build is served with the policy on the document, the inference worker script and the service
 * worker script (workers get their policy from their own response). Then the test breaks it on
 * purpose in every thread — an inline script and a blob: worker in the page, a fetch to an origin
 * outside `connect-src` from the page, the inference worker and the service worker — and the
 * same watcher the `app` fixture uses must report each one, so a real violation anywhere in the
 * suite fails its spec. And `connect-src` really is the privacy boundary: a `?registry=` on an
 * origin the policy does not list gets no request at all.
 */
import { test as base } from '@playwright/test';
import { expect, HotlensPage, test } from '../support/fixtures.ts';
import { CspWatch } from '../support/csp-watch.ts';

/** Not in `connect-src` (the e2e policy allows 'self' and http://127.0.0.1:*); nothing listens there. */
const FORBIDDEN = 'http://127.0.0.2:9';

type Win = { __inlineRan?: boolean };

base(
  'the policy is served with every script, and a violation in page, worker or service worker is caught',
  async ({ page, context }, testInfo) => {
    base.setTimeout(60_000);
    const watch = await CspWatch.start(context);
    const app = new HotlensPage(page, testInfo);
    const response = await page.goto('./');
    const policy = response!.headers()['content-security-policy'];
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).toContain("worker-src 'self'");
    expect(policy).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\*;/);
    await app.ready();
    await app.controlled();
    // A clean start: the real app, its WASM threads and its service worker break nothing.
    expect(watch.violations).toEqual([]);
    expect(() => watch.check()).not.toThrow();

    const worker = page.workers().find((w) => w.url().includes('/assets/'));
    expect(worker, 'the inference worker is running').toBeTruthy();
    const serviceWorker = context.serviceWorkers()[0];
    expect(serviceWorker, 'the service worker is running').toBeTruthy();
    // Each thread answers with its own policy: a worker does not inherit the page's.
    for (const url of [worker!.url(), serviceWorker!.url()]) {
      const res = await context.request.get(url);
      expect(res.headers()['content-security-policy'], url).toBe(policy);
    }

    await page.evaluate(
      ([forbidden]) => {
        const g = globalThis as unknown as Win & {
          document: { createElement(t: string): { textContent: string }; head: { append(n: unknown): void } };
          Worker: new (url: string) => unknown;
          URL: { createObjectURL(b: unknown): string };
          Blob: new (parts: string[], o: { type: string }) => unknown;
        };
        const script = g.document.createElement('script');
        script.textContent = 'globalThis.__inlineRan = true';
        g.document.head.append(script);
        // Chromium refuses the blob: script asynchronously (a violation, no exception).
        new g.Worker(g.URL.createObjectURL(new g.Blob(['postMessage(1)'], { type: 'text/javascript' })));
        void fetch(`${forbidden}/from-page`).catch(() => undefined);
      },
      [FORBIDDEN],
    );
    await worker!.evaluate((url) => void fetch(`${url}/from-worker`).catch(() => undefined), FORBIDDEN);
    await serviceWorker!.evaluate((url) => void fetch(`${url}/from-service-worker`).catch(() => undefined), FORBIDDEN);

    // The policy blocked the inline script…
    expect(await page.evaluate(() => (globalThis as unknown as Win).__inlineRan ?? false)).toBe(false);
    // …and the watcher saw each one, in the thread where it happened.
    const seen = (via: string, where: string, what: string) =>
      watch.violations.some((v) => v.via === via && v.where.startsWith(where) && v.detail.includes(what));
    await expect.poll(() => seen('report-uri', worker!.url(), `connect-src blocked ${FORBIDDEN}`)).toBe(true);
    await expect.poll(() => seen('report-uri', serviceWorker!.url(), `connect-src blocked ${FORBIDDEN}`)).toBe(true);
    await expect.poll(() => seen('report-uri', page.url(), `connect-src blocked ${FORBIDDEN}`)).toBe(true);
    await expect.poll(() => seen('report-uri', page.url(), 'script-src-elem blocked inline')).toBe(true);
    await expect.poll(() => seen('report-uri', page.url(), 'worker-src blocked blob')).toBe(true);
    await expect.poll(() => seen('console', page.url(), 'inline script violates')).toBe(true);
    await expect.poll(() => seen('event', page.url(), 'script-src-elem blocked inline')).toBe(true);
    expect(() => watch.check()).toThrow(/Content Security Policy violations/);
    watch.stop();
  },
);

test('a registry on an origin the policy does not list is refused before a single request', async ({
  page,
  context,
  registry,
}) => {
  const watch = await CspWatch.start(context);
  // The same server under another host name: `localhost` is not in connect-src ('self' http://127.0.0.1:*).
  const elsewhere = registry.url.replace('127.0.0.1', 'localhost');
  await page.goto(`./?registry=${encodeURIComponent(elsewhere)}&poll=1000`);
  await expect(page.getByText('Models failed to load').first()).toBeVisible();
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByText(/The registry cannot be reached/)).toBeVisible();
  await expect
    .poll(() =>
      watch.violations.some((v) => v.via === 'report-uri' && v.detail.includes(`connect-src blocked ${elsewhere}`)),
    )
    .toBe(true);
  await page.waitForTimeout(2000); // a couple of polls
  expect(registry.requests).toEqual([]);
  watch.stop();
});
