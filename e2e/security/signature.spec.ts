/**
 * @file Signed manifests, enforced by the real service worker: manifests written straight into
 * the registry the app follows — unsigned, changed after signing, signed by an untrusted key
 * under the trusted key id, signed by an unknown key id, and an older genuine manifest served
 * again (a replay that would roll the detector back) — are each refused before anything acts on
 * them: the reason is in the update log (once per refused file) and in the Models panel, the
 * accepted manifest stays in force, nothing is downloaded, and the webcam keeps being annotated
 * with no frame error. A genuine publish is accepted in between and after.
 *
 * Every forged manifest carries a real new version (face-detector 2.0.0, staged with
 * `npm run publish-model` and its blob already on the registry), so "nothing downloaded" is a
 * real check: accepting any of them would fetch that blob.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../../src/shared/manifest-types.ts';
import { MANIFEST_LOG_MODEL } from '../../src/shared/update-messages.ts';
import { resolveSigningKey } from '../../tools/keys/key-store.ts';
import { manifestText, writeFileAtomic } from '../../tools/lib/registry-io.ts';
import { generateSigningKey, signManifest } from '../../tools/lib/signing.ts';
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { ARTIFACTS, MODEL_FILES } from '../support/paths.ts';
import type { TestRegistry } from '../support/registry.ts';

const run = promisify(execFile);

/**
 * What `npm run publish-model` would make live, made in a staging copy instead: returns the
 * signed manifest and copies the new blob and probe image next to the live ones (unreferenced,
 * so clients cannot see them until a manifest names them).
 */
