/**
 * @file The staged hot swap as logic the inference worker drives: each stage is an injected
 * async step, timed and logged; any check that fails rejects the candidate before the flip,
 * so the active version keeps serving unchanged (Triton / TF Serving semantics: a version
 * serves only after it loaded and passed its checks). No ORT, no worker globals: the worker
 * supplies the steps (standby session, frame-boundary flip, drain) and gets records back.
 */
import {
  logReason,
  type BadStage,
  type StageOutcome,
  type SwapStage,
  type UpdateLogRecord,
  type VersionRef,
} from '../shared/update-messages.ts';
import { abortError, describeError, isAbortError } from './errors.ts';
import type { BadVersion } from './model-state.ts';

/** A version of a model about to be swapped in. */
export interface Candidate extends VersionRef {
  id: string;
}

/** Wall time for records, monotonic time for durations. */
export interface Clock {
  now(): number;
  monotonic(): number;
}

/** The real clocks. */
export const systemClock: Clock = { now: () => Date.now(), monotonic: () => performance.now() };

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

/** Times stages of one candidate and turns them into update-log records. */
export class StageRecorder {
  /** Durations of the stages that ran, in ms. */
  readonly durations: Partial<Record<SwapStage, number>> = {};
  /** Every record emitted, in order. */
  readonly records: UpdateLogRecord[] = [];

  constructor(
    private readonly candidate: Candidate,
    private readonly source: UpdateLogRecord['source'],
    private readonly emit: (record: UpdateLogRecord) => void = () => {},
    private readonly clock: Clock = systemClock,
  ) {}

