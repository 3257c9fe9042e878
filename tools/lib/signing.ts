/**
 * @file ES256 manifest signing for the Node tools: P-256 key pairs, the private key as PKCS#8
 * PEM, the public key as JWK, and signatures in the JOSE form (base64 of the raw 64-byte r‖s)
 * over the canonical JSON of the manifest without `signature` — exactly what the browser's
 * verifier (src/models/manifest-signature.ts) checks. File handling lives in tools/keys.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { canonicalJson } from '../../src/shared/canonical-json.ts';
import type { Manifest, ManifestSignature } from '../../src/shared/manifest-types.ts';
import type { EcPublicJwk } from '../../src/models/common/manifest-signature.ts';

/** Key ids appear in file names and in manifests: letters, digits, ".", "_", "-" (max 64). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The key id `npm run models` gives the development key it creates. */
export const DEV_KEY_ID = 'dev-1';

/** The line keygen writes above the PEM block so a private key file (or env value) names its key id. */
const KEY_ID_LINE = /^Key-Id:[ \t]*(\S+)[ \t]*$/m;

/** A public key as the tools write it to `<id>.public.jwk.json`. */
export interface PublicJwk extends EcPublicJwk {
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** A loaded private key ready to sign, with its public half. */
export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
  /** RFC 7638 JWK thumbprint (base64url SHA-256): identifies the key material, not just its name. */
  thumbprint: string;
}

/** A key that cannot be used: unreadable, not P-256, no key id, mismatched halves. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

/** Throws unless `keyId` is a usable key id. */
export function checkKeyId(keyId: string): string {
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new SigningKeyError(
      `key id "${keyId}" must be 1-64 letters, digits, ".", "_" or "-" and start with a letter or digit`,
    );
  }
  return keyId;
}

/** The directory holding local key files: HOTLENS_KEYS_DIR (relative to the project root) or `<root>/keys`. */
export function keysDirFor(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.HOTLENS_KEYS_DIR;
  if (dir === undefined || dir === '') return join(projectRoot, 'keys');
  return isAbsolute(dir) ? dir : resolve(projectRoot, dir);
}

/** File name of a private key in a keys directory. */
export const privateKeyFileName = (keyId: string): string => `${keyId}.private.pem`;

/** File name of a public key in a keys directory. */
export const publicKeyFileName = (keyId: string): string => `${keyId}.public.jwk.json`;

/** RFC 7638 thumbprint of an EC public JWK (members crv, kty, x, y in that order). */
export function jwkThumbprint(jwk: EcPublicJwk): string {
  const json = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(json).digest('base64url');
}

/** Throws unless `key` is an EC P-256 key. */
function checkP256(key: KeyObject, origin: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const kind = key.asymmetricKeyDetails?.namedCurve ?? key.asymmetricKeyType ?? key.type;
    throw new SigningKeyError(
      `${origin} is a ${kind} key; ES256 needs an EC P-256 key (create one with npm run keygen)`,
    );
  }
}

/** The public JWK (with `kid`) of a P-256 private key. */
export function publicJwkOf(privateKey: KeyObject, keyId: string): PublicJwk {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new SigningKeyError('not an EC P-256 key');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: keyId, alg: 'ES256', use: 'sig' };
}

function signingKey(privateKey: KeyObject, keyId: string): SigningKey {
  const publicJwk = publicJwkOf(privateKey, keyId);
  return { keyId, privateKey, publicJwk, thumbprint: jwkThumbprint(publicJwk) };
}

/** A fresh P-256 key pair; the default key id is `key-<yyyymmdd>-<8 hex of the thumbprint>`. */
export function generateSigningKey(keyId?: string, now = new Date()): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (keyId !== undefined) return signingKey(privateKey, checkKeyId(keyId));
  const print = Buffer.from(jwkThumbprint(publicJwkOf(privateKey, 'x')), 'base64url').toString('hex');
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  return signingKey(privateKey, `key-${date}-${print.slice(0, 8)}`);
}

/** The private key as keygen stores it: a `Key-Id:` line, then the PKCS#8 PEM block. */
export function privateKeyText(key: SigningKey): string {
  const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return `Key-Id: ${key.keyId}\n${pem.endsWith('\n') ? pem : `${pem}\n`}`;
}

/** The public key as keygen stores it (`<id>.public.jwk.json`). */
export function publicKeyText(key: SigningKey): string {
  return `${JSON.stringify(key.publicJwk, null, 2)}\n`;
}

/** The key id a PEM text names on its `Key-Id:` line (before the PEM block), if any. */
export function keyIdInPem(text: string): string | undefined {
  const head = text.slice(0, Math.max(0, text.indexOf('-----BEGIN')));
  return KEY_ID_LINE.exec(head)?.[1];
}

/**
 * Loads a PKCS#8 (or SEC1) PEM private key. The key id is `keyId` when given, else the
 * text's `Key-Id:` line; `origin` names the source in error messages.
 */
export function signingKeyFromPem(text: string, origin: string, keyId?: string): SigningKey {
  if (!text.includes('-----BEGIN')) {
    throw new SigningKeyError(`${origin} is not a PEM private key (create one with npm run keygen)`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new SigningKeyError(`${origin} cannot be read as an unencrypted PEM private key (${reason})`);
  }
  checkP256(privateKey, origin);
  const id = keyId ?? keyIdInPem(text);
  if (id === undefined) {
    throw new SigningKeyError(`${origin} does not name its key id; pass --key-id or set HOTLENS_SIGNING_KEY_ID`);
  }
  return signingKey(privateKey, checkKeyId(id));
}

/** The bytes a signature covers: canonical JSON of the manifest without `signature`. */
export function signedBytes(manifest: Manifest): Buffer {
  const { signature: _omit, ...unsigned } = manifest;
  return Buffer.from(canonicalJson(unsigned), 'utf8');
}

/** Signs `manifest` (its `signature` field, if any, is ignored) with ES256; JOSE raw r‖s, base64. */
export function signManifest(manifest: Manifest, key: SigningKey): ManifestSignature {
  const value = sign('sha256', signedBytes(manifest), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return { alg: 'ES256', keyId: key.keyId, value: value.toString('base64') };
}

/** True when `manifest.signature` is a valid ES256 signature by `keyId` / `jwk` (raw r‖s form). */
export function verifyManifestSignature(manifest: Manifest, keyId: string, jwk: EcPublicJwk): boolean {
  const sig = manifest.signature;
  if (!sig || sig.alg !== 'ES256' || sig.keyId !== keyId) return false;
  const raw = Buffer.from(sig.value, 'base64');
  if (raw.length !== 64) return false;
  const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  return verify('sha256', signedBytes(manifest), { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw);
}
