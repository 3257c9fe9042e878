/**
 * @file Loads the models a registry serves for the chosen features, for the Node tools
 * (annotate, benchmarks): picks each model's stable version (or a chosen one), verifies size
 * and SHA-256 before loading, checks the task contract on the signature read from the model and
 * runs the probe, i.e. the same three-level checks the browser applies before a model may serve.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Feature, FeatureRunner } from '../../src/shared/feature.ts';
import { modelsOf, probeRecipeFor } from '../../src/shared/feature-set.ts';
import type { Manifest, ModelVersion } from '../../src/shared/manifest-types.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import type { TaskRegistry } from '../../src/shared/tasks.ts';
import { groupsOf } from '../../src/shared/manifest-groups.ts';
import { compareProbe } from '../../src/shared/pipeline/probe.ts';
import { decodeRgb } from './decode-image.ts';
import { readManifest, readVerifiedBlob, sha256Hex } from './registry-io.ts';

/** The registry is missing, unusable, or cannot provide a requested model. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** Which registry model (and version) stands in for one of the features' model ids. */
export interface ModelRef {
  id: string;
  version?: string;
}

/** Loaded models plus what the results must report. */
export interface LoadedModels {
  /** Runners by the features' model ids. */
  runners: Record<string, FeatureRunner>;
  /** model id → version, as ImageAnnotation.models reports it. */
  versions: Record<string, string>;
  release(): Promise<void>;
}

/** Parses "ID@X.Y.Z" (or just "ID" for its stable version). */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.indexOf('@');
  if (at < 0) return { id: ref };
  return { id: ref.slice(0, at), version: ref.slice(at + 1) };
}

function pick(manifest: Manifest, task: string, ref: ModelRef): { id: string; version: string; file: ModelVersion } {
  const entry = manifest.models[ref.id];
  if (!entry) {
    const same = Object.keys(manifest.models).filter((k) => manifest.models[k]!.task === task);
    const hint = same.length ? ` (its ${task} models: ${same.join(', ')})` : '';
    throw new RegistryError(`the registry has no model "${ref.id}"${hint}`);
  }
  if (entry.task !== task) throw new RegistryError(`model "${ref.id}" serves ${entry.task}, not ${task}`);
  const version = ref.version ?? entry.stable;
  const file = entry.versions[version];
  if (!file)
    throw new RegistryError(
      `model "${ref.id}" has no version ${version} (it has ${Object.keys(entry.versions).join(', ')})`,
    );
  return { id: ref.id, version, file };
}

async function load(
  dir: string,
  features: readonly Feature[],
  tasks: TaskRegistry,
  task: string,
  chosen: { id: string; version: string; file: ModelVersion },
): Promise<OrtModel> {
  const { id, version, file } = chosen;
  const bytes = await readVerifiedBlob(dir, file);
  const model = await OrtModel.create(bytes);
  try {
    const problems = [
      ...tasks.checkContract(task, model.inputs, model.outputs),
      ...tasks.checkLabels(task, file.labels, model.outputs),
    ];
    if (problems.length > 0)
      throw new RegistryError(`${id} ${version} does not fit the ${task} contract: ${problems.join('; ')}`);
    const recipe = probeRecipeFor(features, task);
    if (!recipe) throw new RegistryError(`no feature has a probe for the ${task} task`);
    const pngPath = join(dir, file.probe.image);
    const png = await readFile(pngPath).catch(() => {
      throw new RegistryError(`${pngPath} is missing; rebuild the registry (npm run models)`);
    });
    // The manifest vouches for the probe image as for the model: the browser checks it the same way.
    if (png.byteLength !== file.probe.bytes || sha256Hex(png) !== file.probe.sha256)
      throw new RegistryError(
        `${pngPath} is not the probe image the manifest names (size or sha256 differ); rebuild the registry (npm run models)`,
      );
    const outputs = await model.run(recipe.feeds(await decodeRgb(png), { inputs: model.inputs, entry: file }));
    const check = compareProbe(file.probe, outputs);
    if (!check.ok) throw new RegistryError(`${id} ${version} fails its probe check: ${check.problems.join('; ')}`);
    return model;
  } catch (err) {
    await model.release();
    throw err;
  }
}

