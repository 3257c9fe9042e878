/**
 * @file The per-install control state (active/previous/candidate per model, pins, bad
 * versions) and its transitions as pure functions. The cache applies them inside one
 * IndexedDB transaction, so the service worker and the workers of several tabs can update
 * it concurrently without losing writes; every transition is idempotent because each tab's
 * worker applies the same swap. A local override (a model file the user chose to use on this
 * device) lives here too, so the version policy of every thread sees it and its blob is kept.
 */
import type { ModelVersion } from '../../shared/manifest-types.ts';
import type { BadStage, VersionRef } from '../../shared/update-messages.ts';
import { NoRollbackTarget } from './errors.ts';

/** Versions of one model on this install. At most two generations are kept (active + previous). */
export interface ModelState {
  id: string;
  /** The version serving (or to serve at start-up). */
  active: VersionRef | null;
  /** The version before it, kept for a rollback without network. */
  previous: VersionRef | null;
  /** A version being downloaded or staged; protected from eviction until it serves or is dropped. */
  candidate: VersionRef | null;
}

/** A version that must not serve; keyed by sha256, so a republished version with a new hash is tried again. */
export interface BadVersion extends VersionRef {
  id: string;
  stage: BadStage;
  reason: string;
  time: number;
}

/**
 * Content that passed its probe on this device, and on which runtime (e.g. "onnxruntime-web
 * 1.30.0 wasm"): at start-up it is not probed again there (its warm-up still runs), so a start
 * needs no probe image; a new runtime or backend probes it again.
 */
export interface ProvenVersion {
  id: string;
  sha256: string;
  runtime: string;
  time: number;
}

/**
 * A model file the user chose to use on this device instead of the registry's versions (Models
 * panel, "Use on this device"). Its bytes are in the cache under its sha256, verified when stored;
 * they never came from, and never go to, a registry.
 */
export interface LocalOverride extends VersionRef {
  id: string;
  task: string;
  /** The file's name as the user gave it. */
  name: string;
  /** Its entry, made on this device from the file itself (signature, pre-processing, labels). */
  file: ModelVersion;
  /** When the user chose it (ms since the epoch). */
  since: number;
}

/** Everything about versions that the service worker and workers share. */
export interface ControlState {
  models: Record<string, ModelState>;
  /** Pinned version per model id. */
  pins: Record<string, string>;
  bad: BadVersion[];
  /** Probes passed on this device (absent in states written before it existed). */
  proven?: ProvenVersion[];
  /** Local overrides per model id (absent in states written before they existed). */
  local?: Record<string, LocalOverride>;
}

/** Bad entries kept; the oldest are forgotten first (their versions are long gone from the manifest). */
export const MAX_BAD_ENTRIES = 100;

/** Proven entries kept; the oldest are forgotten first (they are only probed again). */
export const MAX_PROVEN_ENTRIES = 100;

/** A control state with nothing in it. */
export function emptyControl(): ControlState {
  return { models: {}, pins: {}, bad: [] };
}

/** True when both refs name the same content (or both are null). */
export function sameRef(a: VersionRef | null | undefined, b: VersionRef | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.sha256 === b.sha256 && a.version === b.version;
}

/** A bare {version, sha256} copy, so callers' richer objects (candidates with ids) never leak into storage. */
export function toRef(ref: VersionRef): VersionRef {
  return { version: ref.version, sha256: ref.sha256 };
}

/** The state of `id`, empty when the model was never seen. */
export function modelState(control: ControlState, id: string): ModelState {
  return control.models[id] ?? { id, active: null, previous: null, candidate: null };
}

function withModel(control: ControlState, state: ModelState): ControlState {
  return { ...control, models: { ...control.models, [state.id]: state } };
}

/**
 * The bad entry for (id, sha256), if any. `ignoreManual` skips entries made by a user's
 * rollback: those keep the policy from re-upgrading automatically, but an explicit pin or
 * rollback by the user may still choose the version.
 */
export function findBad(
  bad: readonly BadVersion[],
  id: string,
  sha256: string,
  options: { ignoreManual?: boolean } = {},
): BadVersion | undefined {
  return bad.find((b) => b.id === id && b.sha256 === sha256 && !(options.ignoreManual && b.stage === 'manual'));
}

/** Records a bad version (replacing an older entry for the same content). */
export function markBad(control: ControlState, entry: BadVersion): ControlState {
  const rest = control.bad.filter((b) => !(b.id === entry.id && b.sha256 === entry.sha256));
  const clean: BadVersion = {
    id: entry.id,
    version: entry.version,
    sha256: entry.sha256,
    stage: entry.stage,
    reason: entry.reason,
    time: entry.time,
  };
  return { ...control, bad: [...rest, clean].slice(-MAX_BAD_ENTRIES) };
}

/** True when (id, sha256) passed its probe on this device under `runtime`. */
export function isProven(control: ControlState, id: string, sha256: string, runtime: string): boolean {
  return (control.proven ?? []).some((p) => p.id === id && p.sha256 === sha256 && p.runtime === runtime);
}

