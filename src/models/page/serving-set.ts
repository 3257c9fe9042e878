/**
 * @file Which version of each needed model to load, as pure functions over the manifest, the
 * control state and the cache contents. At start-up the page prefers what is
 * already on the device (no network, the offline case) and only downloads when a model has no
 * usable cached version at all (the first visit). The same resolution turns a plan's target
 * into the {@link ModelSpec} a model host loads; a local override's version (a model file the
 * user chose on this device, not in the manifest) resolves from the control state.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
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
 * in the manifest) and is cached; else the first that may run (it will be downloaded). Throws
 * {@link NoUsableVersion} when a model has none.
 */
export function startupSet(input: StartupInput): Record<string, StartupChoice> {
  const out: Record<string, StartupChoice> = {};
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
  }
  return out;
}
