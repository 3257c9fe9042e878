/**
 * @file The public keys a build trusts for manifest signatures, collected at build time so
 * the app (and its service worker) can embed them: every `<keys>/*.public.jwk.json` (the
 * keys directory is HOTLENS_KEYS_DIR or `<root>/keys`) plus HOTLENS_TRUSTED_KEYS. Several keys
 * at once is what makes rotation possible: ship the new key next to the old, switch the
 * signer, drop the old key later. A private key, a non-P-256 key or two different keys under
 * one id stop the build instead of shipping a verifier that cannot work.
 *
 * Production builds: once HOTLENS_TRUSTED_KEYS or HOTLENS_SIGNING_KEY is set, `<root>/keys`
 * (where `npm run models` leaves the development key, private half included) is no longer
 * read implicitly (only an explicit HOTLENS_KEYS_DIR is), and a `dev-*` key id anywhere stops
 * the build unless HOTLENS_TRUST_DEV_KEYS=1. Otherwise a build made with production keys on a
 * machine that once ran `npm run models` would silently accept manifests signed with
 * `keys/dev-1.private.pem`.
 */
import { createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import type { EcPublicJwk } from '../../src/models/common/manifest-signature.ts';
import { checkKeyId, keysDirFor } from './signing.ts';

/** A trusted key set that cannot be loaded; the message names the file and the fix. */
export class TrustedKeysError extends Error {
  override name = 'TrustedKeysError';
}

const PUBLIC_SUFFIX = '.public.jwk.json';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TrustedKeysError(`trusted key file ${path} is not readable JSON (${(err as Error).message})`);
  }
}

/** Validates one JWK and strips it to the members a verifier needs. */
function publicKey(value: unknown, where: string): EcPublicJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TrustedKeysError(`${where} is not a JWK object`);
  }
  const jwk = value as Record<string, unknown>;
  if ('d' in jwk) {
    throw new TrustedKeysError(`${where} is a PRIVATE key; only public keys may be embedded in the app`);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new TrustedKeysError(`${where} must be an EC P-256 public JWK (kty "EC", crv "P-256", x, y)`);
  }
  const key: EcPublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  try {
    // Rejects coordinates that are not a point on the curve.
    createPublicKey({ key: { ...key }, format: 'jwk' });
  } catch (err) {
    throw new TrustedKeysError(`${where} is not a valid P-256 public key (${(err as Error).message})`);
  }
  return key;
}

function kidOf(value: unknown): string | undefined {
  const kid = (value as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

/** Key id → JWK pairs in one source: a `*.public.jwk.json` file, a JWKS, a `{keyId: jwk}` map or a directory. */
function entriesOf(path: string): [string, unknown, string][] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new TrustedKeysError(`trusted keys ${path} does not exist; fix HOTLENS_TRUSTED_KEYS`);
  }
  if (isDir) return directoryEntries(path);
  const json = readJson(path);
  if (path.endsWith(PUBLIC_SUFFIX) || (typeof json === 'object' && json !== null && 'kty' in json)) {
    const kid = kidOf(json) ?? (path.endsWith(PUBLIC_SUFFIX) ? fileKeyId(path) : undefined);
    if (kid === undefined) throw new TrustedKeysError(`${path} is a single JWK without "kid"; add one`);
    return [[kid, json, path]];
  }
  if (typeof json === 'object' && json !== null && Array.isArray((json as { keys?: unknown }).keys)) {
    return (json as { keys: unknown[] }).keys.map((jwk, i): [string, unknown, string] => {
      const kid = kidOf(jwk);
      if (kid === undefined) throw new TrustedKeysError(`${path} keys[${i}] has no "kid"`);
      return [kid, jwk, `${path} keys[${i}]`];
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TrustedKeysError(`${path} must be a {"keyId": jwk} object, a JWKS or a single JWK with "kid"`);
  }
  return Object.entries(json).map(([kid, jwk]): [string, unknown, string] => [kid, jwk, `${path} "${kid}"`]);
}

function fileKeyId(path: string): string {
  const name = path.split(/[\\/]/).pop()!;
  return name.slice(0, -PUBLIC_SUFFIX.length);
}

function directoryEntries(dir: string): [string, unknown, string][] {
  const out: [string, unknown, string][] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(PUBLIC_SUFFIX) || name.startsWith('.')) continue;
    const path = join(dir, name);
    const json = readJson(path);
    const kid = kidOf(json) ?? fileKeyId(path);
    if (kid !== fileKeyId(path)) {
      throw new TrustedKeysError(`${path} has "kid": "${kid}"; rename the file to ${kid}${PUBLIC_SUFFIX}`);
    }
    out.push([kid, json, path]);
  }
  return out;
}

/** Key ids the development tooling uses (`npm run models` creates `dev-1`). */
export const isDevKeyId = (keyId: string): boolean => keyId.startsWith('dev-');

/** The variable that lets a production build trust `dev-*` keys anyway (a staging build, say). */
export const TRUST_DEV_KEYS_ENV = 'HOTLENS_TRUST_DEV_KEYS';

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/** True when the environment configures production keys (HOTLENS_TRUSTED_KEYS or HOTLENS_SIGNING_KEY). */
export function productionKeysConfigured(env: NodeJS.ProcessEnv): boolean {
  return isSet(env.HOTLENS_TRUSTED_KEYS) || isSet(env.HOTLENS_SIGNING_KEY);
}

