/**
 * @file Actions of the engine slice (model loading state). Pure state updates; the worker
 * calls live in engine-actions.ts.
 */
import type { EngineInfo, LoadProgress } from '../shared/worker-api.ts';
import { patchEngine } from './app-store.ts';
import { toUserError } from './user-error.ts';

/** Key under which a progress event is kept: downloads/compiles per model, others once. */
export function stepKey(p: LoadProgress): string {
  return 'id' in p ? `${p.status}:${p.id}` : p.status;
}

/** Loading has started. */
export function engineLoading(now: number): void {
  patchEngine(() => ({ phase: 'loading', steps: {}, error: null, startedAt: now, readyAt: null }));
}

/** One progress event from the worker. */
export function engineProgress(p: LoadProgress): void {
  patchEngine((e) => ({ steps: { ...e.steps, [stepKey(p)]: p } }));
}

/** Models are loaded and warmed up. */
export function engineReady(info: EngineInfo, now: number): void {
  patchEngine(() => ({ phase: 'ready', info, error: null, readyAt: now }));
}

/** A hot swap or rollback flipped to a worker with other versions. */
export function engineServing(info: EngineInfo): void {
  patchEngine(() => ({ info }));
}

/** Loading failed; the message says what to do. */
export function engineFailed(err: unknown): void {
  patchEngine(() => ({ phase: 'error', error: toUserError(err) }));
}

/** Summary of loading for the progress bar: fraction 0..1 and a one-line label. */
export function loadSummary(steps: Record<string, LoadProgress>, modelCount = 3): { fraction: number; label: string } {
  const all = Object.values(steps);
  if (all.some((p) => p.status === 'ready')) return { fraction: 1, label: 'Ready' };
  // Per model: download counts half, verify+compile a quarter, warm-up the last quarter.
  let done = 0;
  let label = 'Starting the inference worker…';
  for (const p of all) {
    if (p.status === 'runtime')
      label = `Starting ${p.backend.toUpperCase()} runtime (${p.threads} thread${p.threads > 1 ? 's' : ''})…`;
    if (p.status === 'manifest') label = 'Reading the model manifest…';
    if (p.status === 'download') {
      done += p.total > 0 ? (0.5 * Math.min(p.loaded, p.total)) / p.total : 0;
      label = `Downloading ${p.id} ${p.version}…`;
    }
    if (p.status === 'compile') {
      done += 0.25;
      label = `Compiling ${p.id} ${p.version}…`;
    }
    if (p.status === 'warmup') {
      done += 0.25;
      label = `Warming up ${p.id}…`;
    }
  }
  return { fraction: Math.min(0.99, done / modelCount), label };
}
