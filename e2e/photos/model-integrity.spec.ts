/**
 * @file Integrity before serving: a model blob whose bytes do not match the manifest's SHA-256
 * is never stored or loaded; the user sees why and can retry, and the retry serves once the
 * bytes are good. This is the first visit's own download (the worker fetches what IndexedDB
 * lacks), so the service worker is blocked here: its download path is covered by the unit tests.
 */
import { expect, test } from '../support/fixtures.ts';

test.use({ serviceWorkers: 'block' });

test('a tampered model blob is rejected before a session is created, and Retry recovers', async ({ app, page }) => {
  let tampered = 0;
  await page.route('**/models/blobs/*.onnx', async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    const mid = body.length >> 1;
    body[mid] = body[mid]! ^ 0xff; // same size, different digest
    tampered++;
    await route.fulfill({ response, body });
  });
  await app.open();
  const banner = page.getByRole('alert').filter({ hasText: 'Model failed verification' });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/sha256 mismatch: got [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
  const status = await app.status();
  expect(status.ready).toBe(false);
  expect(status.error.engine).toBe('ModelIntegrityError');
  expect(Object.values(status.models).every((m) => m.active === null)).toBe(true);
  expect(tampered).toBeGreaterThan(0);

  await page.unroute('**/models/blobs/*.onnx');
  await banner.getByRole('button', { name: 'Retry' }).click();
  const ready = await app.ready();
  expect(ready.models['face-detector']!.active).not.toBeNull();
  await expect(page.getByTestId('status-pill')).toContainText('WASM');
});
