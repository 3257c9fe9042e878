/**
 * @file Which version of each needed model to load, as pure functions over the manifest, the
 * control state and the cache contents. At start-up the page prefers what is
 * already on the device (no network, the offline case) and only downloads when a model has no
 * usable cached version at all (the first visit). The same resolution turns a plan's target
 * into the {@link ModelSpec} a model host loads; a local override's version (a model file the
 * user chose on this device, not in the manifest) resolves from the control state.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import { groupsOf } from '../../shared/manifest-groups.ts';
import type { VersionRef } from '../../shared/update-messages.ts';
import type { ModelSpec } from '../../shared/worker-api.ts';
import { findBad, modelState, type ControlState } from '../common/model-state.ts';
import type { ModelPlan } from '../common/version-policy.ts';

/** The spec of (id, ref) from the manifest, or null when the manifest does not list these bytes. */
export function resolveSpec(manifest: Manifest | undefined, id: string, ref: VersionRef): ModelSpec | null {
  const entry = manifest?.models[id];
  const file = entry?.versions[ref.version];
  if (!entry || !file || file.sha256 !== ref.sha256) return null;
  return { id, task: entry.task, version: ref.version, sha256: ref.sha256, file };
}

/** The spec of a local override of `id` holding `ref`'s bytes, or null. */
export function localSpec(control: ControlState, id: string, ref: VersionRef): ModelSpec | null {
  const local = control.local?.[id];
  if (!local || local.sha256 !== ref.sha256) return null;
  return {
    id,
    task: local.task,
    version: local.version,
    sha256: local.sha256,
    file: local.file,
    local: { name: local.name },
  };
}

/** {@link resolveSpec}, else the local override's spec: every version this device may run. */
export function specFor(
  manifest: Manifest | undefined,
  control: ControlState,
  id: string,
  ref: VersionRef,
): ModelSpec | null {
  return resolveSpec(manifest, id, ref) ?? localSpec(control, id, ref);
}

/** Why no version of a model can start. */
export class NoUsableVersion extends Error {
  override name = 'NoUsableVersion';
}

/** Inputs of {@link startupSet}. */
export interface StartupInput {
  manifest: Manifest | undefined;
  control: ControlState;
  plans: Record<string, ModelPlan>;
  /** The sha256s already in the cache. */
  cached: ReadonlySet<string>;
  /** The model ids to choose versions for (the enabled features' models). */
  ids: readonly string[];
}

/** One chosen version and whether it must be downloaded first. */
export interface StartupChoice {
  spec: ModelSpec;
  cached: boolean;
}

/**
 * Per model, the first of [plan target, active, previous] that may run (not marked bad, listed
 * in the manifest) and is cached; else the first that may run (it will be downloaded). Grouped
 * versions then serve together or not at all (see {@link settleGroups}). Throws
 * {@link NoUsableVersion} when a model has none.
 */
export function startupSet(input: StartupInput): Record<string, StartupChoice> {
  const out: Record<string, StartupChoice> = {};
  const options: Record<string, ModelSpec[]> = {};
  for (const id of input.ids) {
    const state = modelState(input.control, id);
    const refs: VersionRef[] = [];
    const target = input.plans[id]?.target;
    if (target) refs.push(target);
    for (const ref of [state.active, state.previous]) {
      // A manual mark only stops automatic upgrades; it does not stop the user's own choice.
      if (ref && !findBad(input.control.bad, id, ref.sha256, { ignoreManual: true })) refs.push(ref);
    }
    const specs = refs
      .map((ref) => specFor(input.manifest, input.control, id, ref))
      .filter((s): s is ModelSpec => s !== null && !findBad(input.control.bad, id, s.sha256, { ignoreManual: true }));
    const cached = specs.find((s) => input.cached.has(s.sha256));
    const spec = cached ?? specs[0];
    if (!spec) {
      const why = input.manifest ? 'every known version is marked bad or unlisted' : 'no model manifest is available';
      throw new NoUsableVersion(`no version of ${id} can be loaded: ${why}`);
    }
    out[id] = { spec, cached: cached !== undefined };
    options[id] = specs;
  }
  settleGroups(out, options, input);
  return out;
}

/**
 * Makes grouped choices consistent: where the cache-first choice put some of a group's members
 * in the group and others out (e.g. the detector's new version is cached, the attributes' not
 * yet), the members in the group step back to their next choice outside it (cached first) —
 * a start from what is on the device; the update that follows brings the whole group in. Only
 * when a member has no such choice do the others come into the group instead (downloaded).
 */
function settleGroups(
  out: Record<string, StartupChoice>,
  options: Record<string, ModelSpec[]>,
  input: StartupInput,
): void {
  if (!input.manifest) return;
  for (const [group, members] of groupsOf(input.manifest.models)) {
    const ids = input.ids.filter((id) => members.has(id));
    const inGroup = ids.filter((id) => out[id]!.spec.version === members.get(id));
    if (inGroup.length === 0 || inGroup.length === ids.length) continue;
    const outside = (id: string) => options[id]!.filter((s) => s.file.group !== group);
    if (inGroup.every((id) => outside(id).length > 0)) {
      for (const id of inGroup) {
        const alt = outside(id);
        const spec = alt.find((s) => input.cached.has(s.sha256)) ?? alt[0]!;
        out[id] = { spec, cached: input.cached.has(spec.sha256) };
      }
      continue;
    }
    for (const id of ids.filter((x) => !inGroup.includes(x))) {
      const version = members.get(id)!;
      const file = input.manifest.models[id]!.versions[version]!;
      const spec = resolveSpec(input.manifest, id, { version, sha256: file.sha256 });
      if (!spec || findBad(input.control.bad, id, spec.sha256, { ignoreManual: true }))
        throw new NoUsableVersion(`the models of group ${group} cannot start together: ${id} ${version} may not run`);
      out[id] = { spec, cached: input.cached.has(spec.sha256) };
    }
  }
}
