/**
 * @file Builds a complete registry directory from the converter's output: content-addressed
 * blobs, probe images and a manifest whose signatures (inputs/outputs) are read from each
 * model by onnxruntime-web and whose probe expectations are the models' real outputs.
 * Deterministic: the same converted models give byte-identical files. The one exception is
 * the manifest's ES256 signature (ECDSA is randomised), so a rebuild whose manifest content
 * did not change keeps the existing signed manifest byte for byte instead of re-signing, and a
 * rebuild that does change it gets a serial above the previous one (clients refuse replays).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConvertedModel } from '../convert/index.ts';
import type { Manifest, ModelEntry, ModelFile, ModelVersion, Preprocess } from '../../src/shared/manifest-types.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { FEATURES, TASKS } from '../../src/features/index.ts';
import { featureForTask } from '../../src/shared/feature-set.ts';
import type { Feature } from '../../src/shared/feature.ts';
import { ID_PATTERN, parseManifest } from '../../src/shared/manifest-validate.ts';
import { computeProbe } from '../lib/probe.ts';
import { renderProbeImage } from '../lib/probe-images.ts';
import {
  blobPathFor,
  MANIFEST_FILE,
  manifestText,
  sha256Hex,
  writeBlob,
  writeFileAtomic,
  writeManifest,
} from '../lib/registry-io.ts';
import { canonicalJson } from '../../src/shared/canonical-json.ts';
import { signManifest, verifyManifestSignature, type SigningKey } from '../lib/signing.ts';

/**
 * `published` when SOURCE_DATE_EPOCH is unset. A wall-clock time would make every build
 * differ; this constant names the registry layout (schema 1, face-api 1.7.15 weights) and only
 * changes when someone decides the shipped registry is a new publication.
 */
export const DEFAULT_PUBLISHED = '2026-11-21T00:00:00Z';

/**
 * The identity `npm run models` gives the registry it builds (the manifest's `registry`): clients
 * keep one replay floor per identity. A registry that already has one keeps it.
 */
export const DEFAULT_REGISTRY_ID = 'hotlens-models';

/** Which version of each model the registry serves by default. */
const STABLE: Readonly<Record<string, string>> = {
  'face-detector': '1.0.0',
  'face-attributes': '1.0.0',
  'face-expression': '1.0.0',
  'object-detector': '1.0.0',
  'image-classifier': '1.0.0',
};

/** The manifest's `published` time: SOURCE_DATE_EPOCH (seconds) when set, else {@link DEFAULT_PUBLISHED}. */
export function publishedTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return DEFAULT_PUBLISHED;
  if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type SizedFile = ModelFile & { preprocess: Preprocess };

/** The feature serving `task` (its probe and pre-processing description). */
function featureOf(task: string): Feature {
  const feature = featureForTask(FEATURES, task);
  if (!feature) throw new Error(`no feature serves the ${task} task`);
  return feature;
}

async function describe(m: ConvertedModel, probes: Map<string, Uint8Array>): Promise<SizedFile> {
  const model = await OrtModel.create(m.onnx);
  try {
    const problems = TASKS.checkContract(m.task, model.inputs, model.outputs);
    if (problems.length > 0)
      throw new Error(`${m.id} ${m.version} ${m.variant} violates the ${m.task} contract: ${problems.join('; ')}`);
    const feature = featureOf(m.task);
    const recipe = feature.probes[m.task]!;
    const png = probes.get(recipe.image)!;
    const sha256 = sha256Hex(m.onnx);
    return {
      blob: blobPathFor(sha256),
      sha256,
      bytes: m.onnx.length,
      encoding: m.encoding,
      inputs: model.inputs,
      outputs: model.outputs,
      probe: await computeProbe(model, { contract: TASKS.get(m.task)!, recipe }, png),
      preprocess: { ...feature.preprocess(m.task, m.size), ...m.preprocess },
    };
  } finally {
    await model.release();
  }
}

/** Assembles the manifest for `models` (no files written). */
export async function assembleManifest(
  models: readonly ConvertedModel[],
  probes: Map<string, Uint8Array>,
  published: string,
  registry: string = DEFAULT_REGISTRY_ID,
): Promise<Manifest> {
  const entries: Record<string, ModelEntry> = {};
  const defaults = new Map<string, ModelVersion>();
  const variants = new Map<string, Record<string, SizedFile>>();
  for (const m of models) {
    const file = await describe(m, probes);
    const key = `${m.id}@${m.version}`;
    if (m.isDefault) {
      if (defaults.has(key)) throw new Error(`${key} has two default files`);
      const labelProblems = TASKS.checkLabels(m.task, m.labels, file.outputs);
      if (labelProblems.length > 0) throw new Error(`${key} labels: ${labelProblems.join('; ')}`);
      defaults.set(key, { ...file, labels: m.labels, source: m.source, ...(m.group ? { group: m.group } : {}) });
    } else {
      const list = variants.get(key) ?? {};
      list[m.variant] = file;
      variants.set(key, list);
    }
    const entry = (entries[m.id] ??= { task: m.task, stable: STABLE[m.id] ?? m.version, versions: {} });
    if (entry.task !== m.task) throw new Error(`${m.id} is converted for two tasks (${entry.task}, ${m.task})`);
  }
  for (const [key, version] of defaults) {
    const [id, ver] = key.split('@') as [string, string];
    const extra = variants.get(key);
    if (extra) version.variants = extra;
    entries[id]!.versions[ver] = version;
  }
  for (const key of variants.keys()) if (!defaults.has(key)) throw new Error(`${key} has variants but no default file`);
  return parseManifest({ schema: 1, registry, serial: 1, published, models: entries }, TASKS);
}

