/**
 * @file Times the stages of one candidate version and turns them into update-log records, for
 * the service worker's download stages and the page's swap stages alike. A stage that returns
 * problems or throws rejects the candidate (logged as `rejected`); errors that are not the
 * version's fault are logged as `failed`, aborts as `cancelled`. A group's members swap as one
 * set: given several candidates, every stage is recorded once per member (same outcome, same
 * time), so each model's log and stage read as if it had swapped alone.
 */
import {
  logReason,
  type StageOutcome,
  type SwapStage,
  type UpdateLogRecord,
  type VersionRef,
} from '../../shared/update-messages.ts';
import { systemClock, type Clock } from './clock.ts';
import { describeError, isAbortError } from './errors.ts';

/** A version of a model about to be swapped in. */
export interface Candidate extends VersionRef {
  id: string;
}

/** Thrown by a step (or raised by a check) when the candidate must not serve. */
export class StageRejected extends Error {
  override name = 'StageRejected';
  /** Why, bounded like every update-log reason (it is logged, broadcast and kept with the bad version). */
  readonly reason: string;
  constructor(
    readonly stage: SwapStage,
    reason: string,
  ) {
    const bounded = logReason(reason);
    super(`${stage}: ${bounded}`);
    this.reason = bounded;
  }
}

/** Times stages of one candidate (or one set of candidates) and turns them into update-log records. */
export class StageRecorder {
  /** Durations of the stages that ran, in ms. */
  readonly durations: Partial<Record<SwapStage, number>> = {};
  /** Every record emitted, in order. */
  readonly records: UpdateLogRecord[] = [];
  private readonly candidates: readonly Candidate[];

  constructor(
    candidate: Candidate | readonly Candidate[],
    private readonly source: UpdateLogRecord['source'],
    private readonly emit: (record: UpdateLogRecord) => void = () => {},
    private readonly clock: Clock = systemClock,
  ) {
    this.candidates = Array.isArray(candidate) ? candidate : [candidate as Candidate];
    if (this.candidates.length === 0) throw new Error('a stage recorder needs a candidate');
  }

  /** Emits a record per candidate; `terminal` attaches the per-stage durations so far. Returns the first. */
  record(
    stage: SwapStage,
    outcome: StageOutcome,
    durationMs: number,
    reason?: string,
    terminal = false,
  ): UpdateLogRecord {
    this.durations[stage] = durationMs;
    const time = this.clock.now();
    const made = this.candidates.map(({ id, version, sha256 }) => {
      const rec: UpdateLogRecord = {
        time,
        model: id,
        version,
        sha256,
        stage,
        outcome,
        durationMs,
        source: this.source,
      };
      if (reason !== undefined) rec.reason = logReason(reason);
      if (terminal) rec.durations = { ...this.durations };
      return rec;
    });
    for (const rec of made) {
      this.records.push(rec);
      this.emit(rec);
    }
    return made[0]!;
  }

  /**
   * Runs one stage. A returned non-empty problem list or a thrown error rejects the candidate
   * at this stage (logged as `rejected`, rethrown as {@link StageRejected}). Errors that
   * `options.transient` accepts are logged as `failed` and rethrown unchanged (the version is
   * not at fault: network, storage); aborts are logged as `cancelled` and rethrown.
   */
  async run<T>(
    stage: SwapStage,
    fn: () => T | Promise<T>,
    options: StageRunOptions = {},
  ): Promise<Exclude<T, string[] | void>> {
    const start = this.clock.monotonic();
    const elapsed = () => Math.max(0, this.clock.monotonic() - start);
    let result: T;
    try {
      result = await withTimeout(Promise.resolve().then(fn), options.timeoutMs, stage);
    } catch (err) {
      if (isAbortError(err)) {
        this.record(stage, 'cancelled', elapsed(), describeError(err), true);
        throw err;
      }
      if (options.transient?.(err)) {
        this.record(stage, 'failed', elapsed(), describeError(err), true);
        throw err;
      }
      const reason = err instanceof StageRejected ? err.reason : describeError(err);
      this.record(stage, 'rejected', elapsed(), reason, true);
      throw new StageRejected(stage, reason);
    }
    if (Array.isArray(result) && result.length > 0) {
      const reason = result.map(String).join('; ');
      this.record(stage, 'rejected', elapsed(), reason, true);
      throw new StageRejected(stage, reason);
    }
    this.record(stage, 'ok', elapsed(), options.note?.() || undefined, options.terminal);
    return result as Exclude<T, string[] | void>;
  }
}

/** Options of {@link StageRecorder.run}. */
export interface StageRunOptions {
  /** The stage rejects the candidate when it takes longer than this (ms). */
  timeoutMs?: number;
  /** Errors that are not the version's fault. */
  transient?: (err: unknown) => boolean;
  /** Attach the per-stage durations to the `ok` record (the stage ends an update). */
  terminal?: boolean;
  /** A note for the `ok` record (e.g. the figures a check passed with). */
  note?: () => string;
}

/** Rejects with a {@link StageRejected} when `promise` takes longer than `ms`; late session values go to `onLate`. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number | undefined,
  stage: SwapStage,
  onLate?: (v: T) => void,
): Promise<T> {
  if (ms === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new StageRejected(stage, `took longer than ${ms} ms`));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        if (done) onLate?.(v);
        else resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (!done) reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