/** Trusted keys plus where each came from (for the build's printout). */
interface KeySet {
  keys: Record<string, EcPublicJwk>;
  where: Record<string, string>;
  production: boolean;
}

function collectTrustedKeys(projectRoot: string, env: NodeJS.ProcessEnv): KeySet {
  const production = productionKeysConfigured(env);
  const allowDev = env[TRUST_DEV_KEYS_ENV] === '1';
  const sources: [string, unknown, string][] = [];
  const keysDir = keysDirFor(projectRoot, env);
  let hasKeysDir = false;
  // A production build reads a keys directory only when it is named explicitly.
  if (!production || isSet(env.HOTLENS_KEYS_DIR)) {
    try {
      hasKeysDir = statSync(keysDir).isDirectory();
    } catch {
      /* no local keys yet: only HOTLENS_TRUSTED_KEYS */
    }
  }
  if (hasKeysDir) sources.push(...directoryEntries(keysDir));
  for (const item of (env.HOTLENS_TRUSTED_KEYS ?? '').split(delimiter)) {
    if (item.trim() === '') continue;
    sources.push(...entriesOf(isAbsolute(item) ? item : resolve(projectRoot, item)));
  }
  const found = new Map<string, { key: EcPublicJwk; where: string }>();
  for (const [kid, value, where] of sources) {
    try {
      checkKeyId(kid);
    } catch (err) {
      throw new TrustedKeysError(`${where}: ${(err as Error).message}`);
    }
    if (production && !allowDev && isDevKeyId(kid)) {
      throw new TrustedKeysError(
        `${where}: key id "${kid}" is a development key, and this build is configured with production keys ` +
          `(HOTLENS_TRUSTED_KEYS or HOTLENS_SIGNING_KEY is set). Remove it from the trusted keys, ` +
          `or set ${TRUST_DEV_KEYS_ENV}=1 for a build that must trust it (never for one you deploy)`,
      );
    }
    const key = publicKey(value, where);
    const seen = found.get(kid);
    if (seen && (seen.key.x !== key.x || seen.key.y !== key.y)) {
      throw new TrustedKeysError(`key id "${kid}" names two different keys (${seen.where} and ${where}); rename one`);
    }
    if (!seen) found.set(kid, { key, where });
  }
  const out: KeySet = { keys: {}, where: {}, production };
  for (const kid of [...found.keys()].sort()) {
    out.keys[kid] = found.get(kid)!.key;
    out.where[kid] = found.get(kid)!.where;
  }
  return out;
}

/**
 * The key set a build embeds (key id → public JWK, sorted by id): `<keys>/*.public.jwk.json`
 * plus each path in HOTLENS_TRUSTED_KEYS (separated by the platform's path delimiter,
 * relative to `projectRoot`), under the production policy above. Throws
 * {@link TrustedKeysError} on anything unusable.
 */
export function loadTrustedKeys(
  projectRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, EcPublicJwk> {
  return collectTrustedKeys(projectRoot, env).keys;
}

/**
 * What `vite build` embeds: {@link loadTrustedKeys}, refused when empty (an app that accepts
 * no manifest), with the key ids and their sources printed through `log`, and a warning when
 * a development key is among them.
 */
export function trustedKeysForBuild(
  projectRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
): Record<string, EcPublicJwk> {
  const set = collectTrustedKeys(projectRoot, env);
  const ids = Object.keys(set.keys);
  if (ids.length === 0) {
    const why = set.production
      ? `${isSet(env.HOTLENS_TRUSTED_KEYS) ? 'HOTLENS_TRUSTED_KEYS' : 'HOTLENS_SIGNING_KEY'} is set, so keys/ is not read: ` +
        'list the production public keys in HOTLENS_TRUSTED_KEYS or HOTLENS_KEYS_DIR'
      : 'run `npm run models` (it creates a development key in keys/), or point HOTLENS_KEYS_DIR / HOTLENS_TRUSTED_KEYS at the production public keys';
    throw new TrustedKeysError(
      `No trusted manifest signing keys: the app would reject every model manifest. ${why} (docs/SIGNING.md).`,
    );
  }
  const shown = (where: string) => {
    const rel = relative(projectRoot, where);
    return rel.startsWith('..') || isAbsolute(rel) ? where : rel;
  };
  log(
    `manifest signing keys embedded in this build: ${ids.map((id) => `${id} (${shown(set.where[id]!)})`).join(', ')}`,
  );
  const dev = ids.filter(isDevKeyId);
  if (dev.length > 0 && set.production) {
    log(`warning: ${TRUST_DEV_KEYS_ENV}=1: this build also trusts development key ${dev.join(', ')}`);
  } else if (dev.length > 0) {
    log(
      `warning: ${dev.join(', ')} is a development key (its private half is on this machine): never deploy this build; ` +
        'production builds set HOTLENS_TRUSTED_KEYS (docs/SIGNING.md)',
    );
  }
  return set.keys;
}
