import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManifestVerifier } from '../../../src/models/common/manifest-signature.ts';
import { loadTrustedKeys, trustedKeysForBuild, TrustedKeysError } from '../../../tools/lib/trusted-keys.ts';
import { generateSigningKey, publicKeyText, signManifest } from '../../../tools/lib/signing.ts';
import { validManifest } from '../../helpers/manifest-fixture.ts';
import { tempDir } from '../../helpers/fs.ts';

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
    // keys/ (the development key) is not read once production keys are configured: see below.
    expect(Object.keys(keys)).toEqual(['partner-a', 'prod-2026', 'prod-2027']);
    expect(keys['prod-2027']).toEqual(bare(next));
  });

  it('gives a verifier that accepts each trusted key and nothing else', async () => {
    writeFileSync(join(root, 'two.json'), JSON.stringify({ 'prod-2026': old.publicJwk, 'prod-2027': next.publicJwk }));
    const verify = createManifestVerifier(loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: join(root, 'two.json') }));
    const m = validManifest();
    for (const k of [old, next]) await expect(verify({ ...m, signature: signManifest(m, k) })).resolves.toBeUndefined();
    await expect(verify({ ...m, signature: signManifest(m, extra) })).rejects.toThrow(/unknown key "partner-a"/);
    // The local development key (keys/dev-1, whose private half sits beside it) signs nothing a production build accepts.
    await expect(verify({ ...m, signature: signManifest(m, dev) })).rejects.toThrow(/unknown key "dev-1"/);
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
    [
      'two keys under one id',
      () => ({
        keys: [
          { ...bare(old), kid: 'prod-x' },
          { ...bare(next), kid: 'prod-x' },
        ],
      }),
      /key id "prod-x" names two different keys/,
    ],
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

describe('production key policy', () => {
  const root = tempDir('hotlens-prod-keys-');
  const dev = generateSigningKey('dev-1');
  const prod = generateSigningKey('prod-2026');
  // A machine that once ran `npm run models`: keys/ holds the development key.
  mkdirSync(join(root, 'keys'));
  writeFileSync(join(root, 'keys', 'dev-1.public.jwk.json'), publicKeyText(dev));
  mkdirSync(join(root, 'prod'));
  writeFileSync(join(root, 'prod', 'prod-2026.public.jwk.json'), publicKeyText(prod));
  writeFileSync(join(root, 'with-dev.json'), JSON.stringify({ 'prod-2026': prod.publicJwk, 'dev-7': bare(dev) }));

  it('does not read keys/ implicitly when HOTLENS_TRUSTED_KEYS names the production keys', () => {
    expect(Object.keys(loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: 'prod' }))).toEqual(['prod-2026']);
  });

  it('does not read keys/ implicitly when HOTLENS_SIGNING_KEY is set, so such a build needs its keys named', () => {
    const env = { HOTLENS_SIGNING_KEY: join(root, 'prod', 'prod-2026.private.pem') };
    expect(loadTrustedKeys(root, env)).toEqual({});
    expect(() => trustedKeysForBuild(root, env, () => {})).toThrow(
      /No trusted manifest signing keys.*HOTLENS_SIGNING_KEY is set, so keys\/ is not read/,
    );
    expect(Object.keys(loadTrustedKeys(root, { ...env, HOTLENS_KEYS_DIR: 'prod' }))).toEqual(['prod-2026']);
  });

  it.each([
    ['HOTLENS_TRUSTED_KEYS', { HOTLENS_TRUSTED_KEYS: 'with-dev.json' }, /with-dev\.json "dev-7"/],
    [
      'an explicit HOTLENS_KEYS_DIR',
      { HOTLENS_SIGNING_KEY: 'x.pem', HOTLENS_KEYS_DIR: 'keys' },
      /dev-1\.public\.jwk\.json/,
    ],
  ])('refuses a dev-* key id listed through %s in a production build', (_how, env, where) => {
    const load = () => loadTrustedKeys(root, env);
    expect(load).toThrow(TrustedKeysError);
    expect(load).toThrow(where);
    expect(load).toThrow(/is a development key.*HOTLENS_TRUST_DEV_KEYS=1/);
  });

  it('trusts dev-* keys in a production build only with HOTLENS_TRUST_DEV_KEYS=1, and says so', () => {
    expect(() =>
      loadTrustedKeys(root, { HOTLENS_TRUSTED_KEYS: 'with-dev.json', HOTLENS_TRUST_DEV_KEYS: 'yes' }),
    ).toThrow(/HOTLENS_TRUST_DEV_KEYS=1/);
    const lines: string[] = [];
    const env = { HOTLENS_TRUSTED_KEYS: 'with-dev.json', HOTLENS_TRUST_DEV_KEYS: '1' };
    expect(Object.keys(trustedKeysForBuild(root, env, (l) => lines.push(l)))).toEqual(['dev-7', 'prod-2026']);
    expect(lines.join('\n')).toMatch(/dev-7.*prod-2026/);
    expect(lines.join('\n')).toMatch(/HOTLENS_TRUST_DEV_KEYS=1.*development key dev-7/);
  });

  it('keeps zero configuration working: keys/ is read, and the build says it trusts a development key', () => {
    const lines: string[] = [];
    expect(Object.keys(trustedKeysForBuild(root, {}, (l) => lines.push(l)))).toEqual(['dev-1']);
    expect(lines.join('\n')).toMatch(
      /manifest signing keys embedded in this build: dev-1 \(keys\/dev-1\.public\.jwk\.json\)/,
    );
    expect(lines.join('\n')).toMatch(/dev-1 is a development key.*never deploy this build/);
  });

  it('prints the key ids a production build embeds, with where each came from', () => {
    const lines: string[] = [];
    trustedKeysForBuild(root, { HOTLENS_TRUSTED_KEYS: 'prod' }, (l) => lines.push(l));
    expect(lines).toEqual(['manifest signing keys embedded in this build: prod-2026 (prod/prod-2026.public.jwk.json)']);
  });
});
