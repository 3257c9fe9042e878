/**
 * @file Verifies the manifest's ES256 signature with WebCrypto: ECDSA P-256 / SHA-256 over
 * the canonical JSON (src/shared/canonical-json.ts) of the manifest without `signature`.
 * The signature value is base64 (or base64url) of either the raw 64-byte r‖s form WebCrypto
 * produces or the DER form Node's `crypto.sign` produces by default; both are accepted so the
 * publishing tool may use either.
 */
import type { Manifest, ManifestDocument } from '../../shared/manifest-types.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { untrustedText } from '../../shared/untrusted-text.ts';

/** An EC P-256 public key as JWK (what a deployment ships to clients). */
export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** Thrown when a signature is missing, from an unknown key, malformed or wrong. */
export class SignatureError extends Error {
  override name = 'SignatureError';
}

function base64Bytes(value: string): Uint8Array<ArrayBuffer> {
  const std = value.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  let bin: string;
  try {
    bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  } catch {
    throw new SignatureError('the signature value is not valid base64');
  }
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → raw r‖s (32 bytes each). */
function derToRaw(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const fail = () => new SignatureError('signature is neither 64 raw bytes nor a DER ECDSA signature');
  let i = 0;
  if (der[i++] !== 0x30) throw fail();
  const seqLen = der[i++]!;
  if (seqLen & 0x80 || seqLen !== der.length - 2) throw fail();
  const out = new Uint8Array(new ArrayBuffer(64));
  for (const offset of [0, 32]) {
    if (der[i++] !== 0x02) throw fail();
    const len = der[i++]!;
    let int = der.subarray(i, i + len);
    i += len;
    while (int.length > 32 && int[0] === 0) int = int.subarray(1);
    if (int.length > 32 || int.length === 0) throw fail();
    out.set(int, offset + 32 - int.length);
  }
  if (i !== der.length) throw fail();
  return out;
}

/**
 * Returns a verifier for registry-client's `verifySignature`: throws {@link SignatureError}
 * unless the manifest is signed by one of `keys` (by keyId). It takes the manifest as received
 * (a validated Manifest works too): everything but `signature` is the signed content.
 */
export function createManifestVerifier(
  keys: Record<string, EcPublicJwk>,
): (manifest: ManifestDocument | Manifest) => Promise<void> {
  const imported = new Map<string, ReturnType<typeof crypto.subtle.importKey>>();
  const keyFor = (keyId: string) => {
    // Own keys only: an id like "constructor" must not find Object.prototype members.
    if (!Object.hasOwn(keys, keyId)) return undefined;
    const jwk = keys[keyId]!;
    let k = imported.get(keyId);
    if (!k) {
      k = crypto.subtle.importKey('jwk', { ...jwk, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
        'verify',
      ]);
      // Do not cache a failed import forever.
      k.catch(() => imported.delete(keyId));
      imported.set(keyId, k);
    }
    return k;
  };
  return async (manifest) => {
    const sig = manifest.signature;
    if (!sig) throw new SignatureError('the manifest is not signed, and this app only accepts signed manifests');
    if (sig.alg !== 'ES256')
      throw new SignatureError(`the manifest is signed with ${untrustedText(String(sig.alg))}, not ES256`);
    const key = keyFor(sig.keyId);
    // Until it verifies, the key id is the registry's text: quoted short and clean.
    const keyId = untrustedText(sig.keyId);
    if (!key)
      throw new SignatureError(
        `the manifest is signed with unknown key "${keyId}" (known: ${Object.keys(keys).join(', ') || 'none'})`,
      );
    let raw = base64Bytes(sig.value);
    if (raw.length !== 64) raw = derToRaw(raw);
    const { signature: _omit, ...unsigned } = manifest;
    const data = new TextEncoder().encode(canonicalJson(unsigned));
    let cryptoKey: Awaited<typeof key>;
    try {
      cryptoKey = await key;
    } catch (err) {
      throw new SignatureError(`trusted key "${keyId}" cannot be imported (${(err as Error).message})`);
    }
    const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, cryptoKey, raw, data);
    if (!ok) throw new SignatureError(`the manifest signature does not verify with key "${keyId}"`);
  };
}