async function removeStale(dir: string, keep: ReadonlySet<string>, pattern: RegExp): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) if (pattern.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
}

/** The manifest already in a registry directory: parsed when valid, and its serial even when not. */
export interface PreviousManifest {
  manifest: Manifest | null;
  text: string | null;
  /** Highest serial seen (0 when none): even a damaged manifest's serial must not be reused. */
  serial: number;
  /** Its registry identity, read even from a damaged manifest (a rebuild keeps it), else undefined. */
  registry?: string;
}

/** Reads `<dir>/manifest.json` leniently: a missing or broken file is not an error for a rebuild. */
export async function readPreviousManifest(dir: string): Promise<PreviousManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return { manifest: null, text: null, serial: 0 };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { manifest: null, text, serial: 0 };
  }
  const raw = (json as { serial?: unknown } | null)?.serial;
  const serial = typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 ? raw : 0;
  const id = (json as { registry?: unknown } | null)?.registry;
  const registry = typeof id === 'string' && ID_PATTERN.test(id) ? { registry: id } : {};
  try {
    return { manifest: parseManifest(json, TASKS), text, serial, ...registry };
  } catch {
    return { manifest: null, text, serial, ...registry };
  }
}

/** Same models, stable/canary and publication time: everything but serial and signature. */
function sameContent(a: Manifest, b: Manifest): boolean {
  const strip = ({ signature: _s, serial: _n, ...rest }: Manifest) => canonicalJson(rest);
  return strip(a) === strip(b);
}

/**
 * The manifest to write: the previous one unchanged when its content matches `fresh` and it is
 * already signed by `key` (or unsigned when there is no key); otherwise `fresh` with the next
 * serial, signed by `key` when given.
 */
export function nextManifest(fresh: Manifest, previous: PreviousManifest, key?: SigningKey): Manifest {
  const prev = previous.manifest;
  if (prev && sameContent(prev, fresh)) {
    const current = key ? verifyManifestSignature(prev, key.keyId, key.publicJwk) : prev.signature === undefined;
    if (current) return prev;
  }
  const next: Manifest = { ...fresh, serial: previous.serial + 1 };
  delete next.signature;
  if (key) next.signature = signManifest(next, key);
  return next;
}

/** Options of {@link buildRegistry}. */
export interface BuildOptions {
  /** The manifest's `published` time (default: {@link publishedTime}). */
  published?: string;
  /** Signs the manifest (ES256); without it the manifest is unsigned. */
  key?: SigningKey;
}

/**
 * Builds the registry into `outDir` (blobs, probe images, manifest last); removes files it no
 * longer names. The serial continues from the manifest already there (see {@link nextManifest}).
 */
export async function buildRegistry(
  outDir: string,
  models: readonly ConvertedModel[],
  options: BuildOptions = {},
): Promise<Manifest> {
  const probes = new Map<string, Uint8Array>();
  for (const task of new Set(models.map((m) => m.task))) {
    const recipe = featureOf(task).probes[task];
    if (!recipe) throw new Error(`no probe is defined for the ${task} task`);
    if (!probes.has(recipe.image)) probes.set(recipe.image, await renderProbeImage(recipe));
  }
  const previous = await readPreviousManifest(outDir);
  const fresh = await assembleManifest(
    models,
    probes,
    options.published ?? publishedTime(),
    previous.registry ?? DEFAULT_REGISTRY_ID,
  );
  const manifest = nextManifest(fresh, previous, options.key);
  const blobs = new Set<string>();
  for (const m of models) blobs.add((await writeBlob(outDir, m.onnx)).blob.slice('blobs/'.length));
  for (const [path, png] of probes) await writeFileAtomic(join(outDir, path), png);
  // An unchanged manifest is not rewritten: its bytes, mtime and ETag stay, so clients get 304s.
  if (previous.text !== manifestText(manifest)) await writeManifest(outDir, manifest);
  await removeStale(join(outDir, 'blobs'), blobs, /^(sha256-[0-9a-f]{64}\.onnx|\..*\.tmp)$/);
  const probeNames = new Set([...probes.keys()].map((p) => p.slice('probe/'.length)));
  await removeStale(join(outDir, 'probe'), probeNames, /^(.*\.png|\..*\.tmp)$/);
  return manifest;
}