async function stagedPublish(registry: TestRegistry, id: string, version: string, file: string): Promise<Manifest> {
  const staging = mkdtempSync(join(ARTIFACTS, 'staging-sig-'));
  try {
    cpSync(registry.dir, staging, { recursive: true });
    const args = ['run', '--silent', 'publish-model', '--', '--registry', staging, '--id', id];
    await run('npm', [...args, '--version', version, '--file', file], { maxBuffer: 1 << 20 });
    for (const sub of ['blobs', 'probe']) {
      for (const name of readdirSync(join(staging, sub)))
        cpSync(join(staging, sub, name), join(registry.dir, sub, name));
    }
    return JSON.parse(readFileSync(join(staging, 'manifest.json'), 'utf8')) as Manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Replaces the live manifest atomically, as a compromised bucket or CDN would serve it. */
async function serve(registry: TestRegistry, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(registry.dir, 'manifest.json'), manifestText(manifest));
}

const clone = (m: Manifest): Manifest => JSON.parse(JSON.stringify(m)) as Manifest;

/** `m` without its signature, signed by `key` (a throwaway key, or the trusted one). */
function signedBy(m: Manifest, key: Parameters<typeof signManifest>[1]): Manifest {
  const out = clone(m);
  delete out.signature;
  out.signature = signManifest(out, key);
  return out;
}

/** Update-log records about refused manifests, oldest first. */
async function refusals(app: HotlensPage): Promise<Array<{ version: string; reason: string }>> {
  return (await app.logWhere({ model: MANIFEST_LOG_MODEL, outcome: 'rejected' })).map((r) => ({
    version: r.version,
    reason: r.reason ?? '',
  }));
}

test('manifests that are unsigned, tampered, wrongly signed or replayed are refused; genuine ones are accepted', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(180_000);
  const original = registry.manifest();
  const serial = original.serial;
  await app.openServing(registry);
  await expect.poll(async () => (await app.status()).updates.serial).toBe(serial);

  const genuine = await stagedPublish(registry, 'face-detector', '2.0.0', MODEL_FILES.tiny320);
  const newSha = genuine.models['face-detector']!.versions['2.0.0']!.sha256;
  expect(genuine.serial).toBe(serial + 1);
  const rogue = generateSigningKey('rogue-1');

  const tampered = clone(genuine);
  // What an attacker would loosen: the probe tolerance, so a broken model passes its probe.
  tampered.models['face-detector']!.versions['2.0.0']!.probe.tolerance = 1;
  const cases: Array<{ name: string; manifest: Manifest; reason: RegExp }> = [
    {
      name: 'unsigned',
      manifest: (() => {
        const m = clone(genuine);
        delete m.signature;
        return m;
      })(),
      reason: /signature check failed: the manifest is not signed/,
    },
    { name: 'tampered', manifest: tampered, reason: /signature does not verify with key "dev-1"/ },
    {
      name: 'wrong key under the trusted key id',
      manifest: signedBy(genuine, generateSigningKey('dev-1')),
      reason: /signature does not verify with key "dev-1"/,
    },
    {
      name: 'unknown key id',
      manifest: signedBy(genuine, rogue),
      reason: /signed with unknown key "rogue-1" \(known: [^)]*dev-1/,
    },
  ];

  /** Serves `manifest` and waits until the app has refused it and settled, then checks nothing moved. */
  async function refused(
    name: string,
    manifest: Manifest,
    reason: RegExp,
    kept: { serial: number; detector: string; newBlobFetches: number },
  ) {
    const before = await refusals(app);
    const framesBefore = (await app.status()).frames.processed;
    await serve(registry, manifest);
    await expect
      .poll(async () => (await app.status()).updates.manifestProblem ?? '', { message: name, timeout: 30_000 })
      .toMatch(reason);
    // Polled every second: a few more polls of the same file must not repeat the record.
    await page.waitForTimeout(2500);
    const after = await refusals(app);
    expect(after.slice(0, before.length), name).toEqual(before);
    expect(after.slice(before.length), name).toEqual([
      { version: `serial ${manifest.serial}`, reason: expect.stringMatching(reason) },
    ]);
    const status = await app.status();
    expect(status.updates.serial, name).toBe(kept.serial);
    expect(status.models['face-detector'], name).toMatchObject({ active: kept.detector, stage: 'idle' });
    expect(status.frames.processed, name).toBeGreaterThan(framesBefore);
    expect(status.frames.errors, name).toBe(0);
    expect(registry.blobRequests(newSha), name).toHaveLength(kept.newBlobFetches);
  }

  for (const c of cases) {
    await refused(c.name, c.manifest, c.reason, { serial, detector: '1.0.0', newBlobFetches: 0 });
  }

  // A genuine publish (publish-model, as the model team runs it, on top of whatever the registry
  // serves now) is accepted and swapped in.
  await registry.publish('face-detector', '2.0.0', MODEL_FILES.tiny320);
  const published = registry.manifest();
  expect(published.serial).toBeGreaterThan(serial);
  await app.serves('face-detector', '2.0.0');
  await expect
    .poll(async () => (await app.status()).updates)
    .toMatchObject({ serial: published.serial, manifestProblem: null });
  expect(registry.blobRequests(newSha)).toHaveLength(1);

  // Replay: the original manifest is genuinely signed, but older than the accepted one. Accepting
  // it would roll the detector back to 1.0.0 (a downgrade attack).
  const blobsBefore = registry.blobRequests().length;
  const replay = `serial ${serial} is lower than the last accepted serial ${published.serial}`;
  await refused('replayed older serial', original, new RegExp(replay), {
    serial: published.serial,
    detector: '2.0.0',
    newBlobFetches: 1,
  });
  expect(registry.blobRequests()).toHaveLength(blobsBefore);

  // The Models panel: the refusal in force, and every refusal in the update log.
  await page.getByRole('tab', { name: 'Models' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'manifest this app refused' });
  await expect(alert).toContainText(replay);
  const rows = page
    .getByRole('region', { name: /update log/i })
    .getByRole('row')
    .filter({ hasText: MANIFEST_LOG_MODEL });
  await expect(rows).toHaveCount(cases.length + 1);
  for (const c of [...cases, { reason: /lower than the last accepted serial/ }]) {
    await expect(rows.filter({ hasText: c.reason })).not.toHaveCount(0);
  }
  await app.screenshot('signature-refused');

  // A genuine manifest with a higher serial ends the refusal.
  const next = signedBy({ ...published, serial: published.serial + 1 }, (await resolveSigningKey()).key);
  await serve(registry, next);
  await expect
    .poll(async () => (await app.status()).updates)
    .toMatchObject({ serial: next.serial, manifestProblem: null });
  await expect(alert).toHaveCount(0);
  expect((await app.status()).frames.errors).toBe(0);
});
