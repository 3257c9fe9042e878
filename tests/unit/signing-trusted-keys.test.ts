import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManifestVerifier } from '../../src/models/manifest-signature.ts';
import { loadTrustedKeys, TrustedKeysError } from '../../tools/lib/trusted-keys.ts';
import { generateSigningKey, publicKeyText, signManifest } from '../../tools/lib/signing.ts';
import { validManifest } from './helpers/manifest-fixture.ts';
import { tempDir } from './helpers/fs.ts';

const bare = (k: ReturnType<typeof generateSigningKey>) => ({
  kty: 'EC',
  crv: 'P-256',
  x: k.publicJwk.x,
  y: k.publicJwk.y,
});

describe('loadTrustedKeys', () => {
  const root = tempDir('hotlens-trusted-');
  const dev = generateSigningKey('dev-1');
  const old = generateSigningKey('prod-2026');
  const next = generateSigningKey('prod-2027');
  const extra = generateSigningKey('partner-a');
  mkdirSync(join(root, 'keys'));
  writeFileSync(join(root, 'keys', 'dev-1.public.jwk.json'), publicKeyText(dev));
  // Private keys and other files in keys/ are never picked up.
  writeFileSync(join(root, 'keys', 'dev-1.private.pem'), 'secret');
  writeFileSync(join(root, 'keys', 'notes.txt'), 'hello');

  it('embeds every keys/*.public.jwk.json, stripped to what a verifier needs', () => {
    expect(loadTrustedKeys(root, {})).toEqual({ 'dev-1': bare(dev) });
  });

  it('is empty when there is no keys directory and no HOTLENS_TRUSTED_KEYS', () => {
    expect(loadTrustedKeys(join(root, 'nowhere'), {})).toEqual({});
  });

  it('merges HOTLENS_TRUSTED_KEYS: a {keyId: jwk} file, a JWKS, a directory (rotation: several ids), sorted by id', () => {
    writeFileSync(join(root, 'map.json'), JSON.stringify({ 'prod-2026': old.publicJwk, 'prod-2027': bare(next) }));
    writeFileSync(join(root, 'jwks.json'), JSON.stringify({ keys: [extra.publicJwk] }));
    mkdirSync(join(root, 'more'));
    // The same key listed twice under one id is fine.
    writeFileSync(join(root, 'more', 'prod-2027.public.jwk.json'), publicKeyText(next));
    const keys = loadTrustedKeys(root, {
      HOTLENS_TRUSTED_KEYS: ['map.json', join(root, 'jwks.json'), 'more'].join(delimiter),
    });
    expect(Object.keys(keys)).toEqual(['dev-1', 'partner-a', 'prod-2026', 'prod-2027']);
    expect(keys['prod-2027']).toEqual(bare(next));
  });

  it('gives a verifier that accepts each trusted key and nothing else', async () => {
    writeFileSync(join(root, 'two.json'), JSON.stringify({ 'prod-2026': old.publicJwk, 'prod-2027': next.publicJwk }));
    const verify = createManifestVerifier(loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: join(root, 'two.json') }));
    const m = validManifest();
    for (const k of [dev, old, next])
      await expect(verify({ ...m, signature: signManifest(m, k) })).resolves.toBeUndefined();
    await expect(verify({ ...m, signature: signManifest(m, extra) })).rejects.toThrow(/unknown key "partner-a"/);
  });

  it('honours HOTLENS_KEYS_DIR for the local keys directory', () => {
    const dir = join(root, 'elsewhere');
    mkdirSync(dir);
    writeFileSync(join(dir, 'prod-2026.public.jwk.json'), publicKeyText(old));
    expect(Object.keys(loadTrustedKeys(root, { HOTLENS_KEYS_DIR: dir }))).toEqual(['prod-2026']);
    expect(Object.keys(loadTrustedKeys(root, { HOTLENS_KEYS_DIR: 'elsewhere' }))).toEqual(['prod-2026']);
  });

  it.each([
    [
      'a private key',
      () => ({ bad: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) }),
      /is a PRIVATE key/,
    ],
    [
      'a P-384 key',
      () => ({ bad: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) }),
      /must be an EC P-256 public JWK/,
    ],
    ['a point off the curve', () => ({ bad: { ...bare(dev), y: bare(old).y } }), /is not a valid P-256 public key/],
    ['two keys under one id', () => ({ 'dev-1': bare(old) }), /key id "dev-1" names two different keys/],
    ['a key id that is not a file name', () => ({ '../x': bare(old) }), /key id "\.\.\/x" must be/],
    ['not a key set', () => [1, 2], /must be a \{"keyId": jwk\} object/],
  ])('refuses %s', (_name, content, message) => {
    const path = join(root, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(content()));
    expect(() => loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: path })).toThrow(TrustedKeysError);
    expect(() => loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: path })).toThrow(message);
  });

  it('refuses a missing path, unreadable JSON and a file whose kid contradicts its name', () => {
    expect(() => loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: 'missing.json' })).toThrow(
      /does not exist; fix HOTLENS_TRUSTED_KEYS/,
    );
    writeFileSync(join(root, 'broken.json'), '{');
    expect(() => loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: 'broken.json' })).toThrow(/is not readable JSON/);
    const dir = join(root, 'mislabelled');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-1.public.jwk.json'), publicKeyText(old));
    expect(() => loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: dir })).toThrow(
      /has "kid": "prod-2026"; rename the file/,
    );
  });
});
