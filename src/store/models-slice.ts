/**
 * @file Actions of the models slice: the model manager's snapshots and log, update checks and
 * the app-shell update prompt. Pure state updates; the wiring to the manager and the service
 * worker lives in update-actions.ts.
 */
import type { CheckSummary, UpdateLogRecord } from '../shared/update-messages.ts';
import type { ManagerState } from '../models/page/manager-types.ts';
import { MAX_LOG_ENTRIES } from '../models/cache/model-store.ts';
import { patchModels } from './app-store.ts';
import type { ModelsSlice } from './types.ts';

/** The manager published a new snapshot. */
export function modelsState(state: ManagerState): void {
  patchModels(() => ({ manager: state }));
}

function key(r: UpdateLogRecord): string {
  return `${r.time}|${r.model}|${r.sha256}|${r.stage}|${r.outcome}|${r.source}`;
}

/** Log records arrived (stored ones at start, then live ones); duplicates are dropped, time order kept. */
export function modelsLogged(records: readonly UpdateLogRecord[]): void {
  if (records.length === 0) return;
  patchModels((m) => {
    const seen = new Set(m.log.map(key));
    const fresh = records.filter((r) => !seen.has(key(r)));
    if (fresh.length === 0) return {};
    const log = [...m.log, ...fresh].sort((a, b) => a.time - b.time).slice(-MAX_LOG_ENTRIES);
    return { log };
  });
}

/** Where updates come from, how often the service worker is asked to poll, and a `?registry=` refused. */
export function updatesConfigured(
  registryUrl: string,
  pollIntervalMs: number | null,
  registryRefused: string | null = null,
): void {
  patchModels(() => ({ registryUrl, pollIntervalMs, registryRefused }));
}

/** The service worker's state. */
export function updaterChanged(updater: ModelsSlice['updater']): void {
  patchModels(() => ({ updater }));
}

/** A user-started check began. */
export function checkStarted(): void {
  patchModels(() => ({ checking: true }));
}

/** A user-started check ended (with its summary, or an error summary). */
export function checkFinished(summary: CheckSummary, at: number): void {
  patchModels(() => ({ checking: false, lastCheck: { ...summary, at } }));
}

/** A new app shell waits for the user's go-ahead (or was dismissed: false). */
export function shellUpdateWaiting(waiting: boolean): void {
  patchModels(() => ({ shellUpdate: waiting }));
}