/** Records a passed probe (replacing an older entry for the same content and runtime). */
export function markProven(control: ControlState, entry: ProvenVersion): ControlState {
  const same = (p: ProvenVersion) => p.id === entry.id && p.sha256 === entry.sha256 && p.runtime === entry.runtime;
  const clean: ProvenVersion = { id: entry.id, sha256: entry.sha256, runtime: entry.runtime, time: entry.time };
  return { ...control, proven: [...(control.proven ?? []).filter((p) => !same(p)), clean].slice(-MAX_PROVEN_ENTRIES) };
}

/** Forgets the bad entry of (id, sha256). */
export function clearBad(control: ControlState, id: string, sha256: string): ControlState {
  return { ...control, bad: control.bad.filter((b) => !(b.id === id && b.sha256 === sha256)) };
}

/** Sets (or with null, clears) the candidate of a model. */
export function setCandidate(control: ControlState, id: string, ref: VersionRef | null): ControlState {
  const state = modelState(control, id);
  if (sameRef(state.candidate, ref)) return control;
  return withModel(control, { ...state, candidate: ref && toRef(ref) });
}

/**
 * The flip: `ref` becomes active and the old active becomes previous (the older previous
 * drops out and its blob becomes evictable). Applying it twice is harmless.
 */
export function promote(control: ControlState, id: string, ref: VersionRef): ControlState {
  const state = modelState(control, id);
  const candidate = sameRef(state.candidate, ref) ? null : state.candidate;
  if (sameRef(state.active, ref))
    return candidate === state.candidate ? control : withModel(control, { ...state, candidate });
  return withModel(control, { id, active: toRef(ref), previous: state.active, candidate });
}

/** Sets (or with null, removes) the pin of a model. */
export function setPin(control: ControlState, id: string, version: string | null): ControlState {
  const pins = { ...control.pins };
  if (version === null) delete pins[id];
  else pins[id] = version;
  return { ...control, pins };
}

/**
 * Records a local override for its model id (replacing any other). A version the user chooses
 * explicitly is tried again even if it failed before.
 */
export function setLocalOverride(control: ControlState, override: LocalOverride): ControlState {
  const next = clearBad(control, override.id, override.sha256);
  return { ...next, local: { ...next.local, [override.id]: structuredClone(override) } };
}

/** Ends the local override of `id` (the registry's versions apply again). */
export function clearLocalOverride(control: ControlState, id: string): ControlState {
  if (!control.local?.[id]) return control;
  const local = { ...control.local };
  delete local[id];
  return { ...control, local };
}

/** The version a rollback of `id` would return to, or null when there is none it may use. */
export function rollbackTarget(control: ControlState, id: string): VersionRef | null {
  const state = modelState(control, id);
  const target = state.previous;
  if (!target || !state.active) return null;
  return findBad(control.bad, id, target.sha256, { ignoreManual: true }) ? null : target;
}

/** What a rollback did. */
export interface RollbackResult {
  control: ControlState;
  from: VersionRef;
  to: VersionRef;
}

/**
 * Swaps active and previous and marks the version left as bad: stage `runtime` for an
 * automatic rollback (never retried until its sha256 changes), `manual` for a user's (only an
 * explicit pin brings it back). A manual rollback also drops a pin on the version left, since
 * the user's latest intent wins; a runtime rollback keeps the pin (the policy reports it as blocked).
 * `markBad: false` leaves the version unmarked: a group member rolled back with a partner that
 * failed at runtime (the partner's mark keeps the group out; this version did nothing wrong).
 */
export function rollback(
  control: ControlState,
  id: string,
  how: { kind: 'runtime' | 'manual'; reason: string; time: number; markBad?: boolean },
): RollbackResult {
  const state = modelState(control, id);
  const from = state.active;
  const to = rollbackTarget(control, id);
  if (!from || !to) {
    const why = !from
      ? 'nothing is active'
      : !state.previous
        ? 'there is no previous version'
        : 'the previous version is marked bad';
    throw new NoRollbackTarget(`cannot roll back ${id}: ${why}`);
  }
  let next = withModel(control, { ...state, active: to, previous: from, candidate: null });
  next = clearBad(next, id, to.sha256);
  if (how.markBad !== false) next = markBad(next, { id, ...from, stage: how.kind, reason: how.reason, time: how.time });
  if (how.kind === 'manual' && next.pins[id] === from.version) next = setPin(next, id, null);
  // Rolling back away from a local override ends it: the registry's versions apply again.
  if (next.local?.[id]?.sha256 === from.sha256) next = clearLocalOverride(next, id);
  return { control: next, from, to };
}

/** The bad-list entry for a rejected candidate (not retried until its sha256 changes). */
export function badVersionFor(
  candidate: VersionRef & { id: string },
  stage: BadStage,
  reason: string,
  time: number,
): BadVersion {
  return { id: candidate.id, version: candidate.version, sha256: candidate.sha256, stage, reason, time };
}
