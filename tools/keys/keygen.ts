/**
 * @file `npm run keygen [-- --key-id ID] [--out DIR] [--json]`: creates a new ES256 (P-256)
 * signing key pair for the model registry. Without --out it prints both halves (the private
 * key as PKCS#8 PEM preceded by a `Key-Id:` line, the public key as JWK with `kid`); with
 * --out it writes `<id>.private.pem` (0600, never overwritten) and `<id>.public.jwk.json` and
 * prints only the public half, so the secret does not end up in a terminal log.
 */
import { resolve } from 'node:path';
import { generateSigningKey, privateKeyText, publicKeyText, SigningKeyError } from '../lib/signing.ts';
import { writeKeyPair } from './key-store.ts';
import { parseCli } from '../lib/cli-args.ts';

const USAGE = 'usage: npm run keygen [-- --key-id ID] [--out DIR] [--json]';

function fail(message: string, code: number): number {
  console.error(`keygen: ${message}`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(
    {
      command: 'keygen',
      usage: USAGE,
      options: { 'key-id': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    },
    argv,
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
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
