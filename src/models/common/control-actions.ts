/**
 * @file The control-state changes the worker and UI commit after a swap decision, each one
 * atomic in the cache: promote after a flip, record a rejection, roll back (runtime or user),
 * pin. Thin on purpose: the rules live in model-state.ts, the storage in the cache.
 */
import type { BadStage } from '../../shared/update-messages.ts';
import type { ModelStore } from '../cache/model-store.ts';
import { markBad, markProven, promote, rollback, setCandidate, setPin, type RollbackResult } from './model-state.ts';
import { badVersionFor } from './model-state.ts';
import type { Candidate } from './stage-recorder.ts';

/** After a successful flip: the candidate becomes active and the old active becomes previous. */
export async function commitServing(store: ModelStore, candidate: Candidate): Promise<void> {
  await store.updateControl((c) => promote(c, candidate.id, candidate));
}

/** After a passed probe: this content need not be probed again at start-up on `runtime`. */
export async function commitProven(
  store: ModelStore,
  candidate: Pick<Candidate, 'id' | 'sha256'>,
  runtime: string,
  time: number = Date.now(),
): Promise<void> {
  await store.updateControl((c) => markProven(c, { id: candidate.id, sha256: candidate.sha256, runtime, time }));
}

/** {@link commitServing} for the members of a group, in one transaction (a start-up never sees half a group active). */
export async function commitServingSet(store: ModelStore, candidates: readonly Candidate[]): Promise<void> {
  await store.updateControl((c) => candidates.reduce((next, cand) => promote(next, cand.id, cand), c));
}

/** After a rejection: mark the content bad (not retried until its sha256 changes) and drop it as candidate. */
export async function commitRejection(
  store: ModelStore,
  candidate: Candidate,
  stage: BadStage,
  reason: string,
  time: number = Date.now(),
): Promise<void> {
  await store.updateControl((c) => {
    const next = markBad(c, badVersionFor(candidate, stage, reason, time));
    const current = next.models[candidate.id]?.candidate;
    return current?.sha256 === candidate.sha256 ? setCandidate(next, candidate.id, null) : next;
  });
}

/**
 * Rolls `id` back to its previous version in the cache and returns what changed; throws
 * NoRollbackTarget when there is none. The caller swaps the sessions (no network needed:
 * the previous blob is never evicted).
 */
export async function commitRollback(
  store: ModelStore,
  id: string,
  kind: 'runtime' | 'manual',
  reason: string,
  time: number = Date.now(),
): Promise<RollbackResult> {
  let result: RollbackResult | undefined;
  await store.updateControl((c) => {
    result = rollback(c, id, { kind, reason, time });
    return result.control;
  });
  return result as RollbackResult;
}

/**
 * Rolls back every model of `ids` (a group's members) in one transaction, or none: throws
 * NoRollbackTarget when any has no previous version. `culprits` are marked bad (all of them
 * when omitted); the other members just return to their previous version.
 */
export async function commitRollbackSet(
  store: ModelStore,
  ids: readonly string[],
  kind: 'runtime' | 'manual',
  reason: string,
  time: number = Date.now(),
  culprits?: readonly string[],
): Promise<Record<string, RollbackResult>> {
  let results: Record<string, RollbackResult> = {};
  await store.updateControl((c) => {
    results = {};
    let next = c;
    for (const id of ids) {
      const markBad = culprits === undefined || culprits.includes(id);
      const r = rollback(next, id, { kind, reason, time, markBad });
      results[id] = r;
      next = r.control;
    }
    return next;
  });
  return results;
}

/** Pins `id` to `version`, or unpins it with null. */
export async function commitPin(store: ModelStore, id: string, version: string | null): Promise<void> {
  await store.updateControl((c) => setPin(c, id, version));
}