  /** Emits a record; `terminal` attaches the per-stage durations so far. */
  record(
    stage: SwapStage,
    outcome: StageOutcome,
    durationMs: number,
    reason?: string,
    terminal = false,
  ): UpdateLogRecord {
    this.durations[stage] = durationMs;
    const { id, version, sha256 } = this.candidate;
    const rec: UpdateLogRecord = {
      time: this.clock.now(),
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
    this.records.push(rec);
    this.emit(rec);
    return rec;
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
    this.record(stage, 'ok', elapsed(), undefined, options.terminal);
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
}

/** Rejects with a {@link StageRejected} when `promise` takes longer than `ms`; late session values go to `onLate`. */
function withTimeout<T>(
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

/** What the worker supplies for one swap. `S` is its session handle (e.g. a standby worker). */
export interface SwapSteps<S> {
  /** Declared and actual signatures against the task contract; problems reject before any session exists. */
  compatCheck(): string[] | Promise<string[]>;
  /** Creates the candidate session off the hot path. */
  create(): Promise<S>;
  /** Runs the probe image; problems (e.g. from compareProbe) reject. */
  probe(session: S): Promise<string[]>;
  /** Runs enough inferences that the first served frame is as fast as the rest. */
  warmUp(session: S): Promise<string[] | void>;
  /** Atomically makes the candidate the serving session at a frame boundary. */
  flip(session: S): void | Promise<void>;
  /** Waits for in-flight work on the old session. */
  drain(): Promise<void>;
  /** Releases the old session (terminating its worker returns the WebAssembly memory). */
  release(): Promise<void>;
  /** Releases a candidate that will not serve. */
  discard(session: S): Promise<void>;
}

/** Options of {@link runSwap}. */
export interface SwapOptions {
  emit?: (record: UpdateLogRecord) => void;
  clock?: Clock;
  /** Abandons the swap before the flip (a newer candidate arrived, the page is closing). */
  signal?: AbortSignal;
  /** Per-stage limits in ms; a stage over its limit rejects the candidate. */
  timeouts?: Partial<Record<SwapStage, number>>;
  /**
   * Errors before the flip that are not the version's fault (a crashed worker, storage): they
   * are logged as `failed` and rethrown, so the caller may retry later; the version is not condemned.
   */
  transient?: (err: unknown) => boolean;
}

/** How a swap ended (a transient error before the flip is thrown, after a `failed` record). */
export type SwapResult<S> =
  | {
      outcome: 'serving';
      session: S;
      records: UpdateLogRecord[];
      durations: Partial<Record<SwapStage, number>>;
      cleanupProblems: string[];
    }
  | { outcome: 'rejected'; stage: SwapStage; reason: string; records: UpdateLogRecord[] }
  | { outcome: 'failed' | 'cancelled'; stage: SwapStage; reason: string; records: UpdateLogRecord[] };

/**
 * Runs a candidate through compat check → compile → probe → warm-up → flip → drain → release.
 * Nothing before the flip touches the serving session; a candidate rejected at any stage is
 * discarded and never flipped. A failing flip counts as `failed` (not the version's fault);
 * drain/release problems after the flip are reported but the new version keeps serving.
 */
export async function runSwap<S>(
  candidate: Candidate,
  steps: SwapSteps<S>,
  options: SwapOptions = {},
): Promise<SwapResult<S>> {
  const clock = options.clock ?? systemClock;
  const rec = new StageRecorder(candidate, 'worker', options.emit, clock);
  const t = options.timeouts ?? {};
  let session: S | undefined;
  let stage: SwapStage = 'compat-checked';
  const enter = (next: SwapStage) => {
    stage = next;
    if (options.signal?.aborted) throw abortError(options.signal);
  };
  try {
    enter('compat-checked');
    const transient = options.transient;
    await rec.run('compat-checked', () => steps.compatCheck(), { timeoutMs: t['compat-checked'] });
    enter('compiling');
    session = await rec.run('compiling', () => createWithTimeout(steps, t.compiling), { transient });
    const s = session;
    enter('probed');
    await rec.run('probed', () => steps.probe(s), { timeoutMs: t.probed, transient });
    enter('warmed');
    await rec.run('warmed', () => steps.warmUp(s), { timeoutMs: t.warmed, transient });
    enter('serving');
  } catch (err) {
    if (session !== undefined) await steps.discard(session).catch(() => {});
    if (err instanceof StageRejected)
      return { outcome: 'rejected', stage: err.stage, reason: err.reason, records: rec.records };
    if (isAbortError(err)) {
      const reason = describeError(err);
      if (rec.records.at(-1)?.outcome !== 'cancelled') rec.record(stage, 'cancelled', 0, reason, true);
      return { outcome: 'cancelled', stage, reason, records: rec.records };
    }
    throw err;
  }
  const s = session as S;
  const flipStart = clock.monotonic();
  try {
    await steps.flip(s);
  } catch (err) {
    await steps.discard(s).catch(() => {});
    const reason = `flip failed, the old version keeps serving: ${describeError(err)}`;
    rec.record('serving', 'failed', clock.monotonic() - flipStart, reason, true);
    return { outcome: 'failed', stage: 'serving', reason, records: rec.records };
  }
  rec.record('serving', 'ok', clock.monotonic() - flipStart);
  const cleanupProblems: string[] = [];
  for (const [cleanupStage, step] of [
    ['draining', () => steps.drain()],
    ['released', () => steps.release()],
  ] as const) {
    const start = clock.monotonic();
    const last = cleanupStage === 'released';
    try {
      await step();
      rec.record(cleanupStage, 'ok', clock.monotonic() - start, undefined, last);
    } catch (err) {
      const reason = describeError(err);
      cleanupProblems.push(`${cleanupStage}: ${reason}`);
      rec.record(cleanupStage, 'failed', clock.monotonic() - start, reason, last);
    }
  }
  return { outcome: 'serving', session: s, records: rec.records, durations: { ...rec.durations }, cleanupProblems };

  async function createWithTimeout(st: SwapSteps<S>, ms: number | undefined): Promise<S> {
    // A session that finishes compiling after its deadline must still be released.
    return withTimeout(st.create(), ms, 'compiling', (late) => void st.discard(late).catch(() => {}));
  }
}

/** The bad-list entry for a rejected candidate (not retried until its sha256 changes). */
export function badVersionFor(candidate: Candidate, stage: BadStage, reason: string, time: number): BadVersion {
  return { id: candidate.id, version: candidate.version, sha256: candidate.sha256, stage, reason, time };
}
