/**
 * @file `npm run publish-model -- --registry DIR --id ID --version X.Y.Z --file F.onnx
 * [--task T] [--labels F] [--canary PERCENT] [--shadow FRAMES:MIN] [--group NAME [--with ID@VERSION=FILE]...]
 * [--registry-id ID] [--key FILE] [--key-id ID] [--unsigned]`: adds a model version to a registry
 * (see publish.ts; `--shadow 30:0.8` asks clients to run it beside the serving version on 30 live
 * frames and refuse it below 0.8 agreement) — or, with `--group` and `--with`, a set of versions
 * that must change together, published in one manifest update as one group — and signs the
 * manifest with ES256: the key from --key, else HOTLENS_SIGNING_KEY (a path or the PEM itself),
 * else the local development key
 * (keys/dev-1, created on first use). `--unsigned` writes an unsigned manifest on purpose
 * (clients refuse it; for testing that path). Success prints what was published and with which
 * key; any refusal prints one sentence on stderr, exits non-zero and leaves the registry untouched.
 */
import { resolve } from 'node:path';
import { parsePartner, publishModel, PublishError, type PublishOptions } from './publish.ts';
import { resolveSigningKey, type ResolvedKey } from '../keys/key-store.ts';
import { signManifest, SigningKeyError, verifyManifestSignature } from '../lib/signing.ts';
import { cliOptions, parseCli } from '../lib/cli-args.ts';

const USAGE =
  'usage: npm run publish-model -- --registry DIR --id ID --version X.Y.Z --file F.onnx [--task T] [--labels F] [--canary PERCENT] [--shadow FRAMES:MIN] [--group NAME [--with ID@VERSION=FILE]...] [--registry-id ID] [--key FILE] [--key-id ID] [--unsigned]';

/** The signing hooks publishModel takes, for a resolved key. */
function signingOptions(signing: ResolvedKey): Pick<PublishOptions, 'sign' | 'signedBy'> {
  const { key } = signing;
  return {
    sign: (manifest) => Promise.resolve(signManifest(manifest, key)),
    signedBy: (manifest) => verifyManifestSignature(manifest, key.keyId, key.publicJwk),
  };
}

function fail(message: string, code: number): number {
  console.error(`publish-model: ${message}`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(
    {
      command: 'publish-model',
      usage: USAGE,
      options: cliOptions({
        string: [
          'registry',
          'id',
          'version',
          'file',
          'task',
          'labels',
          'canary',
          'shadow',
          'group',
          'registry-id',
          'key',
          'key-id',
        ],
        multiple: ['with'],
        boolean: ['unsigned'],
      }),
      required: ['registry', 'id', 'version', 'file'],
    },
    argv,
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
  let signing: ResolvedKey | null = null;
  if (values.unsigned) {
    if (values.key !== undefined || values['key-id'] !== undefined)
      return fail('--unsigned cannot be combined with --key or --key-id', 2);
  } else {
    try {
      signing = await resolveSigningKey({ keyFile: values.key, keyId: values['key-id'] });
    } catch (err) {
      if (err instanceof SigningKeyError) return fail(err.message, 1);
      throw err;
    }
  }
  const signedWith = signing
    ? `signed with key ${signing.key.keyId} (${signing.origin})`
    : 'UNSIGNED (--unsigned: clients will refuse this manifest)';
  try {
    const result = await publishModel({
      ...(signing ? signingOptions(signing) : {}),
      registry: resolve(values.registry!),
      id: values.id!,
      version: values.version!,
      file: values.file!,
      task: values.task,
      labels: values.labels,
      canary: values.canary,
      registryId: values['registry-id'],
      shadow: values.shadow,
      group: values.group,
      partners: (values.with ?? []).map((w) => {
        const p = parsePartner(w);
        return { ...p, file: resolve(p.file) };
      }),
    });
    const { manifest, sha256, bytes } = result;
    const id = values.id!;
    const version = values.version!;
    if (result.status === 'unchanged') {
      console.log(`${id} ${version} is already published with these bytes (sha256 ${sha256}); nothing to do`);
      return 0;
    }
    if (result.status === 'resigned') {
      console.log(
        `${id} ${version} is already published with these bytes; re-signed the registry as serial ${manifest.serial}, ${signedWith}`,
      );
      return 0;
    }
    const entry = manifest.models[id]!;
    const channel = result.channel === 'canary' ? `canary for ${entry.canary?.percent}% of clients` : 'stable';
    const partners = (result.group ?? []).slice(1).map((m) => `${m.id} ${m.version}`);
    const together = partners.length > 0 ? ` together with ${partners.join(', ')} (group ${values.group})` : '';
    console.log(
      `published ${id} ${version} (${entry.task}, sha256 ${sha256}, ${bytes} bytes)${together} as ${channel}; ` +
        `registry serial ${manifest.serial}${result.createdRegistry ? ' (new registry)' : ''}, identity ${manifest.registry}; ${signedWith}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof PublishError) return fail(err.message, 1);
    return fail(`unexpected failure: ${(err as Error).message.split('\n')[0]}`, 1);
  }
}

process.exitCode = await main(process.argv.slice(2));
