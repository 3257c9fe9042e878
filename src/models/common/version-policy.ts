/**
 * @file Which version each model should run on this client, and why: pure, so the service
 * worker (what to download), the inference worker (what to swap to) and the UI (which channel
 * a model follows) all reach the same answer from the same inputs.
 *
 * Order of precedence per model: a pin (unless the pinned version failed a check), then the
 * canary when this client's bucket is inside its percent, then stable. A version marked bad
 * never gets chosen automatically: a bad canary falls back to stable, a bad stable keeps the
 * active version (or the previous one if the active is bad too). A label only ever points at a
 * version the client can verify: one listed in the manifest, or one it already holds. Models
 * whose versions form a group (manifest-groups.ts) then move together (group-policy.ts). A local
 * override (a model file the user chose on this device) comes before all of them: the model
 * follows channel `local` and its registry updates wait until the user stops using the file.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import type { ModelChannel, VersionRef } from '../../shared/update-messages.ts';
import { canaryBucket, inCanary } from './canary-bucket.ts';
import { applyGroups, groupBucketKey } from './group-policy.ts';
import { findBad, modelState, type ControlState, type ModelState } from './model-state.ts';

/** What the policy decided for one model. */
export interface ModelPlan {
  id: string;
  /** The rollout this model follows here. */
  channel: ModelChannel;
  /** The version it should run; null when no version may run. */
  target: VersionRef | null;
  /** This client's canary bucket for the model (0..99). */
  bucket: number;
  /** Why the plan differs from the obvious choice (pin unavailable, version marked bad...); null otherwise. */
  note: string | null;
}

/** Everything the policy needs. */
export interface PolicyInput {
  /** The last accepted manifest; undefined before the first one (offline first start). */
  manifest: Manifest | undefined;
  installId: string;
  control: ControlState;
}

function manifestRef(manifest: Manifest | undefined, id: string, version: string): VersionRef | null {
  const v = manifest?.models[id]?.versions[version];
  return v ? { version, sha256: v.sha256 } : null;
}

function localRef(state: ModelState, version: string): VersionRef | null {
  if (state.active?.version === version) return state.active;
  if (state.previous?.version === version) return state.previous;
  return null;
}

function fallback(control: ControlState, state: ModelState, why: string): { target: VersionRef | null; note: string } {
  for (const ref of [state.active, state.previous]) {
    if (ref && !findBad(control.bad, state.id, ref.sha256))
      return { target: ref, note: `${why}; keeping ${ref.version}` };
  }
  return { target: null, note: `${why}; no other version may run` };
}

function badNote(control: ControlState, id: string, ref: VersionRef, what: string): string | null {
  const b = findBad(control.bad, id, ref.sha256);
  return b ? `${what} ${ref.version} is marked bad (${b.stage}: ${b.reason})` : null;
}

function planOne(input: PolicyInput, id: string): ModelPlan {
  const local = input.control.local?.[id];
  if (!local) return planRegistry(input, id);
  const ref = { version: local.version, sha256: local.sha256 };
  const bad = findBad(input.control.bad, id, local.sha256, { ignoreManual: true });
  const registry = planRegistry(input, id);
  if (bad) {
    const why = `local file ${local.name} is marked bad (${bad.stage}: ${bad.reason}); following the registry`;
    return { ...registry, note: registry.note ? `${why}; ${registry.note}` : why };
  }
  const waiting = registry.target ? ` (the registry's ${registry.channel} is ${registry.target.version})` : '';
  const note = `local file ${local.name} replaces the registry's versions on this device; registry updates of ${id} wait until you stop using it${waiting}`;
  return { id, channel: 'local', target: ref, bucket: registry.bucket, note };
}

function planRegistry(input: PolicyInput, id: string): ModelPlan {
  const { manifest, control } = input;
  const state = modelState(control, id);
  const entry = manifest?.models[id];
  // A grouped canary uses its group's bucket, so the client is in it for every member or none.
  const canaryGroup = entry?.canary && entry.versions[entry.canary.version]?.group;
  const bucket = canaryBucket(input.installId, canaryGroup ? groupBucketKey(canaryGroup) : id);
  const pin = control.pins[id];
  if (pin !== undefined) {
    const ref = manifestRef(manifest, id, pin) ?? localRef(state, pin);
    const bad = ref ? findBad(control.bad, id, ref.sha256, { ignoreManual: true }) : undefined;
    if (ref && !bad) return { id, channel: 'pinned', target: ref, bucket, note: null };
    const why = bad ? `pinned ${pin} is marked bad (${bad.stage}: ${bad.reason})` : `pinned ${pin} is not available`;
    return { id, channel: 'pinned', bucket, ...fallback(control, state, why) };
  }
  if (!entry) {
    const why = manifest ? 'not in the manifest' : 'no manifest yet';
    return { id, channel: 'stable', bucket, ...fallback(control, state, why) };
  }
  let note: string | null = null;
  if (entry.canary && inCanary(bucket, entry.canary.percent)) {
    const ref = manifestRef(manifest, id, entry.canary.version);
    if (ref) {
      note = badNote(control, id, ref, 'canary');
      if (!note) return { id, channel: 'canary', target: ref, bucket, note: null };
    }
  }
  const stable = manifestRef(manifest, id, entry.stable);
  if (stable) {
    const bad = badNote(control, id, stable, 'stable');
    if (!bad) return { id, channel: 'stable', target: stable, bucket, note: note && `${note}; following stable` };
    return { id, channel: 'stable', bucket, ...fallback(control, state, note ? `${note}; ${bad}` : bad) };
  }
  return { id, channel: 'stable', bucket, ...fallback(control, state, `stable ${entry.stable} is not listed`) };
}

/** The plan for every model in the manifest or in the control state. */
export function planVersions(input: PolicyInput): Record<string, ModelPlan> {
  const ids = new Set([...Object.keys(input.manifest?.models ?? {}), ...Object.keys(input.control.models)]);
  const plans: Record<string, ModelPlan> = {};
  for (const id of [...ids].sort()) plans[id] = planOne(input, id);
  return applyGroups(plans, input.manifest, input.control);
}

/**
 * The sha256s that must stay in the cache: every model's active, previous and candidate, every
 * local override, plus the targets of `plans` (about to be downloaded or swapped to). Everything
 * else may be evicted.
 */
export function referencedBlobs(control: ControlState, plans?: Record<string, ModelPlan>): Set<string> {
  const keep = new Set<string>();
  for (const state of Object.values(control.models)) {
    for (const ref of [state.active, state.previous, state.candidate]) if (ref) keep.add(ref.sha256);
  }
  for (const local of Object.values(control.local ?? {})) keep.add(local.sha256);
  for (const plan of Object.values(plans ?? {})) if (plan.target) keep.add(plan.target.sha256);
  return keep;
}

/** True when the plan asks for a different version than the one active. */
export function needsSwap(plan: ModelPlan, state: ModelState): plan is ModelPlan & { target: VersionRef } {
  return plan.target !== null && plan.target.sha256 !== state.active?.sha256;
}
