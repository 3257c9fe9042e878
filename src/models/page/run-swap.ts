/**
 * @file The staged hot swap as logic the model manager drives: each stage is an injected async
 * step, timed and logged; any check that fails rejects the candidate before the flip, so the
 * active version keeps serving unchanged (Triton / TF Serving semantics: a version serves only
 * after it loaded and passed its checks). No runtime, no worker: the engine supplies the steps
 * (stage a session, probe, warm, flip at a frame boundary, drain, release) and gets records back.
 */
import type { SwapStage, UpdateLogRecord } from '../../shared/update-messages.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import { abortError, describeError, isAbortError } from '../common/errors.ts';
import { StageRecorder, StageRejected, withTimeout, type Candidate } from '../common/stage-recorder.ts';

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
  /**
   * Only for a version that asks for it: runs the candidate beside the serving version and judges
   * the comparison (stage `shadowed`); problems reject, `note` is logged with a pass.
   */
  shadow?(session: S): Promise<{ problems: string[]; note: string }>;
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
  /** Who the log records name as their source (default `worker`; `local` for a user's model file). */
  source?: UpdateLogRecord['source'];
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
 * Runs a candidate (or a group's candidates, as one set) through compat check → compile →
 * probe → warm-up → [shadow] → flip → drain → release.
 * Nothing before the flip touches the serving session; a candidate rejected at any stage is
 * discarded and never flipped. A failing flip counts as `failed` (not the version's fault);
 * drain/release problems after the flip are reported but the new version keeps serving.
 */
export async function runSwap<S>(
  candidate: Candidate | readonly Candidate[],
  steps: SwapSteps<S>,
  options: SwapOptions = {},
): Promise<SwapResult<S>> {
  const clock = options.clock ?? systemClock;
  const rec = new StageRecorder(candidate, options.source ?? 'worker', options.emit, clock);
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
    if (steps.shadow) {
      const shadow = steps.shadow.bind(steps);
      enter('shadowed');
      let note = '';
      await rec.run(
        'shadowed',
        async () => {
          const verdict = await shadow(s);
          note = verdict.note;
          return verdict.problems;
        },
        { transient, note: () => note },
      );
    }
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
