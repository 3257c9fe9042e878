/**
 * @file The checks a model file tried from the Models panel goes through before it may run in
 * shadow: the same stages, steps and messages as a registry version's swap (compat check on the
 * file's own signature and labels, compile in a model host of its own, probe, warm-up), logged
 * with source `local`, but it is never flipped: the staged session is kept for the shadow
 * comparison until the user uses it or drops it. A rejection discards the session and changes
 * nothing else (the version is not marked bad: it was never the registry's).
 */
import type { TaskRegistry } from '../../shared/tasks.ts';
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import type { ModelSpec } from '../../shared/worker-api.ts';
import type { Clock } from '../common/clock.ts';
import { StageRecorder, StageRejected } from '../common/stage-recorder.ts';
import type { EnginePool } from './engine-pool.ts';
import { compatProblems, isTransientSwapError, SWAP_TIMEOUTS } from './hot-swap.ts';
import { fileSignatureProblems } from '../../shared/onnx-signature.ts';

/** How trying a file ended: staged (its session key), or rejected at a stage with one reason. */
export type TryOutcome = { ok: true; key: string } | { ok: false; stage: string; reason: string };

/** What {@link tryLocalModel} needs. */
export interface TryLocalInput {
  pool: Pick<EnginePool, 'stage' | 'probe' | 'warmUp' | 'release'>;
  tasks: TaskRegistry;
  /** The spec from local-model.ts, with the file's bytes (`spec.local.bytes`). */
  spec: ModelSpec;
  bytes: Uint8Array;
  serving: Record<string, ModelSpec>;
  emit: (record: UpdateLogRecord) => void;
  clock?: Clock;
}

/** Runs compat check → compile → probe → warm-up on the file; the session stays staged when it passes. */
export async function tryLocalModel(input: TryLocalInput): Promise<TryOutcome> {
  const { pool, spec, tasks } = input;
  const rec = new StageRecorder(
    { id: spec.id, version: spec.version, sha256: spec.sha256 },
    'local',
    input.emit,
    input.clock,
  );
  const transient = isTransientSwapError;
  let key: string | undefined;
  try {
    await rec.run('compat-checked', () => {
      const problems = compatProblems(tasks, spec, input.serving[spec.id]);
      const contract = tasks.get(spec.task);
      return problems.length > 0 || !contract ? problems : fileSignatureProblems(contract, spec.file, input.bytes);
    });
    const staged = await rec.run('compiling', async () => (await pool.stage([spec])).key, {
      timeoutMs: SWAP_TIMEOUTS.compiling,
      transient,
    });
    key = staged;
    await rec.run('probed', async () => (await pool.probe(staged, spec.id)).problems, {
      timeoutMs: SWAP_TIMEOUTS.probed,
      transient,
    });
    await rec.run(
      'warmed',
      async () => {
        await pool.warmUp(staged);
      },
      { timeoutMs: SWAP_TIMEOUTS.warmed, transient, terminal: true },
    );
    return { ok: true, key: staged };
  } catch (err) {
    if (key !== undefined) await pool.release(key).catch(() => undefined);
    if (err instanceof StageRejected) return { ok: false, stage: err.stage, reason: err.reason };
    const last = rec.records.at(-1);
    return { ok: false, stage: last?.stage ?? 'compat-checked', reason: last?.reason ?? String(err) };
  }
}
