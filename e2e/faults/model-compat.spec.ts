/**
 * @file The compatibility and function checks on files that do not match their manifest
 * entry (broken-models.ts): a detector with the wrong input shape and one with the wrong output
 * names are downloaded and verified (their sha256 is right), then rejected at the compat check
 * — read from the file's own ONNX signature — before any session is created; a detector whose
 * outputs are NaN passes the compat check and is rejected at the probe. In every case the old
 * version keeps serving the live webcam with no frame error, and the version is marked bad.
 */
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { publishBroken, type BrokenKind } from '../support/broken-models.ts';
import type { TestRegistry } from '../support/registry.ts';

/** Opens the app on the webcam, following `registry`, and waits until frames flow. */
/** Publishes `kind` as face-detector 2.0.0 and waits until its rejection has settled. */
async function rejected(app: HotlensPage, registry: TestRegistry, kind: BrokenKind, stage: string) {
  const { sha256 } = await publishBroken(registry, '2.0.0', kind);
  await expect
    .poll(async () => (await app.logWhere({ sha256, outcome: 'rejected' })).map((r) => r.stage), { timeout: 60_000 })
    .toEqual([stage]);
  // The record is written as the stage fails; the mark-bad commit follows: wait for it to settle.
  await expect
    .poll(async () => await app.model('face-detector'), { timeout: 10_000 })
    .toMatchObject({ active: '1.0.0', stage: 'rejected', stageVersion: '2.0.0', target: '1.0.0' });
  return { sha256, record: (await app.logWhere({ sha256, outcome: 'rejected' }))[0]! };
}

/** The old version served all along, keeps serving, and the rejected bytes are not tried again. */
async function keptServing(app: HotlensPage, registry: TestRegistry, sha256: string): Promise<void> {
  await app.keepsAnnotating(3000);
  const after = await app.status();
  expect(after.models['face-detector']).toMatchObject({ active: '1.0.0' });
  expect(registry.blobRequests(sha256)).toHaveLength(1);
  await expect(app.page.getByTestId('hud')).toContainText('detector 1.0.0');
  await expect(app.page.getByTestId('update-alert')).toHaveText('update rejected: face-detector 2.0.0');
}

/** The Models panel shows the rejection, its stage and reason, and the version as bad. */
async function panelShows(app: HotlensPage, stage: string, reason: RegExp): Promise<void> {
  await app.page.getByRole('tab', { name: 'Models' }).click();
  const card = app.page.getByTestId('model-face-detector');
  await expect(card.getByTestId('model-stage')).toHaveText('Rejected 2.0.0');
  await expect(card.getByRole('row', { name: /2\.0\.0/ })).toContainText(`bad (${stage})`);
  await expect(
    app.page
      .getByRole('region', { name: /update log/i })
      .getByRole('row')
      .filter({ hasText: stage })
      .first(),
  ).toContainText(reason);
}

const contractCases: Array<{ kind: BrokenKind; title: string; reason: RegExp }> = [
  {
    kind: 'wrongInput',
    title: 'a detector with the wrong input shape',
    reason: /the model file: input "image" \(image\) dimension 1 is 1, expected 3/,
  },
  {
    kind: 'wrongOutputs',
    title: 'a detector with the wrong output names',
    reason:
      /the model file: missing outputs "boxes" \(boxes\), "scores" \(scores\); the model's outputs are "bbox", "confidence"/,
  },
];

for (const { kind, title, reason } of contractCases) {
  test(`${title} is rejected at the compat check before any session exists`, async ({ app, registry }) => {
    test.setTimeout(120_000);
    await app.openServing(registry);
    const { sha256, record } = await rejected(app, registry, kind, 'compat-checked');
    expect(record.reason).toMatch(reason);
    // Downloaded and verified by the service worker, stored, then refused before compiling.
    const stages = (await app.logWhere({ sha256 })).map((r) => `${r.stage} ${r.outcome}`);
    expect(stages).toEqual(['found ok', 'downloading ok', 'verifying ok', 'stored ok', 'compat-checked rejected']);
    expect(await app.logWhere({ sha256, stage: 'compiling' })).toEqual([]);
    await keptServing(app, registry, sha256);
    await panelShows(app, 'compat-checked', reason);
  });
}

test('a detector whose outputs are NaN is rejected at the probe', async ({ app, registry }) => {
  test.setTimeout(120_000);
  await app.openServing(registry);
  const { sha256, record } = await rejected(app, registry, 'nanOnProbe', 'probed');
  expect(record.reason).toMatch(/output "boxes"\[\d\] is NaN, expected .*; output "scores"\[0\] is NaN, expected/);
  // It fitted the contract (compat check passed) and compiled; the probe caught it.
  expect((await app.logWhere({ sha256, stage: 'compat-checked' })).map((r) => r.outcome)).toEqual(['ok']);
  expect((await app.logWhere({ sha256, stage: 'compiling' })).map((r) => r.outcome)).toEqual(['ok']);
  await keptServing(app, registry, sha256);
  await panelShows(app, 'probed', /is NaN, expected/);
});
