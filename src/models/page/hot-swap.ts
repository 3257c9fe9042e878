/**
 * @file One hot swap in a running tab, as the staged update of ARCHITECTURE.md: compat check (the
 * declared signature and the file's own, read in a model host, before any session exists) → the
 * candidate alone is staged in a model host (compile) → probe → warm-up → flip at a frame
 * boundary (the next analysis uses it) → drain the replaced session → release it. Sessions of
 * the other models are never touched. A group's members (manifest-groups.ts) go through the
 * same stages as ONE set: staged together, each probed, warmed together, flipped in one step (no
 * analysis sees half of them), drained and released together; a member that fails a check is
 * named in `culprits` and the whole set stays out. A single version whose manifest entry asks
 * for a shadow gate runs beside the serving one after its warm-up (stage `shadowed`, judged by
 * the injected `shadow`). The stage logic and timing are runSwap's (run-swap.ts); this module
 * supplies the steps from an {@link EnginePool}.
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import type { EngineInfo, ModelSpec } from '../../shared/worker-api.ts';
import type { TaskRegistry } from '../../shared/tasks.ts';
import type { EnginePool } from './engine-pool.ts';
import type { Clock } from '../common/clock.ts';
import type { Candidate } from '../common/stage-recorder.ts';
import { runSwap, type SwapResult } from './run-swap.ts';

/** Limits per swap stage (ms): generous, a 2-core phone compiling while it serves is slow. */
export const SWAP_TIMEOUTS = { compiling: 120_000, probed: 60_000, warmed: 60_000 } as const;

/** Error names that are not a version's fault: the swap is retried later, the version not condemned. */
const TRANSIENT = new Set([
  'WorkerCrashedError',
  'ModelLoadError',
  'StorageFullError',
  'ProbeAssetError',
  'ShadowUnavailable',
]);

/** True for errors after which a swap should simply be retried later. */
export function isTransientSwapError(err: unknown): boolean {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' && TRANSIENT.has(name);
}

/** Problems that reject a candidate before any session is created. */
export function compatProblems(tasks: TaskRegistry, spec: ModelSpec, serving: ModelSpec | undefined): string[] {
  const problems = [
    ...tasks.checkContract(spec.task, spec.file.inputs, spec.file.outputs),
    ...tasks.checkLabels(spec.task, spec.file.labels, spec.file.outputs),
  ];
  if (serving && serving.task !== spec.task)
    problems.push(`it serves the ${spec.task} task, the version it replaces serves ${serving.task}`);
  return problems;
}

/** What one swap needs. */
export interface HotSwapInput {
  pool: EnginePool;
  tasks: TaskRegistry;
  /** The versions serving now, by model id. */
  serving: Record<string, ModelSpec>;
  /** The candidate; {@link hotSwapSet} takes several (a group) instead. */
  spec: ModelSpec;
  /** Called with each stage record as it happens (the flip's `serving` record included). */
  emit: (record: UpdateLogRecord) => void;
  /** Called right after the flip with the new serving set and the engine info. */
  flipped: (set: Record<string, ModelSpec>, info: EngineInfo) => void;
  /** Called when a candidate passed its probe, with the runtime it ran on (remembered as proven). */
  onProbePassed?: (spec: ModelSpec, runtime: string) => void;
  /**
   * The shadow gate, run when the version's entry has `shadow`: compares the staged candidate with
   * the serving version and judges it (problems reject at `shadowed`). Without it no gate runs.
   */
  shadow?: (key: string, spec: ModelSpec) => Promise<{ problems: string[]; note: string }>;
  /** The log records' source (default `worker`). */
  source?: UpdateLogRecord['source'];
  clock?: Clock;
}

/**
 * Compat problems of the declaration, then of the stored file itself: its real signature, read
 * by the engine in a model host (the page's thread never reads or parses a model's bytes), so a
 * file that does not match its manifest entry is rejected before a session is created.
 */
async function compatCheck(input: Pick<HotSwapInput, 'spec' | 'serving' | 'pool' | 'tasks'>): Promise<string[]> {
  const { spec, tasks } = input;
  const problems = compatProblems(tasks, spec, input.serving[spec.id]);
  return problems.length > 0 ? problems : input.pool.fileProblems(spec);
}

/** A swap's result; a rejection names the members at fault when it is known (`culprits`, model ids). */
export type HotSwapResult = SwapResult<string> & { culprits?: string[] };

/**
 * Runs the swap of one model. Resolves with runSwap's result; rejects (after a `failed` record)
 * on a transient error before the flip, in which case the old version keeps serving untouched.
 */
export function hotSwap(input: HotSwapInput): Promise<HotSwapResult> {
  const { spec, ...rest } = input;
  return hotSwapSet({ ...rest, specs: [spec] });
}

/**
 * Runs the swap of a set of models that change together (a group) through the same stages as
 * one; with one spec it is exactly {@link hotSwap}. Problems of a member are prefixed with its
 * id when there are several.
 */
export async function hotSwapSet(
  input: Omit<HotSwapInput, 'spec'> & { specs: readonly ModelSpec[] },
): Promise<HotSwapResult> {
  const { pool, specs } = input;
  if (specs.length === 0) throw new Error('hotSwapSet needs at least one model');
  const candidates: Candidate[] = specs.map((s) => ({ id: s.id, version: s.version, sha256: s.sha256 }));
  const set = { ...input.serving, ...Object.fromEntries(specs.map((s) => [s.id, s])) };
  const culprits = new Set<string>();
  const named = (s: ModelSpec, problems: string[]) => {
    if (problems.length > 0) culprits.add(s.id);
    return specs.length > 1 ? problems.map((p) => `${s.id} ${s.version}: ${p}`) : problems;
  };
  let replaced: string | null = null;
  const result = await runSwap<string>(
    specs.length === 1 ? candidates[0]! : candidates,
    {
      compatCheck: async () => {
        const problems: string[] = [];
        for (const spec of specs) problems.push(...named(spec, await compatCheck({ ...input, spec })));
        return problems;
      },
      create: async () => (await pool.stage([...specs])).key,
      probe: async (key) => {
        const problems: string[] = [];
        for (const spec of specs) {
          const report = await pool.probe(key, spec.id);
          if (report.problems.length === 0 && report.runtime !== undefined) input.onProbePassed?.(spec, report.runtime);
          problems.push(...named(spec, report.problems));
        }
        return problems;
      },
      warmUp: async (key) => {
        await pool.warmUp(key);
      },
      // A shadow gate compares one model with its serving version (the manifest refuses one on a group).
      ...(specs.length === 1 && specs[0]!.file.shadow && input.shadow
        ? { shadow: (key: string) => input.shadow!(key, specs[0]!) }
        : {}),
      flip: async (key) => {
        replaced = await pool.flip(key);
        input.flipped(set, await pool.info());
      },
      drain: () => (replaced ? pool.drain(replaced) : Promise.resolve()),
      release: () => (replaced ? pool.release(replaced) : Promise.resolve()),
      discard: (key) => pool.release(key),
    },
    {
      timeouts: SWAP_TIMEOUTS,
      transient: isTransientSwapError,
      emit: input.emit,
      clock: input.clock,
      ...(input.source ? { source: input.source } : {}),
    },
  );
  return result.outcome === 'rejected' && culprits.size > 0 ? { ...result, culprits: [...culprits] } : result;
}
