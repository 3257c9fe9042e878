import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createManifestVerifier } from '../../../src/models/common/manifest-signature.ts';
import { parseManifest } from '../../../src/shared/manifest-validate.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { manifestText } from '../../../tools/lib/registry-io.ts';
import { generateSigningKey, signedBytes, signManifest, verifyManifestSignature } from '../../../tools/lib/signing.ts';
import { validManifest } from '../../helpers/manifest-fixture.ts';
import { UNSAFE_CHARS } from '../../helpers/untrusted.ts';

const key = generateSigningKey('release-1');
const other = generateSigningKey('release-2');
const verify = createManifestVerifier({ 'release-1': key.publicJwk, 'release-2': other.publicJwk });

/** Signs, then goes through the registry's text form and the client's parser, as a browser would. */
function published(manifest: Manifest = validManifest()): Manifest {
  const signed = { ...manifest, signature: signManifest(manifest, key) };
  return parseManifest(JSON.parse(manifestText(signed)));
}

/** Every leaf of a JSON value, as [path, parent, key]. */
function leaves(value: unknown, path = '$'): [string, Record<string, unknown> | unknown[], string | number][] {
  const out: [string, Record<string, unknown> | unknown[], string | number][] = [];
  if (value === null || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries) {
    const p = `${path}.${k}`;
    if (v !== null && typeof v === 'object') out.push(...leaves(v, p));
    else out.push([p, value as Record<string, unknown>, k]);
  }
  return out;
}

function mutate(v: unknown): unknown {
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return `${v}x`;
  if (typeof v === 'boolean') return !v;
  return 0;
}

describe('ES256 manifest signatures (tools/lib/signing.ts → browser verifier, real WebCrypto)', () => {
  it('a signature made by the tools verifies in the browser verifier and in Node', async () => {
    const m = published();
    expect(m.signature).toMatchObject({ alg: 'ES256', keyId: 'release-1' });
    // JOSE form: base64 of the raw 64-byte r‖s.
    expect(Buffer.from(m.signature!.value, 'base64')).toHaveLength(64);
    await expect(verify(m)).resolves.toBeUndefined();
    expect(verifyManifestSignature(m, 'release-1', key.publicJwk)).toBe(true);
  });

  it('covers the canonical JSON of the manifest without `signature`, independent of key order', async () => {
    const m = published();
    const { signature, ...rest } = m;
    const reordered = Object.fromEntries(Object.entries(rest).reverse()) as unknown as Manifest;
    expect(signedBytes(reordered).equals(signedBytes(m))).toBe(true);
    await expect(verify({ ...reordered, signature })).resolves.toBeUndefined();
  });

  it('is randomised (ECDSA), yet every signature of the same manifest verifies', async () => {
    const a = signManifest(validManifest(), key);
    const b = signManifest(validManifest(), key);
    expect(a.value).not.toBe(b.value);
    await expect(verify({ ...validManifest(), signature: b })).resolves.toBeUndefined();
  });

  it('rejects tampering with any field of the manifest', async () => {
    const base = published();
    const { signature: _s, ...unsigned } = base;
    const paths = leaves(unsigned);
    expect(paths.length).toBeGreaterThan(100);
    const accepted: string[] = [];
    for (const [path] of paths) {
      const copy = structuredClone(base);
      const [, parent, k] = leaves(copy).find(([p]) => p === path)!;
      (parent as Record<string | number, unknown>)[k] = mutate((parent as Record<string | number, unknown>)[k]);
      try {
        await verify(copy);
        accepted.push(path);
      } catch (err) {
        expect((err as Error).name).toBe('SignatureError');
        expect((err as Error).message).toMatch(/does not verify with key "release-1"/);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('rejects added or removed members (a new version, a dropped canary)', async () => {
    const base = published();
    const added = structuredClone(base);
    added.models['face-detector']!.versions['9.9.9'] = added.models['face-detector']!.versions['1.0.0']!;
    await expect(verify(added)).rejects.toThrow(/does not verify/);
    const dropped = structuredClone(base);
    delete dropped.models['face-detector']!.canary;
    await expect(verify(dropped)).rejects.toThrow(/does not verify/);
  });

  it('rejects a signature made with the wrong key (same key id)', async () => {
    const m = validManifest();
    const forged = { ...m, signature: { ...signManifest(m, other), keyId: 'release-1' } };
    await expect(verify(forged)).rejects.toThrow(/does not verify with key "release-1"/);
    expect(verifyManifestSignature(forged, 'release-1', key.publicJwk)).toBe(false);
  });

  it('rejects an unknown key id, including ids that exist on Object.prototype', async () => {
    const stranger = generateSigningKey('stranger');
    const m = validManifest();
    await expect(verify({ ...m, signature: signManifest(m, stranger) })).rejects.toThrow(
      /signed with unknown key "stranger" \(known: release-1, release-2\)/,
    );
    const proto = { ...m, signature: { ...signManifest(m, key), keyId: 'constructor' } };
    await expect(verify(proto)).rejects.toMatchObject({
      name: 'SignatureError',
      message: expect.stringMatching(/unknown key "constructor"/),
    });
  });

  it('rejects a missing signature', async () => {
    const { signature: _s, ...unsigned } = published();
    await expect(verify(unsigned)).rejects.toMatchObject({
      name: 'SignatureError',
      message: expect.stringMatching(/not signed/),
    });
  });

  it('rejects malformed values as SignatureError: bad base64, wrong length, other algorithms', async () => {
    const m = published();
    const sig = m.signature!;
    for (const value of ['A', 'AAAA', Buffer.alloc(63).toString('base64')]) {
      await expect(verify({ ...m, signature: { ...sig, value } })).rejects.toMatchObject({ name: 'SignatureError' });
    }
    const rs256 = { ...m, signature: { ...sig, alg: 'RS256' } } as unknown as Manifest;
    await expect(verify(rs256)).rejects.toThrow(/signed with RS256, not ES256/);
  });

  it('still accepts a DER signature from another ES256 signer', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
    const m = validManifest();
    const value = nodeSign('sha256', signedBytes(m), privateKey).toString('base64');
    await expect(
      createManifestVerifier({ der: jwk })({ ...m, signature: { alg: 'ES256', keyId: 'der', value } }),
    ).resolves.toBeUndefined();
  });
});

describe('untrusted key ids in messages', () => {
  it('quotes a 2 MB key id briefly, without control or bidi characters', async () => {
    const m = validManifest();
    const keyId = `\u202e\u001b[2J${'k'.repeat(2_000_000)}`;
    const err = (await verify({ ...m, signature: { ...signManifest(m, key), keyId } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(/unknown key "\[2Jk+…" \(known: release-1, release-2\)/);
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).not.toMatch(UNSAFE_CHARS);
  });
});
