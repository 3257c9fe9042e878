/**
 * @file Groups: model versions that must change together. A version may carry `group: "<name>"`
 * (manifest-types.ts); every version with the same name belongs to one release set, one
 * version per model, and serves only alongside the others (e.g. a detector whose boxes and the
 * attribute models whose crops are cut from them by a rule that only fits those boxes). The
 * model manager stages, probes, warms, flips and rolls back a group's members as one set, so
 * every analysis (and its `models`) sees one consistent generation; versions without a group
 * swap alone, as before.
 *
 * The manifest must be consistent on its own: a group spans at least two models with one
 * version each, and its members are stable together, and canary together (same percent), or
 * not at all. Pure functions over the manifest's models, shared by the validator, the update
 * policy and the tools.
 */
import type { ModelEntry } from './manifest-types.ts';
import { untrustedText } from './untrusted-text.ts';

/** Group name → (model id → the model's version in the group). */
export type GroupMap = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** Every group of `models`, members in model-id order. Throws {@link GroupProblem} when a model has two versions in one group. */
export function groupsOf(models: Readonly<Record<string, Pick<ModelEntry, 'versions'>>>): GroupMap {
  const groups = new Map<string, Map<string, string>>();
  for (const id of Object.keys(models).sort()) {
    for (const [version, v] of Object.entries(models[id]!.versions)) {
      if (v.group === undefined) continue;
      const members = groups.get(v.group) ?? new Map<string, string>();
      const prior = members.get(id);
      if (prior !== undefined)
        throw new GroupProblem(
          `models[${JSON.stringify(id)}].versions[${JSON.stringify(version)}].group`,
          `puts a second version of ${untrustedText(id)} (${untrustedText(prior)} is already there) in group "${untrustedText(v.group)}"; a group holds one version per model`,
        );
      members.set(id, version);
      groups.set(v.group, members);
    }
  }
  return groups;
}

/** The group of `id`'s `version`, if it has one. */
export function groupOf(
  models: Readonly<Record<string, Pick<ModelEntry, 'versions'>>>,
  id: string,
  version: string,
): string | undefined {
  return models[id]?.versions[version]?.group;
}

/** A consistency rule a manifest's groups break; `path` names the field. */
export class GroupProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

/**
 * Checks the groups of a manifest's models: at least two models per group, and members stable
 * together and canary together with one percent (or not at all). Throws {@link GroupProblem}.
 */
export function checkGroups(models: Readonly<Record<string, ModelEntry>>): void {
  for (const [name, members] of groupsOf(models)) {
    const shown = untrustedText(name);
    const ids = [...members.keys()];
    if (ids.length < 2) {
      const [id] = ids;
      throw new GroupProblem(
        `models[${JSON.stringify(id)}].versions[${JSON.stringify(members.get(id!))}].group`,
        `names group "${shown}", which no other model has; a group lists models that must change together`,
      );
    }
    const list = ids.map((id) => `${untrustedText(id)} ${untrustedText(members.get(id)!)}`).join(', ');
    const stable = ids.filter((id) => models[id]!.stable === members.get(id));
    if (stable.length > 0 && stable.length < ids.length) {
      const odd = ids.find((id) => !stable.includes(id))!;
      throw new GroupProblem(
        `models[${JSON.stringify(odd)}].stable`,
        `is ${untrustedText(models[odd]!.stable)}, but group "${shown}" (${list}) is stable for ${stable.join(', ')}; a group's versions are stable together or not at all`,
      );
    }
    const canary = ids.filter((id) => models[id]!.canary?.version === members.get(id));
    const percents = new Set(canary.map((id) => models[id]!.canary!.percent));
    if ((canary.length > 0 && canary.length < ids.length) || percents.size > 1) {
      const odd = ids.find((id) => !canary.includes(id)) ?? ids[0]!;
      throw new GroupProblem(
        `models[${JSON.stringify(odd)}].canary`,
        `does not match the canary of group "${shown}" (${list}); a group's versions are canaries together, with one percent, or not at all`,
      );
    }
  }
}
