/**
 * @file "Try a model file" end to end: another encoding of the face detector (320 px, from
 * `npm run convert`) is picked in the Models panel while the webcam runs: it passes the same
 * checks as a registry version (logged with source `local`), runs in shadow of the serving
 * version on sampled live frames until the report has compared ≥ 30 of them (the figures and the
 * frame rate with and without shadowing are printed and saved), then "Use on this device" swaps it
 * in as channel `local`; it survives an offline reload, a registry update waits for it, and "Stop
 * using" swaps the registry's version back — with no frame error throughout. The panel's
 * screenshot lands in e2e/.artifacts/screenshots/try-model-section.png (docs/try-model.png, the
 * README's, is a copy of one from a passing run; a test never writes into the repository).
 */
import { basename, join } from 'node:path';
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { MODEL_FILES, SCREENSHOTS } from '../support/paths.ts';
import { recordMetrics } from '../support/swap-metrics.ts';

/** Frames annotated per second over `ms`, measured from the page's counter. */
async function fps(app: HotlensPage, ms: number): Promise<number> {
  const before = (await app.status()).frames.processed;
  const t0 = Date.now();
  await app.page.waitForTimeout(ms);
  const after = (await app.status()).frames.processed;
  return ((after - before) * 1000) / (Date.now() - t0);
}

test('a model file tried on the live webcam, compared, used on this device, kept across reloads, then dropped', async ({
  app,
  page,
  context,
  registry,
}, testInfo) => {
  test.setTimeout(1_200_000);
  await app.openServing(registry);
  const fpsBefore = await fps(app, 6000);

  await page.getByRole('tab', { name: 'Models' }).click();
  await app.pickModelFiles(MODEL_FILES.tiny320);
  const panel = page.getByTestId('try-model');
  await expect(panel.getByTestId('trial-status')).toHaveText(/Passed the checks as face-detector local-/, {
    timeout: 60_000,
  });
  await expect(panel.getByLabel('Replaces')).toHaveValue('face-detector');
  const local = (await app.status()).log.filter((r) => r.source === 'local');
  expect(local.map((r) => `${r.model} ${r.stage} ${r.outcome}`)).toEqual([
    'face-detector compat-checked ok',
    'face-detector compiling ok',
    'face-detector probed ok',
    'face-detector warmed ok',
  ]);
  const sha256 = local[0]!.sha256;
  await panel.getByLabel(/show candidate/i).check();

  // The comparison runs on live frames; results shown stay the serving version's.
  await page.getByRole('tab', { name: 'Webcam' }).click();
  const fpsShadow = await fps(app, 6000);
  console.log(`try-model: ${fpsBefore.toFixed(2)} frames/s before, ${fpsShadow.toFixed(2)} while shadowing`);
  await expect
    .poll(async () => (await app.trialReport())?.frames ?? 0, { timeout: 300_000 })
    .toBeGreaterThanOrEqual(30);
  await expect(page.getByTestId('hud')).toContainText('detector 1.0.0');
  const report = (await app.trialReport())!;
  expect(report).toMatchObject({ model: 'face-detector', candidate: { sha256, file: basename(MODEL_FILES.tiny320) } });
  expect(report.failures).toBe(0);
  const faces = report.results.faces!;
  expect(faces.boxes!.serving).toBeGreaterThan(0);
  expect(faces.boxes!.found).not.toBeNull();
  expect(report.runTimes.candidate.p50Ms).toBeGreaterThan(0);
  await app.screenshot('try-model-webcam');
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(panel.getByTestId('shadow-report')).toContainText('Frames compared');
  await panel.scrollIntoViewIfNeeded();
  await app.screenshot('try-model-panel');
  await panel.screenshot({ path: join(SCREENSHOTS, 'try-model-section.png') });
  const figures = {
    frames: report.frames,
    photos: report.photos,
    found: faces.boxes!.found,
    extra: faces.boxes!.extra,
    meanIoU: faces.boxes!.meanIoU,
    scoreShift: faces.boxes!.scoreShift,
    ageMAE: faces.meanAbsError?.age?.value ?? null,
    gender: faces.agreement?.gender?.value ?? null,
    expression: faces.agreement?.expression?.value ?? null,
    p50ServingMs: report.runTimes.serving.p50Ms,
    p50CandidateMs: report.runTimes.candidate.p50Ms,
    fpsBefore,
    fpsShadow,
  };
  console.log(`try-model comparison: ${JSON.stringify(figures)}`);
  await recordMetrics(testInfo, 'tryModel', figures);
  const exported = page.waitForEvent('download');
  await panel.getByRole('button', { name: /Export comparison/ }).click();
  expect((await exported).suggestedFilename()).toMatch(/^shadow-face-detector-local-[0-9a-f]{8}\.json$/);
  await expect(panel.getByTestId('publish-command')).toHaveText(
    `npm run publish-model -- --registry public/models --id face-detector --version 1.1.0 --file ${basename(MODEL_FILES.tiny320)} --task face-detection`,
  );

  // Use on this device: the staged swap, channel local, file name and sha256.
  await panel.getByRole('button', { name: 'Use on this device' }).click();
  await expect.poll(async () => (await app.model('face-detector')).channel, { timeout: 60_000 }).toBe('local');
  const used = await app.serves('face-detector', `local-${sha256.slice(0, 8)}`);
  expect(used).toMatchObject({ previous: '1.0.0', local: { name: basename(MODEL_FILES.tiny320), sha256 } });
  const swap = (await app.logWhere({ sha256 })).filter((r) => r.source === 'local').map((r) => r.stage);
  expect(swap).toEqual(expect.arrayContaining(['serving', 'draining', 'released']));
  await app.keepsAnnotating(2000);

  // Offline reload: the file comes from IndexedDB.
  await context.setOffline(true);
  await page.reload();
  await app.ready();
  expect(await app.model('face-detector')).toMatchObject({
    active: `local-${sha256.slice(0, 8)}`,
    channel: 'local',
    local: { sha256 },
  });
  await app.framesAbove(3);
  await context.setOffline(false);

  // A registry update of that id waits while the override is active, and the panel says so.
  await registry.publish('face-detector', '1.1.0', MODEL_FILES.tiny416f32);
  await expect
    .poll(async () => (await app.status()).updates.serial, { timeout: 30_000 })
    .toBe(registry.manifest().serial);
  await page.getByRole('tab', { name: 'Models' }).click();
  const card = page.getByTestId('model-face-detector');
  await expect(card).toContainText(/registry updates of face-detector wait until you stop using it/);
  await expect(card.getByTestId('model-local')).toContainText(basename(MODEL_FILES.tiny320));
  expect((await app.model('face-detector')).active).toBe(`local-${sha256.slice(0, 8)}`);

  // Stop using: back to the registry's version (now 1.1.0), no frame error throughout.
  await card.getByRole('button', { name: /Stop using/ }).click();
  const back = await app.serves('face-detector', '1.1.0', 90_000);
  expect(back).toMatchObject({ channel: 'stable', local: null });
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await app.keepsAnnotating(2000);
  expect((await app.status()).frames.errors).toBe(0);
});
