/**
 * @file Privacy, proven: during photo annotation (the six samples, dropped on the page) and live
 * webcam use across a model update, the page, its workers and the service worker make only GET
 * requests, only for files of the app and of the model registry, and never send a body.
 *
 * Two independent records, so no request can go unseen:
 * - the servers' own logs. The built app is served by the static server (`app` profile, the
 *   production CSP with the test registry's exact origin in `connect-src`) and the registry by the
 *   `registry` fixture; both record every request that reaches them — method, path, bytes
 *   received — whoever sent it (page, inference worker, WASM thread, service worker, browser).
 * - Playwright's context `request` events, which include dedicated-worker and service-worker
 *   requests (checked here: the service worker's manifest polls must be among them) and any
 *   request to a third origin, which neither server would see. Such a request cannot even start:
 *   `connect-src` refuses it and the `app` fixture fails the spec on the violation report.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Request } from '@playwright/test';
import { startStaticServer, type ServedRequest } from '../../tools/registry-server/static-server.ts';
import { e2eCsp } from '../support/csp-watch.ts';
import { expect, test } from '../support/fixtures.ts';
import { ARTIFACTS, MODEL_FILES, SAMPLES } from '../support/paths.ts';

/** A request as the browser reported it. */
interface SeenRequest {
  method: string;
  url: string;
  by: 'service worker' | 'page or worker';
  bodyBytes: number;
  /** Names of the request headers. */
  headers: string[];
}

/**
 * Methods a request may use: GET, and a body-less CORS preflight should the browser add one for a
 * cross-origin GET (none happens today: the app sends only CORS-safelisted headers).
 */
const READ_ONLY = ['GET', 'OPTIONS'];

/** Headers the browser itself sets (plus `sec-*`): anything else would be the app's own, able to carry data. */
const BROWSER_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'if-modified-since',
  'if-none-match',
  'origin',
  'pragma',
  'range',
  'referer',
  'service-worker',
  'upgrade-insecure-requests',
  'user-agent',
]);

/** True when `path` names a file under `root` (a directory counts through its index.html). */
function isFileOf(root: string, path: string): boolean {
  const file = resolve(root, `.${path}`);
  if (!file.startsWith(resolve(root))) return false;
  if (!existsSync(file)) return false;
  return statSync(file).isFile() || existsSync(join(file, 'index.html'));
}

test('photos and the live webcam across a model update: only GETs for app files and models, never a body', async ({
  app,
  page,
  context,
  registry,
}, testInfo) => {
  test.setTimeout(180_000);
  const registryOrigin = new URL(registry.url).origin;
  const appServer = await startStaticServer({ root: 'dist', profile: 'app', csp: e2eCsp([registryOrigin]) });
  const appOrigin = new URL(appServer.url).origin;
  const seen: SeenRequest[] = [];
  const onRequest = (r: Request) =>
    seen.push({
      method: r.method(),
      url: r.url(),
      by: r.serviceWorker() ? 'service worker' : 'page or worker',
      bodyBytes: r.postDataBuffer()?.length ?? 0,
      headers: Object.keys(r.headers()),
    });
  context.on('request', onRequest);
  try {
    await page.goto(`${appServer.url}?registry=${encodeURIComponent(registry.url)}&poll=1000`);
    await app.ready();
    await app.controlled();

    // Photos: dropped, decoded and annotated on the device.
    await app.drop(SAMPLES);
    await app.batchDone(SAMPLES.length);
    const results = await app.lastResults();
    expect(results).toHaveLength(SAMPLES.length);
    expect(results.every((r) => 'faces' in r && r.faces!.length > 0)).toBe(true);

    // The live webcam, while a model team publishes a new detector that this tab swaps in.
    await page.getByRole('tab', { name: 'Webcam' }).click();
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect.poll(async () => (await app.status()).frames.processed, { timeout: 30_000 }).toBeGreaterThan(3);
    const { sha256 } = await registry.publish('face-detector', '2.0.0', MODEL_FILES.tiny320);
    await app.serves('face-detector', '2.0.0');
    const atSwap = (await app.status()).frames.processed;
    await expect.poll(async () => (await app.status()).frames.processed).toBeGreaterThan(atSwap + 5);
    expect((await app.status()).frames.errors).toBe(0);
    await page.getByRole('button', { name: 'Stop camera' }).click();
    await page.waitForTimeout(2500); // a couple more polls, and any straggler request lands in the logs

    // The update really crossed the network (so the records below cover an update, not just idle polls).
    expect(registry.blobRequests(sha256).length).toBeGreaterThan(0);
  } finally {
    context.off('request', onRequest);
    await appServer.close();
  }

  const served: Array<ServedRequest & { origin: string }> = [
    ...appServer.requests.map((r) => ({ ...r, origin: appOrigin })),
    ...registry.requests.map((r) => ({ ...r, origin: registryOrigin })),
  ];
  const summary = {
    served: served.map((r) => `${r.method} ${r.origin}${r.path} ${r.status} ↑${r.requestBytes} B ↓${r.bytes} B`),
    seen: seen.map((r) => `${r.method} ${r.url} (${r.by}) ↑${r.bodyBytes} B`),
  };
  writeFileSync(join(ARTIFACTS, 'privacy-requests.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await testInfo.attach('requests', { body: JSON.stringify(summary, null, 2), contentType: 'application/json' });

  // Server side: every request that arrived was a read of an existing app or registry file, with no body.
  expect(served.filter((r) => !READ_ONLY.includes(r.method))).toEqual([]);
  expect(served.filter((r) => r.requestBytes > 0)).toEqual([]);
  const unknown = served.filter(
    (r) => r.method === 'GET' && !isFileOf(r.origin === appOrigin ? 'dist' : registry.dir, r.path),
  );
  expect(unknown).toEqual([]);

  // Browser side: nothing went anywhere else, nothing but GET, no body, no data in a URL or a header.
  const elsewhere = seen.filter((r) => ![appOrigin, registryOrigin].includes(new URL(r.url).origin));
  expect(elsewhere).toEqual([]);
  expect(seen.filter((r) => !READ_ONLY.includes(r.method) || r.bodyBytes > 0)).toEqual([]);
  const pageUrl = `${appServer.url}?registry=${encodeURIComponent(registry.url)}&poll=1000`;
  expect(seen.filter((r) => new URL(r.url).search !== '' && r.url !== pageUrl)).toEqual([]);
  const custom = seen.flatMap((r) => r.headers.filter((h) => !BROWSER_HEADERS.has(h) && !h.startsWith('sec-')));
  expect(custom).toEqual([]);

  // The browser record includes the service worker's requests (its manifest polls) and the
  // inference worker's (it fetches the probe images; the page never does)…
  expect(seen.some((r) => r.by === 'service worker' && r.url === `${registry.url}manifest.json`)).toBe(true);
  expect(seen.some((r) => r.by === 'page or worker' && r.url.startsWith(`${registry.url}probe/`))).toBe(true);
  // …and every request a server answered was also seen by the browser record (same method and URL path).
  const seenKeys = new Set(seen.map((r) => `${r.method} ${new URL(r.url).origin}${new URL(r.url).pathname}`));
  const unseen = served.filter((r) => r.method !== 'OPTIONS' && !seenKeys.has(`${r.method} ${r.origin}${r.path}`));
  expect(unseen).toEqual([]);
});
