/**
 * @file Key files on disk and which key a tool signs with. Private keys are written 0600 and
 * never overwritten (created with an exclusive link, so two tools racing to create the
 * development key end up sharing one). The signing key comes from `--key FILE`, else
 * HOTLENS_SIGNING_KEY (a path or the PEM itself), else the local development key
 * `<keys>/dev-1.private.pem`, created on first use.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { exists, writeFileAtomic } from '../lib/registry-io.ts';
import {
  DEV_KEY_ID,
  keysDirFor,
  privateKeyFileName,
  privateKeyText,
  publicKeyFileName,
  publicKeyText,
  generateSigningKey,
  keyIdInPem,
  signingKeyFromPem,
  SigningKeyError,
  type SigningKey,
} from '../lib/signing.ts';
import { PROJECT_ROOT } from '../lib/project-root.ts';

/** Where the signing key came from (printed by the tools so nobody signs with the dev key by accident). */
export type KeySource = 'option' | 'env' | 'dev';

/** A signing key plus a human description of its origin. */
export interface ResolvedKey {
  key: SigningKey;
  source: KeySource;
  /** e.g. "key file keys/dev-1.private.pem", "HOTLENS_SIGNING_KEY". */
  origin: string;
  /** True when this call created the development key. */
  created: boolean;
}

/** Paths of a written key pair. */
export interface KeyPairFiles {
  privatePath: string;
  publicPath: string;
}

/** Creates `path` with `data` only if it does not exist yet, never exposing a partial file. */
async function createExclusive(path: string, data: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = await open(tmp, 'wx', mode);
  try {
    await fd.writeFile(data);
    await fd.sync();
  } finally {
    await fd.close();
  }
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
    // Filesystems without hard links: an exclusive create is still never an overwrite.
    await writeFile(path, data, { flag: 'wx', mode });
  } finally {
    await rm(tmp, { force: true });
  }
  await chmod(path, mode);
}

/** Writes `<id>.private.pem` (0600, refuses to overwrite) and `<id>.public.jwk.json` into `dir`. */
export async function writeKeyPair(dir: string, key: SigningKey): Promise<KeyPairFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privatePath = join(dir, privateKeyFileName(key.keyId));
  const publicPath = join(dir, publicKeyFileName(key.keyId));
  try {
    await createExclusive(privatePath, privateKeyText(key), 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SigningKeyError(`${privatePath} already exists; choose another --key-id or remove the old key first`);
    }
    throw err;
  }
  await writeFileAtomic(publicPath, publicKeyText(key));
  return { privatePath, publicPath };
}

/** Checks a `<id>.public.jwk.json` beside the private key, so a mismatched pair fails here, not in every browser. */
async function checkPublicBeside(dir: string, key: SigningKey, origin: string): Promise<void> {
  const path = join(dir, publicKeyFileName(key.keyId));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  let jwk: { x?: unknown; y?: unknown; kid?: unknown };
  try {
    jwk = JSON.parse(text) as typeof jwk;
  } catch {
    throw new SigningKeyError(`${path} is not valid JSON; regenerate it or remove it`);
  }
  if (jwk.x !== key.publicJwk.x || jwk.y !== key.publicJwk.y) {
    throw new SigningKeyError(
      `${origin} does not match the public key ${path}; clients trusting that file would reject`,
    );
  }
  if (jwk.kid !== undefined && jwk.kid !== key.keyId) {
    throw new SigningKeyError(`${path} names key id "${String(jwk.kid)}", not "${key.keyId}"`);
  }
}

/**
 * Loads a private key file. Key id: `keyId`, else the file's `Key-Id:` line, else the file
 * name `<id>.private.pem`.
 */
export async function readSigningKeyFile(path: string, keyId?: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SigningKeyError(`cannot read signing key ${path} (${code})`);
  }
  const fromName = /^(.+)\.private\.pem$/.exec(basename(path))?.[1];
  const origin = `key file ${path}`;
  const key = signingKeyFromPem(text, origin, keyId ?? keyIdInPem(text) ?? fromName);
  await checkPublicBeside(dirname(path), key, origin);
  return key;
}

/** Loads the development key from `dir`, creating it (and `dir`) on first use. */
export async function ensureDevKey(dir: string): Promise<{ key: SigningKey; created: boolean; path: string }> {
  const path = join(dir, privateKeyFileName(DEV_KEY_ID));
  let created = false;
  if (!(await exists(path))) {
    try {
      await writeKeyPair(dir, generateSigningKey(DEV_KEY_ID));
      created = true;
    } catch (err) {
      // Another tool created it a moment ago: use that one.
      if (!(err instanceof SigningKeyError)) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new SigningKeyError(
          `cannot create the development key in ${dir} (${code}); pass --key FILE or set HOTLENS_SIGNING_KEY`,
        );
      }
      if (!/already exists/.test(err.message)) throw err;
    }
  }
  const key = await readSigningKeyFile(path, DEV_KEY_ID);
  if (!created) {
    // A deleted public half is recreated from the private key, which is the source of truth.
    const publicPath = join(dir, publicKeyFileName(DEV_KEY_ID));
    const current = await readFile(publicPath, 'utf8').catch(() => null);
    if (current === null) await writeFileAtomic(publicPath, publicKeyText(key));
  }
  return { key, created, path };
}

/** How the caller asked for a key. */
export interface KeyRequest {
  /** `--key FILE`. */
  keyFile?: string;
  /** `--key-id`: overrides the id in the key file. */
  keyId?: string;
  env?: NodeJS.ProcessEnv;
  /** Project root whose keys directory holds the development key. */
  projectRoot?: string;
}

/** Picks the signing key: `--key`, else HOTLENS_SIGNING_KEY (path or PEM), else the development key. */
export async function resolveSigningKey(req: KeyRequest = {}): Promise<ResolvedKey> {
  const env = req.env ?? process.env;
  const keyId = req.keyId ?? (env.HOTLENS_SIGNING_KEY_ID || undefined);
  if (req.keyFile !== undefined) {
    const path = resolve(req.keyFile);
    return { key: await readSigningKeyFile(path, keyId), source: 'option', origin: `key file ${path}`, created: false };
  }
  const fromEnv = env.HOTLENS_SIGNING_KEY;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.includes('-----BEGIN')) {
      // CI secrets often arrive with the newlines escaped.
      const pem = fromEnv.includes('\n') ? fromEnv : fromEnv.replace(/\\n/g, '\n');
      return {
        key: signingKeyFromPem(pem, 'HOTLENS_SIGNING_KEY', keyId),
        source: 'env',
        origin: 'HOTLENS_SIGNING_KEY',
        created: false,
      };
    }
    const path = resolve(fromEnv);
    return {
      key: await readSigningKeyFile(path, keyId),
      source: 'env',
      origin: `HOTLENS_SIGNING_KEY=${path}`,
      created: false,
    };
  }
  if (keyId !== undefined && keyId !== DEV_KEY_ID) {
    throw new SigningKeyError(`--key-id ${keyId} needs a key: pass --key FILE or set HOTLENS_SIGNING_KEY`);
  }
  const dev = await ensureDevKey(keysDirFor(req.projectRoot ?? PROJECT_ROOT, env));
  return { key: dev.key, source: 'dev', origin: `development key ${dev.path}`, created: dev.created };
}