/**
 * The overrides completed by the manifest's groups (manifest-groups.ts): a chosen version that
 * belongs to a group brings the group's version of every other model the features use, as the
 * app would serve them, since those models' pre-processing only fits one another. Choosing two
 * models of different generations explicitly is refused.
 */
export function withGroups(
  manifest: Manifest,
  features: readonly Feature[],
  overrides: Readonly<Record<string, ModelRef>>,
): Record<string, ModelRef> {
  const groups = groupsOf(manifest.models);
  const out: Record<string, ModelRef> = { ...overrides };
  const needs = modelsOf(features);
  for (const [slot, ref] of Object.entries(overrides)) {
    const version = ref.version ?? manifest.models[ref.id]?.stable;
    const group = version === undefined ? undefined : manifest.models[ref.id]?.versions[version]?.group;
    if (group === undefined) continue;
    const members = groups.get(group)!;
    for (const need of needs) {
      if (need.id === slot) continue;
      const member = [...members].find(([id]) => manifest.models[id]?.task === need.task);
      if (!member) continue;
      const [id, memberVersion] = member;
      if (overrides[need.id]) continue; // checked below with everything else
      out[need.id] = { id, version: memberVersion };
    }
  }
  // What is left at stable must not split a group either (e.g. a first-generation detector chosen
  // while the attribute models' stable is a second-generation group).
  for (const need of needs) {
    const ref = out[need.id] ?? { id: need.id };
    const version = ref.version ?? manifest.models[ref.id]?.stable;
    const group = version === undefined ? undefined : manifest.models[ref.id]?.versions[version]?.group;
    if (group === undefined) continue;
    for (const other of needs) {
      const member = [...groups.get(group)!].find(([id]) => manifest.models[id]?.task === other.task);
      if (!member || other.id === need.id) continue;
      const o = out[other.id] ?? { id: other.id };
      const oVersion = o.version ?? manifest.models[o.id]?.stable;
      if (o.id !== member[0] || oVersion !== member[1])
        throw new RegistryError(
          `${ref.id} ${version} belongs to group "${group}" with ${member[0]} ${member[1]}; ${o.id} ${oVersion ?? '?'} cannot serve beside it (choose both with --model)`,
        );
    }
  }
  return out;
}

/**
 * Loads the models `features` need from the registry in `dir`. `overrides` maps a feature's
 * model id to the registry model (and version) that serves in its place; a grouped version
 * brings its group's other members ({@link withGroups}).
 */
export async function loadModels(
  dir: string,
  features: readonly Feature[],
  tasks: TaskRegistry,
  overrides: Readonly<Record<string, ModelRef>> = {},
): Promise<LoadedModels> {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    throw new RegistryError(
      `the model registry in ${dir} is unusable (${(err as Error).message}); run \`npm run models\``,
    );
  }
  if (!manifest) throw new RegistryError(`no model registry at ${dir}; run \`npm run models\` first`);
  const unknown = Object.keys(overrides).filter((id) => !modelsOf(features).some((m) => m.id === id));
  if (unknown.length > 0)
    throw new RegistryError(`the chosen features use no model ${unknown.map((u) => `"${u}"`).join(', ')}`);
  const runners: Record<string, FeatureRunner> = {};
  const versions: Record<string, string> = {};
  const loaded: OrtModel[] = [];
  const release = async () => {
    for (const m of loaded) await m.release();
  };
  const chosenRefs = withGroups(manifest, features, overrides);
  try {
    for (const need of modelsOf(features)) {
      const chosen = pick(manifest, need.task, chosenRefs[need.id] ?? { id: need.id });
      const model = await load(dir, features, tasks, need.task, chosen);
      loaded.push(model);
      runners[need.id] = {
        id: chosen.id,
        version: chosen.version,
        entry: chosen.file,
        inputs: model.inputs,
        outputs: model.outputs,
        run: (feeds) => model.run(feeds),
      };
      versions[chosen.id] = chosen.version;
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { runners, versions, release };
}
