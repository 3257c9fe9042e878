import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManifestVerifier } from '../../../src/models/common/manifest-signature.ts';
import { signingKeyFromPem, signManifest, type PublicJwk } from '../../../tools/lib/signing.ts';
import { readSigningKeyFile } from '../../../tools/keys/key-store.ts';
import { validManifest } from '../../helpers/manifest-fixture.ts';
import { runCli } from '../../helpers/cli.ts';
import { snapshot, tempDir } from '../../helpers/fs.ts';

const KEYGEN = 'tools/keys/keygen.ts';

describe('npm run keygen', () => {
  const dir = tempDir('hotlens-keygen-');

  it('--json prints a P-256 pair whose private half signs what the browser verifier accepts', async () => {
    const r = await runCli(KEYGEN, ['--key-id', 'ci-2027', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { keyId: string; publicJwk: PublicJwk; privateKeyPem: string };
    expect(out.keyId).toBe('ci-2027');
    expect(out.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'ci-2027', alg: 'ES256', use: 'sig' });
    expect(out.privateKeyPem).toMatch(/^Key-Id: ci-2027\n-----BEGIN PRIVATE KEY-----\n/);
    // The key id comes from the PEM text itself.
    const key = signingKeyFromPem(out.privateKeyPem, 'stdout');
    expect(key.keyId).toBe('ci-2027');
    expect(key.publicJwk).toEqual(out.publicJwk);
    const manifest = validManifest();
    manifest.signature = signManifest(manifest, key);
    await expect(createManifestVerifier({ 'ci-2027': out.publicJwk })(manifest)).resolves.toBeUndefined();
  });

  it('prints both halves in a form that can be pasted into files', async () => {
    const r = await runCli(KEYGEN, []);
    expect(r.code, r.stderr).toBe(0);
    const privateText = /^(Key-Id: .*\n-----BEGIN PRIVATE KEY-----\n[\s\S]*?-----END PRIVATE KEY-----\n)/m.exec(
      r.stdout,
    )?.[1];
    const publicText = /^(\{[\s\S]*?\n\})/m.exec(r.stdout)?.[1];
    expect(privateText).toBeDefined();
    expect(publicText).toBeDefined();
    const key = signingKeyFromPem(privateText!, 'stdout');
    // Default id: key-<yyyymmdd>-<8 hex>.
    expect(key.keyId).toMatch(/^key-\d{8}-[0-9a-f]{8}$/);
    expect(JSON.parse(publicText!)).toEqual(key.publicJwk);
  });

  it('--out writes <id>.private.pem (0600) and <id>.public.jwk.json, and never overwrites a key', async () => {
    const r = await runCli(KEYGEN, ['--key-id', 'prod-1', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    // The secret is not printed when it went to a file.
    expect(r.stdout).not.toMatch(/PRIVATE KEY-----/);
    const privatePath = join(dir, 'prod-1.private.pem');
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    const key = await readSigningKeyFile(privatePath);
    expect(key.keyId).toBe('prod-1');
    expect(JSON.parse(readFileSync(join(dir, 'prod-1.public.jwk.json'), 'utf8'))).toEqual(key.publicJwk);

    const before = snapshot(dir);
    const again = await runCli(KEYGEN, ['--key-id', 'prod-1', '--out', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^keygen: .*prod-1\.private\.pem already exists; choose another --key-id/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a key id that cannot be a file name', async () => {
    const r = await runCli(KEYGEN, ['--key-id', '../evil', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key id "\.\.\/evil" must be/);
  });

  describe('loading key files', () => {
    it('takes the key id from the file name when the file has no Key-Id line', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const path = join(dir, 'plain-7.private.pem');
      writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }));
      expect((await readSigningKeyFile(path)).keyId).toBe('plain-7');
      expect((await readSigningKeyFile(path, 'override')).keyId).toBe('override');
    });

    it.each([
      [
        'P-384',
        () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      ],
      [
        'RSA',
        () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      ],
    ])('refuses a %s key', async (name, make) => {
      const path = join(dir, `${name}.private.pem`);
      writeFileSync(path, make());
      await expect(readSigningKeyFile(path)).rejects.toThrow(/ES256 needs an EC P-256 key/);
    });

    it('refuses a file that is not a PEM key, and a private key whose public file does not match', async () => {
      const junk = join(dir, 'junk.private.pem');
      writeFileSync(junk, 'not a key\n');
      await expect(readSigningKeyFile(junk)).rejects.toThrow(/is not a PEM private key/);
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const path = join(dir, 'prod-1-copy.private.pem');
      writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }));
      // prod-1.public.jwk.json in this directory belongs to another key.
      await expect(readSigningKeyFile(path, 'prod-1')).rejects.toThrow(/does not match the public key/);
    });
  });
});
