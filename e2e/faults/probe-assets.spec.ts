/**
 * @file Probe images are part of what the signed manifest vouches for (`probe.sha256`,
 * `probe.bytes`), so a probe image the registry cannot serve right is the network's fault, never
 * the model's: a replaced PNG (a mirrored copy on the bucket), or one 200 HTML page where the PNG
 * should be (a Wi-Fi login portal), makes a new client's start-up fail with a clear, retryable
 * message, condemns nothing, and the genuine version serves as soon as the file is right again,
 * across reloads. A new version whose probe image does not verify is logged `failed` at
 * `probed` (not rejected), the old one serves on, and the swap is retried until it succeeds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

/** The detector's probe image in the base registry (registry-relative). */
const DETECTOR_PROBE = 'probe/face-detection.png';

/** A login page a captive portal answers instead of any file, larger than the probe PNG it replaces. */
const PORTAL_PAGE = `<!doctype html><html><head><title>Wi-Fi login</title><style>${'.x{color:red}'.repeat(8000)}</style></head><body><form>Accept the terms to continue</form></body></html>`;

/** The same image flipped left to right: a valid PNG of the same size, other bytes and other pixels. */
function mirrored(png: Buffer): Promise<Buffer> {
  return sharp(png).flop().png().toBuffer();
}

/** The start-up failure a probe image that cannot be used leads to, checked to condemn nothing. */
async function failedWithoutCondemning(app: HotlensPage, why: RegExp): Promise<void> {
  const banner = app.page.getByRole('alert').filter({ hasText: 'Probe image unavailable' });
  // A loaded machine may take minutes to compile the models before the probe runs.
  await expect(banner).toBeVisible({ timeout: 240_000 });
  await expect(banner).toContainText(why);
  await expect(banner.getByRole('button', { name: 'Retry' })).toBeVisible();
  expect((await app.status()).error.engine).toBe('ProbeAssetError');
  expect(await app.badVersions()).toEqual([]);
  expect(await app.logWhere({ outcome: 'rejected' })).toEqual([]);
}

/** The app serves `version` of the detector, annotating the webcam. */
async function servesDetector(app: HotlensPage, version: string): Promise<void> {
  const status = await app.ready();
  expect(status.models['face-detector']!.active).toBe(version);
  await app.framesAbove(3, 90_000);
  expect((await app.status()).frames.errors).toBe(0);
  expect(await app.badVersions()).toEqual([]);
}

test('a replaced probe image condemns nothing; the genuine version serves once the file is right again', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(420_000);
  const file = join(registry.dir, DETECTOR_PROBE);
  const genuine = readFileSync(file);
  writeFileSync(file, await mirrored(genuine));

  await app.openRegistry(registry, '&camera=on');
  await failedWithoutCondemning(
    app,
    /probe\/face-detection\.png could not be used \((.*size mismatch|.*truncated|sha256 mismatch)/,
  );
  // Still wrong on a reload: the same clear failure, and still nothing condemned.
  await page.reload();
  await failedWithoutCondemning(app, /probe\/face-detection\.png/);

  writeFileSync(file, genuine);
  await page.reload();
  await servesDetector(app, '1.0.0');

  // Proven on this device, its probe image kept by hash: a bucket that breaks again changes nothing.
  writeFileSync(file, await mirrored(genuine));
  const probeGets = () => registry.requests.filter((r) => r.path === `/${DETECTOR_PROBE}`).length;
  const before = probeGets();
  await page.reload();
  await servesDetector(app, '1.0.0');
  expect(probeGets()).toBe(before);
});

test('one login-portal page in place of the probe image condemns nothing; a reload serves', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(420_000);
  registry.fault({ path: `/${DETECTOR_PROBE}`, body: PORTAL_PAGE, times: 1 });
  await app.openRegistry(registry, '&camera=on');
  await failedWithoutCondemning(app, /probe\/face-detection\.png/);
  expect(registry.requests.filter((r) => r.fault === 'body')).toHaveLength(1);

  await page.reload();
  await servesDetector(app, '1.0.0');
  await page.reload();
  await servesDetector(app, '1.0.0');
});

test('a new version whose probe image does not verify is not condemned: the old one serves, then it swaps in', async ({
  app,
  registry,
}) => {
  test.setTimeout(420_000);
  await app.openServing(registry);
  // Same pixels, other bytes: a probe image this device has not kept yet, so the swap must fetch it.
  const genuine = readFileSync(join(registry.dir, DETECTOR_PROBE));
  const copy = await sharp(genuine).png({ compressionLevel: 1 }).toBuffer();
  expect(copy.equals(genuine)).toBe(false);
  const copyPath = 'probe/face-detection-copy.png';
  writeFileSync(join(registry.dir, copyPath), copy);
  registry.fault({ path: `/${copyPath}`, body: await mirrored(copy), times: 1000 });

  const { sha256 } = await registry.publish('face-detector', '1.0.1', MODEL_FILES.tiny416f32, {
    edit: (manifest) => {
      const probe = manifest.models['face-detector']!.versions['1.0.1']!.probe;
      probe.image = copyPath;
      probe.sha256 = createHash('sha256').update(copy).digest('hex');
      probe.bytes = copy.byteLength;
    },
  });
  await expect
    .poll(async () => (await app.logWhere({ sha256, stage: 'probed' })).map((r) => r.outcome), { timeout: 60_000 })
    .toContain('failed');
  const failed = (await app.logWhere({ sha256, stage: 'probed', outcome: 'failed' }))[0]!;
  expect(failed.reason).toMatch(/face-detection-copy\.png/);
  expect(await app.logWhere({ sha256, outcome: 'rejected' })).toEqual([]);
  expect(await app.badVersions()).toEqual([]);
  expect((await app.model('face-detector')).active).toBe('1.0.0');
  await app.keepsAnnotating();

  // The file is right again: the swap is retried (backoff) and succeeds, and it holds across a reload.
  registry.clearFaults();
  await app.serves('face-detector', '1.0.1', 90_000);
  expect(await app.logWhere({ sha256, outcome: 'rejected' })).toEqual([]);
  await app.page.reload();
  await servesDetector(app, '1.0.1');
});
