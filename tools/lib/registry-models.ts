/**
 * @file Loads the face models a registry serves, for the Node tools (annotate, benchmarks):
 * picks each task's stable version (or a chosen detector), verifies size and SHA-256 before
 * loading, checks the task contract on the signature read from the model and runs the probe,
 * i.e. the same three-level checks the browser applies before a model may serve.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest, ModelVersion, TaskId } from '../../src/shared/manifest-types.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { checkContract } from '../../src/shared/tasks.ts';
import { compareProbe, probeFeeds } from '../../src/shared/pipeline/probe.ts';
import type { FaceModels } from '../../src/shared/pipeline/analyze-image.ts';
import { decodeRgb } from './decode-image.ts';
import { readManifest, readVerifiedBlob } from './registry-io.ts';

/** The registry is missing, unusable, or cannot provide a requested model. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** Which model id serves each task when the registry follows hotlens' naming. */
const CONVENTIONAL_ID: Readonly<Record<TaskId, string>> = {
  'face-detection': 'face-detector',
  'face-attributes': 'face-attributes',
  'face-expression': 'face-expression',
};

/** Loaded models plus what the results must report. */
export interface LoadedFaceModels {
  models: FaceModels;
  /** model id → version, as ImageAnnotation.models reports it. */
  versions: Record<string, string>;
  labels: { gender: string[] | null; expression: string[] | null };
  release(): Promise<void>;
}

/** Parses "ID@X.Y.Z" (or just "ID" for its stable version). */
export function parseModelRef(ref: string): { id: string; version?: string } {
  const at = ref.indexOf('@');
  if (at < 0) return { id: ref };
  return { id: ref.slice(0, at), version: ref.slice(at + 1) };
}

function pick(
  manifest: Manifest,
  task: TaskId,
  ref?: { id: string; version?: string },
): { id: string; version: string; file: ModelVersion } {
  let id = ref?.id;
  if (id === undefined) {
    const candidates = Object.keys(manifest.models).filter((k) => manifest.models[k]!.task === task);
    id = candidates.includes(CONVENTIONAL_ID[task])
      ? CONVENTIONAL_ID[task]
      : candidates.length === 1
        ? candidates[0]
        : undefined;
    if (id === undefined) {
      throw new RegistryError(
        candidates.length === 0
          ? `the registry has no ${task} model`
          : `the registry has several ${task} models (${candidates.join(', ')}); choose one`,
      );
    }
  }
  const entry = manifest.models[id];
  if (!entry)
    throw new RegistryError(`the registry has no model "${id}" (it has ${Object.keys(manifest.models).join(', ')})`);
  if (entry.task !== task) throw new RegistryError(`model "${id}" serves ${entry.task}, not ${task}`);
  const version = ref?.version ?? entry.stable;
  const file = entry.versions[version];
  if (!file)
    throw new RegistryError(
      `model "${id}" has no version ${version} (it has ${Object.keys(entry.versions).join(', ')})`,
    );
  return { id, version, file };
}

async function load(dir: string, task: TaskId, id: string, version: string, file: ModelVersion): Promise<OrtModel> {
  const bytes = await readVerifiedBlob(dir, file);
  const model = await OrtModel.create(bytes);
  try {
    const problems = checkContract(task, model.inputs, model.outputs);
    if (problems.length > 0)
      throw new RegistryError(`${id} ${version} does not fit the ${task} contract: ${problems.join('; ')}`);
    const png = await readFile(join(dir, file.probe.image)).catch(() => {
      throw new RegistryError(`${join(dir, file.probe.image)} is missing; rebuild the registry (npm run models)`);
    });
    const outputs = await model.run(probeFeeds(task, await decodeRgb(png), model.inputs));
    const check = compareProbe(file.probe, outputs);
    if (!check.ok) throw new RegistryError(`${id} ${version} fails its probe check: ${check.problems.join('; ')}`);
    return model;
  } catch (err) {
    await model.release();
    throw err;
  }
}

/** Loads the detector, attribute and expression models of the registry in `dir`. */
export async function loadFaceModels(dir: string, options: { detector?: string } = {}): Promise<LoadedFaceModels> {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    throw new RegistryError(
      `the model registry in ${dir} is unusable (${(err as Error).message}); run \`npm run models\``,
    );
  }
  if (!manifest) throw new RegistryError(`no model registry at ${dir}; run \`npm run models\` first`);
  const chosen = {
    detector: pick(
      manifest,
      'face-detection',
      options.detector !== undefined ? parseModelRef(options.detector) : undefined,
    ),
    attributes: pick(manifest, 'face-attributes'),
    expression: pick(manifest, 'face-expression'),
  };
  const loaded: OrtModel[] = [];
  try {
    for (const [task, c] of [
      ['face-detection', chosen.detector],
      ['face-attributes', chosen.attributes],
      ['face-expression', chosen.expression],
    ] as const) {
      loaded.push(await load(dir, task, c.id, c.version, c.file));
    }
  } catch (err) {
    for (const m of loaded) await m.release();
    throw err;
  }
  const [detector, attributes, expression] = loaded as [OrtModel, OrtModel, OrtModel];
  return {
    models: { detector, attributes, expression },
    versions: Object.fromEntries(Object.values(chosen).map((c) => [c.id, c.version])),
    labels: { gender: chosen.attributes.file.labels, expression: chosen.expression.file.labels },
    release: async () => {
      for (const m of loaded) await m.release();
    },
  };
}
