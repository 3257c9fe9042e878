/**
 * @file `npm run models [-- --out DIR] [--force] [--key FILE] [--key-id ID]`: converts
 * face-api's shipped weights (generation 1), Human's BlazeFace, FaceRes and emotion graphs
 * (generation 2, one group), Human's centernet and nsfwjs's MobileNetV2Mid (graph-models.ts)
 * and writes the model registry (default public/models:
 * manifest.json, blobs/, probe/), its manifest signed with ES256 by `--key`,
 * HOTLENS_SIGNING_KEY, or else the local development key (keys/dev-1, created on first run).
 * Skipped with "models up to date" when the inputs hash and signing key match the stamp, every
 * file is present and the manifest's signature verifies, so reruns leave it byte-identical.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURES } from '../../src/features/index.ts';
import { DEFAULT_MODEL_DIR } from '../convert/index.ts';
import { convertRegistryModels } from '../convert/all-generations.ts';
import { generation2SourceFiles } from '../convert/generation-2.ts';
import { readManifest, writeFileAtomic } from '../lib/registry-io.ts';
import { probePhotoPath } from '../lib/probe-images.ts';
import { buildRegistry } from './registry-builder.ts';
import { inputsHash, stampPath } from './stamp.ts';
import { DEFAULT_REGISTRY } from '../lib/project-root.ts';
import { resolveSigningKey } from '../keys/key-store.ts';
import { SigningKeyError, verifyManifestSignature, type SigningKey } from '../lib/signing.ts';
import { cliOptions, parseCli } from '../lib/cli-args.ts';

const USAGE = 'usage: npm run models [-- --out DIR] [--force] [--key FILE] [--key-id ID]';

/** What the stamp records: the inputs and the signing key (id and RFC 7638 thumbprint). */
interface Stamp {
  inputs?: string;
  keyId?: string;
  key?: string;
}

/** True when the registry in `dir` was built from `hash`, signed by `key`, and all its files are present. */
async function upToDate(dir: string, hash: string, key: SigningKey): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(stampPath(dir), 'utf8')) as Stamp;
    if (stamp.inputs !== hash || stamp.keyId !== key.keyId || stamp.key !== key.thumbprint) return false;
    const manifest = await readManifest(dir);
    if (!manifest || !verifyManifestSignature(manifest, key.keyId, key.publicJwk)) return false;
    for (const entry of Object.values(manifest.models)) {
      for (const version of Object.values(entry.versions)) {
        for (const file of [version, ...Object.values(version.variants ?? {})]) {
          if ((await stat(join(dir, file.blob))).size !== file.bytes) return false;
          if ((await stat(join(dir, file.probe.image))).size !== file.probe.bytes) return false;
        }
      }
    }
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const args = parseCli(
    {
      command: 'models',
      usage: USAGE,
      options: cliOptions({ string: ['out', 'key', 'key-id'], boolean: ['force'] }),
    },
    process.argv.slice(2),
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
  const outDir = resolve(values.out ?? DEFAULT_REGISTRY);
  const rel = relative(process.cwd(), outDir);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? outDir : rel;
  const started = performance.now();
  let signing;
  try {
    signing = await resolveSigningKey({ keyFile: values.key, keyId: values['key-id'] });
  } catch (err) {
    if (!(err instanceof SigningKeyError)) throw err;
    console.error(`npm run models: ${err.message}`);
    return 1;
  }
  const { key } = signing;
  if (signing.created) console.log(`created ${signing.origin} (git-ignored; the app trusts it in local builds)`);
  const photos = FEATURES.flatMap((f) => Object.values(f.probes).map((p) => probePhotoPath(p.source)));
  const hash = inputsHash(
    fileURLToPath(import.meta.url),
    [DEFAULT_MODEL_DIR],
    [...new Set(photos), ...generation2SourceFiles()],
  );
  if (!values.force && (await upToDate(outDir, hash, key))) {
    console.log(`models up to date (${shown}, signed with key ${key.keyId})`);
    return 0;
  }
  const models = convertRegistryModels(DEFAULT_MODEL_DIR);
  const converted = performance.now();
  const manifest = await buildRegistry(outDir, models, { key });
  const stamp: Stamp = { inputs: hash, keyId: key.keyId, key: key.thumbprint };
  await mkdir(dirname(stampPath(outDir)), { recursive: true });
  await writeFileAtomic(stampPath(outDir), `${JSON.stringify(stamp)}\n`);
  const seconds = (performance.now() - started) / 1000;
  const bytes = models.reduce((n, m) => n + m.onnx.length, 0);
  for (const [id, entry] of Object.entries(manifest.models)) {
    console.log(`${id} (${entry.task}): versions ${Object.keys(entry.versions).join(', ')}; stable ${entry.stable}`);
  }
  console.log(
    `wrote ${shown}: ${models.length} model files (${(bytes / 1048576).toFixed(1)} MiB) in ${seconds.toFixed(1)} s ` +
      `(conversion ${((converted - started) / 1000).toFixed(1)} s)`,
  );
  console.log(`manifest serial ${manifest.serial}, signed with key ${key.keyId} (${signing.origin})`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`npm run models failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
