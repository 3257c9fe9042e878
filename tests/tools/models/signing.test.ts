import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createManifestVerifier } from '../../../src/models/common/manifest-signature.ts';
import { readManifest } from '../../../tools/lib/registry-io.ts';
import { loadTrustedKeys } from '../../../tools/lib/trusted-keys.ts';
import { jwkThumbprint, type PublicJwk } from '../../../tools/lib/signing.ts';
import { stampPath } from '../../../tools/models/stamp.ts';
import { runCli, type CliResult } from '../../helpers/cli.ts';
import { snapshot, tempDir } from '../../helpers/fs.ts';

describe('npm run models signs the registry', () => {
  const root = tempDir('hotlens-signed-models-');
  const keysDir = join(root, 'keys');
  const reg = join(root, 'registry');
  const env = { HOTLENS_KEYS_DIR: keysDir, HOTLENS_SIGNING_KEY: '', HOTLENS_SIGNING_KEY_ID: '', SOURCE_DATE_EPOCH: '' };
  const models = (extraEnv: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<CliResult> =>
    runCli('tools/models/build-registry.ts', ['--out', reg, ...args], { ...env, ...extraEnv });
  const devJwk = () => JSON.parse(readFileSync(join(keysDir, 'dev-1.public.jwk.json'), 'utf8')) as PublicJwk;
  const stamp = () => JSON.parse(readFileSync(stampPath(reg), 'utf8')) as Record<string, string>;
  let first: CliResult;

  beforeAll(async () => {
    first = await models();
  });

  it('creates the development key on first use and signs the manifest with it', async () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created development key .*dev-1\.private\.pem/);
    expect(first.stdout).toMatch(/manifest serial 1, signed with key dev-1/);
    const manifest = (await readManifest(reg))!;
    expect(manifest.signature?.keyId).toBe('dev-1');
    await createManifestVerifier(loadTrustedKeys(root, { HOTLENS_KEYS_DIR: keysDir }))(manifest);
    expect(stamp()).toMatchObject({ keyId: 'dev-1', key: jwkThumbprint(devJwk()) });
  });

  it('reuses the key and does not re-sign when nothing changed, so reruns are byte-identical', async () => {
    const keys = snapshot(keysDir);
    const files = snapshot(reg);
    const again = await models();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/models up to date \(.*signed with key dev-1\)/);
    expect(again.stdout).not.toMatch(/created/);
    // Even a forced rebuild keeps the signed manifest: its content did not change.
    const forced = await models({}, ['--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/wrote .*manifest serial 1, signed with key dev-1/s);
    expect(snapshot(reg)).toEqual(files);
    expect(snapshot(keysDir)).toEqual(keys);
  });

  it('bumps the serial above the previous manifest when the inputs change', async () => {
    const before = (await readManifest(reg))!;
    const r = await models({ SOURCE_DATE_EPOCH: '1700000000' });
    expect(r.code, r.stderr).toBe(0);
    const after = (await readManifest(reg))!;
    expect(after.published).toBe('2023-11-14T22:13:20Z');
    expect(after.serial).toBe(before.serial + 1);
    await createManifestVerifier({ 'dev-1': devJwk() })(after);
  });

  it('re-signs (higher serial) when the signing key changes, and the stamp names the new key', async () => {
    const gen = await runCli('tools/keys/keygen.ts', ['--key-id', 'ci-1', '--out', join(root, 'ci')]);
    expect(gen.code, gen.stderr).toBe(0);
    const ciJwk = JSON.parse(readFileSync(join(root, 'ci', 'ci-1.public.jwk.json'), 'utf8')) as PublicJwk;
    const before = (await readManifest(reg))!;
    const ciEnv = { SOURCE_DATE_EPOCH: '1700000000', HOTLENS_SIGNING_KEY: join(root, 'ci', 'ci-1.private.pem') };
    const r = await models(ciEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/signed with key ci-1 \(HOTLENS_SIGNING_KEY=/);
    const after = (await readManifest(reg))!;
    expect(after.serial).toBe(before.serial + 1);
    expect(after.signature?.keyId).toBe('ci-1');
    await createManifestVerifier({ 'ci-1': ciJwk })(after);
    expect(stamp()).toMatchObject({ keyId: 'ci-1', key: jwkThumbprint(ciJwk) });
    expect((await models(ciEnv)).stdout).toMatch(/models up to date/);
  });

  it('rebuilds a manifest whose signature no longer verifies, above its serial', async () => {
    const path = join(reg, 'manifest.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"serial": \d+/, '"serial": 41'));
    const r = await models({ SOURCE_DATE_EPOCH: '1700000000' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote /);
    const after = (await readManifest(reg))!;
    expect(after.serial).toBe(42);
    await createManifestVerifier({ 'dev-1': devJwk() })(after);
  });
});
