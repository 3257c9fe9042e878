/**
 * @file `npm run keygen [-- --key-id ID] [--out DIR] [--json]`: creates a new ES256 (P-256)
 * signing key pair for the model registry. Without --out it prints both halves (the private
 * key as PKCS#8 PEM preceded by a `Key-Id:` line, the public key as JWK with `kid`); with
 * --out it writes `<id>.private.pem` (0600, never overwritten) and `<id>.public.jwk.json` and
 * prints only the public half, so the secret does not end up in a terminal log.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSigningKey, privateKeyText, publicKeyText, SigningKeyError } from '../lib/signing.ts';
import { writeKeyPair } from './key-store.ts';

const USAGE = 'usage: npm run keygen [-- --key-id ID] [--out DIR] [--json]';

function fail(message: string, code: number): number {
  console.error(`keygen: ${message}`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  let values: { 'key-id'?: string; out?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'key-id': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail(`${(err as Error).message.split('\n')[0]} (${USAGE})`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const key = generateSigningKey(values['key-id']);
    const files = values.out !== undefined ? await writeKeyPair(resolve(values.out), key) : undefined;
    if (values.json) {
      const out = files
        ? { keyId: key.keyId, publicJwk: key.publicJwk, ...files }
        : { keyId: key.keyId, publicJwk: key.publicJwk, privateKeyPem: privateKeyText(key) };
      console.log(JSON.stringify(out, null, 2));
    } else if (files) {
      console.log(`wrote ${files.privatePath} (private, mode 0600: keep it secret, sign with --key)`);
      console.log(`wrote ${files.publicPath} (public: add it to the trusted keys the app is built with)`);
      console.log(`\n${publicKeyText(key)}`);
    } else {
      console.log(
        `# Private key "${key.keyId}" (PKCS#8 PEM): keep it secret; sign with --key FILE or HOTLENS_SIGNING_KEY`,
      );
      console.log(privateKeyText(key));
      console.log(`# Public key "${key.keyId}" (JWK): save as ${key.keyId}.public.jwk.json in the trusted keys`);
      console.log(publicKeyText(key));
    }
    return 0;
  } catch (err) {
    if (err instanceof SigningKeyError) return fail(err.message, 1);
    return fail(`unexpected failure: ${(err as Error).message.split('\n')[0]}`, 1);
  }
}

process.exitCode = await main(process.argv.slice(2));
