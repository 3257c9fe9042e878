/**
 * @file Which models one update or rollback must move together in this tab: a model alone, or
 * with its group's other members that serve here (manifest-groups.ts). Pure, over the manifest,
 * the policy's plans, the control state and what serves, so the manager's decisions are testable
 * without an engine.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import { groupsOf } from '../../shared/manifest-groups.ts';
import type { ModelSpec } from '../../shared/worker-api.ts';
import type { ControlState } from '../common/model-state.ts';
import type { ModelPlan } from '../common/version-policy.ts';

/** The group of the version `id` runs (or would run), if any. */
function groupOfVersion(manifest: Manifest, id: string, version: string | undefined): string | undefined {
  return version === undefined ? undefined : manifest.models[id]?.versions[version]?.group;
}

/**
 * The served models that must swap with `id` now: `id`, plus — when its serving or target
 * version belongs to a group — every served member of that group whose target differs from what
 * it serves (and, transitively, their groups'), in model-id order.
 */
export function swapSetOf(
  id: string,
  manifest: Manifest,
  plans: Readonly<Record<string, ModelPlan>>,
  serving: Readonly<Record<string, ModelSpec>>,
): string[] {
  let groups;
  try {
    groups = groupsOf(manifest.models);
  } catch {
    return [id];
  }
  const changing = (x: string) => !!serving[x] && !!plans[x]?.target && plans[x]!.target!.sha256 !== serving[x]!.sha256;
  const set = new Set([id]);
  const queue = [id];
  while (queue.length > 0) {
    const x = queue.pop()!;
    for (const version of [serving[x]?.version, plans[x]?.target?.version]) {
      const group = groupOfVersion(manifest, x, version);
      for (const member of group ? groups.get(group)!.keys() : []) {
        if (set.has(member) || !changing(member)) continue;
        set.add(member);
        queue.push(member);
      }
    }
  }
  return [...set].sort();
}

/**
 * The models one rollback of `id` moves: when the version `id` serves belongs to a group, every
 * served member whose active version is its version of that group (they came in together and
 * go back together); otherwise `id` alone.
 */
export function rollbackSetOf(
  id: string,
  manifest: Manifest | undefined,
  control: ControlState,
  serving: Readonly<Record<string, ModelSpec>>,
): string[] {
  const version = serving[id]?.version ?? control.models[id]?.active?.version;
  const group = manifest && version !== undefined ? groupOfVersion(manifest, id, version) : undefined;
  if (!manifest || !group) return [id];
  const members = groupsOf(manifest.models).get(group)!;
  const ids = [...members.keys()].filter(
    (m) => m === id || (!!serving[m] && control.models[m]?.active?.version === members.get(m)),
  );
  return ids.sort();
}
