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

/** Pins `id` to `version`, or unpins it with null. */
export async function commitPin(store: ModelStore, id: string, version: string | null): Promise<void> {
  await store.updateControl((c) => setPin(c, id, version));
}
