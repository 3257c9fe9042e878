/**
 * @file Builds a complete registry directory from the converter's output: content-addressed
 * blobs, probe images and a manifest whose signatures (inputs/outputs) are read from each
 * model by onnxruntime-web and whose probe expectations are the models' real outputs.
 * Deterministic: the same converted models give byte-identical files.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConvertedModel } from '../convert/index.ts';
import type {
  Manifest,
  ModelEntry,
  ModelFile,
  ModelVersion,
  Preprocess,
  TaskId,
} from '../../src/shared/manifest-types.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { checkContract, checkLabels } from '../../src/shared/tasks.ts';
import { parseManifest } from '../../src/shared/manifest-validate.ts';
import { preprocessFor } from '../../src/shared/pipeline/preprocess.ts';
import { PROBE_IMAGES } from '../../src/shared/pipeline/probe.ts';
import { computeProbe } from '../lib/probe.ts';
import { renderProbeImage } from '../lib/probe-images.ts';
import { blobPathFor, sha256Hex, writeBlob, writeFileAtomic, writeManifest } from '../lib/registry-io.ts';

/**
 * `published` when SOURCE_DATE_EPOCH is unset. A wall-clock time would make every build
 * differ; this constant names the registry layout (schema 1, face-api 1.7.15 weights) and only
 * changes when someone decides the shipped registry is a new publication.
 */
export const DEFAULT_PUBLISHED = '2026-11-21T00:00:00Z';

/** Which version of each model the registry serves by default. */
const STABLE: Readonly<Record<string, string>> = {
  'face-detector': '1.0.0',
  'face-attributes': '1.0.0',
  'face-expression': '1.0.0',
};

/** The manifest's `published` time: SOURCE_DATE_EPOCH (seconds) when set, else {@link DEFAULT_PUBLISHED}. */
export function publishedTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return DEFAULT_PUBLISHED;
  if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type SizedFile = ModelFile & { preprocess: Preprocess };

async function describe(m: ConvertedModel, probes: Map<string, Uint8Array>): Promise<SizedFile> {
  const model = await OrtModel.create(m.onnx);
  try {
    const problems = checkContract(m.task, model.inputs, model.outputs);
    if (problems.length > 0)
      throw new Error(`${m.id} ${m.version} ${m.variant} violates the ${m.task} contract: ${problems.join('; ')}`);
    const probePath = PROBE_IMAGES[m.task];
    const png = probes.get(probePath)!;
    const sha256 = sha256Hex(m.onnx);
    return {
      blob: blobPathFor(sha256),
      sha256,
      bytes: m.onnx.length,
      encoding: m.encoding,
      inputs: model.inputs,
      outputs: model.outputs,
      probe: await computeProbe(model, m.task, probePath, png),
      preprocess: preprocessFor(m.task, m.size),
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
): Promise<Manifest> {
  const entries: Record<string, ModelEntry> = {};
  const defaults = new Map<string, ModelVersion>();
  const variants = new Map<string, Record<string, SizedFile>>();
  for (const m of models) {
    const file = await describe(m, probes);
    const key = `${m.id}@${m.version}`;
    if (m.isDefault) {
      if (defaults.has(key)) throw new Error(`${key} has two default files`);
      const labelProblems = checkLabels(m.task, m.labels);
      if (labelProblems.length > 0) throw new Error(`${key} labels: ${labelProblems.join('; ')}`);
      defaults.set(key, { ...file, labels: m.labels, source: m.source });
    } else {
      const list = variants.get(key) ?? {};
      list[m.variant] = file;
      variants.set(key, list);
    }
    const entry = (entries[m.id] ??= { task: m.task as TaskId, stable: STABLE[m.id] ?? m.version, versions: {} });
    if (entry.task !== m.task) throw new Error(`${m.id} is converted for two tasks (${entry.task}, ${m.task})`);
  }
  for (const [key, version] of defaults) {
    const [id, ver] = key.split('@') as [string, string];
    const extra = variants.get(key);
    if (extra) version.variants = extra;
    entries[id]!.versions[ver] = version;
  }
  for (const key of variants.keys()) if (!defaults.has(key)) throw new Error(`${key} has variants but no default file`);
  return parseManifest({ schema: 1, serial: 1, published, models: entries });
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

/** Builds the registry into `outDir` (blobs, probe images, manifest last); removes files it no longer names. */
export async function buildRegistry(
  outDir: string,
  models: readonly ConvertedModel[],
  published = publishedTime(),
): Promise<Manifest> {
  const probes = new Map<string, Uint8Array>();
  for (const path of new Set(models.map((m) => PROBE_IMAGES[m.task]))) probes.set(path, await renderProbeImage(path));
  const manifest = await assembleManifest(models, probes, published);
  const blobs = new Set<string>();
  for (const m of models) blobs.add((await writeBlob(outDir, m.onnx)).blob.slice('blobs/'.length));
  for (const [path, png] of probes) await writeFileAtomic(join(outDir, path), png);
  await writeManifest(outDir, manifest);
  await removeStale(join(outDir, 'blobs'), blobs, /^(sha256-[0-9a-f]{64}\.onnx|\..*\.tmp)$/);
  const probeNames = new Set([...probes.keys()].map((p) => p.slice('probe/'.length)));
  await removeStale(join(outDir, 'probe'), probeNames, /^(.*\.png|\..*\.tmp)$/);
  return manifest;
}
