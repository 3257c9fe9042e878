/**
 * @file `npm run publish-model -- --registry DIR --id ID --version X.Y.Z --file F.onnx
 * [--task T] [--labels F] [--canary PERCENT]`: adds a model version to a registry (see
 * publish.ts). Success prints what was published; any refusal prints one sentence on stderr,
 * exits non-zero and leaves the registry untouched.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { publishModel, PublishError } from './publish.ts';

const USAGE =
  'usage: npm run publish-model -- --registry DIR --id ID --version X.Y.Z --file F.onnx [--task T] [--labels F] [--canary PERCENT]';

function fail(message: string, code: number): number {
  console.error(`publish-model: ${message}`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        registry: { type: 'string' },
        id: { type: 'string' },
        version: { type: 'string' },
        file: { type: 'string' },
        task: { type: 'string' },
        labels: { type: 'string' },
        canary: { type: 'string' },
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
  const missing = ['registry', 'id', 'version', 'file'].filter(
    (k) => typeof values[k] !== 'string' || values[k] === '',
  );
  if (missing.length > 0) return fail(`missing ${missing.map((k) => `--${k}`).join(', ')} (${USAGE})`, 2);
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  try {
    const result = await publishModel({
      registry: resolve(str('registry')!),
      id: str('id')!,
      version: str('version')!,
      file: str('file')!,
      task: str('task'),
      labels: str('labels'),
      canary: str('canary'),
    });
    const { manifest, sha256, bytes } = result;
    const id = str('id')!;
    const version = str('version')!;
    if (result.status === 'unchanged') {
      console.log(`${id} ${version} is already published with these bytes (sha256 ${sha256}); nothing to do`);
      return 0;
    }
    const entry = manifest.models[id]!;
    const channel = result.channel === 'canary' ? `canary for ${entry.canary?.percent}% of clients` : 'stable';
    console.log(
      `published ${id} ${version} (${entry.task}, sha256 ${sha256}, ${bytes} bytes) as ${channel}; ` +
        `registry serial ${manifest.serial}${result.createdRegistry ? ' (new registry)' : ''}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof PublishError) return fail(err.message, 1);
    return fail(`unexpected failure: ${(err as Error).message.split('\n')[0]}`, 1);
  }
}

process.exitCode = await main(process.argv.slice(2));
