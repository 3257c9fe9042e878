/**
 * @file The update policy's group rule (manifest-groups.ts): after each model's own plan (pin,
 * canary, stable, bad marks), a group's members either all target their group version or none
 * does. When they disagree:
 * - a member pinned OUTSIDE the group (or running a local file the user chose), or a member
 *   whose group version is marked bad (a manual mark counts unless a pin asks for the group),
 *   keeps the whole group out: members that wanted it fall back to their active, else previous,
 *   else newest listed version outside the group;
 * - otherwise the group comes in: the other members follow the member with the strongest reason
 *   (pinned > canary > stable) and take its channel.
 * Canary members of one group share one bucket (canaryBucket of "group/<name>"), so a client
 * is in a group's canary for all of its members or for none. Pure, like the rest of the policy.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import { groupsOf } from '../../shared/manifest-groups.ts';
import { compare } from '../../shared/semver.ts';
import type { VersionRef } from '../../shared/update-messages.ts';
import { findBad, modelState, type ControlState } from './model-state.ts';
import type { ModelPlan } from './version-policy.ts';

/** The canary-bucket key of a group: "/" never appears in a model id, so it cannot collide with one. */
export function groupBucketKey(group: string): string {
  return `group/${group}`;
}

const RANK: Record<ModelPlan['channel'], number> = { local: 0, pinned: 0, canary: 1, stable: 2 };

function refOf(manifest: Manifest, id: string, version: string): VersionRef | null {
  const v = manifest.models[id]?.versions[version];
  return v ? { version, sha256: v.sha256 } : null;
}

/** The version `id` runs when it may not run its version of `group`. */
function outsideGroup(manifest: Manifest, control: ControlState, id: string, group: string): VersionRef | null {
  const state = modelState(control, id);
  const grouped = (version: string) => manifest.models[id]?.versions[version]?.group === group;
  for (const ref of [state.active, state.previous]) {
    if (ref && !grouped(ref.version) && !findBad(control.bad, id, ref.sha256)) return ref;
  }
  const listed = Object.keys(manifest.models[id]?.versions ?? {})
    .filter((v) => !grouped(v))
    .sort((a, b) => compare(b, a));
  for (const version of listed) {
    const ref = refOf(manifest, id, version)!;
    if (!findBad(control.bad, id, ref.sha256)) return ref;
  }
  return null;
}

/** Makes the plans of every group's members agree (see the file comment); returns new plans. */
export function applyGroups(
  plans: Readonly<Record<string, ModelPlan>>,
  manifest: Manifest | undefined,
  control: ControlState,
): Record<string, ModelPlan> {
  const out = { ...plans };
  if (!manifest) return out;
  let groups;
  try {
    groups = groupsOf(manifest.models);
  } catch {
    return out; // a validated manifest never gets here
  }
  // A group pushed out can move a member back into another group's version: settle in a few passes.
  for (let pass = 0; pass < groups.size + 1; pass++) {
    let changed = false;
    for (const [group, members] of groups) {
      const ids = [...members.keys()].filter((id) => out[id]);
      const own = (id: string) => refOf(manifest, id, members.get(id)!)!;
      const wants = (id: string) => out[id]!.target?.sha256 === own(id).sha256;
      const wanting = ids.filter(wants);
      if (wanting.length === 0 || wanting.length === ids.length) continue;
      changed = true;
      const viaPin = wanting.some((id) => out[id]!.channel === 'pinned');
      // A model file the user runs on this device counts as a pin outside the group: no mixed set.
      const pinnedOut = ids.find((id) => ['pinned', 'local'].includes(out[id]!.channel) && !wants(id));
      const bad = ids.find((id) => findBad(control.bad, id, own(id).sha256, { ignoreManual: viaPin }));
      if (!pinnedOut && !bad) {
        const leader = [...wanting].sort(
          (a, b) => RANK[out[a]!.channel] - RANK[out[b]!.channel] || a.localeCompare(b),
        )[0]!;
        for (const id of ids.filter((x) => !wants(x))) {
          out[id] = {
            ...out[id]!,
            channel: out[leader]!.channel,
            target: own(id),
            note: `follows ${leader} ${members.get(leader)} into group ${group}`,
          };
        }
        continue;
      }
      const why = pinnedOut
        ? `${pinnedOut} ${out[pinnedOut]!.channel === 'local' ? 'runs a local file' : 'is pinned'} outside group ${group}`
        : `${bad} ${members.get(bad!)} of group ${group} is marked bad`;
      for (const id of wanting) {
        const target = outsideGroup(manifest, control, id, group);
        out[id] = {
          ...out[id]!,
          target,
          note: target ? `${why}; keeping ${target.version}` : `${why}; no other version may run`,
        };
      }
    }
    if (!changed) break;
  }
  return out;
}
