/**
 * @file One hot swap of one model in a running tab, as the staged update of ARCHITECTURE.md:
 * compat check (the declared signature and the file's own, before any session exists) → the
 * candidate alone is staged in a model host (compile) → probe → warm-up → flip at a frame
 * boundary (the next analysis uses it) → drain the replaced session → release it. Sessions of
 * the other models are never touched. A version whose manifest entry asks for a shadow gate runs
 * beside the serving one after its warm-up (stage `shadowed`, judged by the injected `shadow`).
 * The stage logic and timing are runSwap's (run-swap.ts); this module supplies the steps from an
 * {@link EnginePool}.
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import type { EngineInfo, ModelSpec } from '../../shared/worker-api.ts';
import { fileSignatureProblems } from '../../shared/onnx-signature.ts';
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
  spec: ModelSpec;
  /** Called with each stage record as it happens (the flip's `serving` record included). */
  emit: (record: UpdateLogRecord) => void;
  /** Called right after the flip with the new serving set and the engine info. */
  flipped: (set: Record<string, ModelSpec>, info: EngineInfo) => void;
  /**
   * The candidate's stored bytes (undefined when not stored yet): the compat check reads the
   * file's real signature from them, so a file that does not match its manifest entry is
   * rejected before a session is created. Without bytes only the declaration is checked, and the
   * host's loader checks the file before it compiles.
   */
  fileBytes?: (spec: ModelSpec) => Promise<Uint8Array | undefined>;
  /** Called when the candidate passed its probe, with the runtime it ran on (remembered as proven). */
  onProbePassed?: (runtime: string) => void;
  /**
   * The shadow gate, run when the version's entry has `shadow`: compares the staged candidate with
   * the serving version and judges it (problems reject at `shadowed`). Without it no gate runs.
   */
  shadow?: (key: string, spec: ModelSpec) => Promise<{ problems: string[]; note: string }>;
  /** The log records' source (default `worker`). */
  source?: UpdateLogRecord['source'];
  clock?: Clock;
}

/** Compat problems of the declaration, then of the file itself when its bytes are at hand. */
async function compatCheck(input: Pick<HotSwapInput, 'spec' | 'serving' | 'fileBytes' | 'tasks'>): Promise<string[]> {
  const { spec, tasks } = input;
  const problems = compatProblems(tasks, spec, input.serving[spec.id]);
  const contract = tasks.get(spec.task);
  if (problems.length > 0 || !input.fileBytes || !contract) return problems;
  // Unreadable storage is not the version's fault: the loader checks the file again before compiling.
  const bytes = await input.fileBytes(spec).catch(() => undefined);
  return bytes ? fileSignatureProblems(contract, spec.file, bytes) : [];
}

/**
 * Runs the swap. Resolves with runSwap's result; rejects (after a `failed` record) on a
 * transient error before the flip, in which case the old version keeps serving untouched.
 */
export async function hotSwap(input: HotSwapInput): Promise<SwapResult<string>> {
  const { pool, spec } = input;
  const candidate: Candidate = { id: spec.id, version: spec.version, sha256: spec.sha256 };
  const set = { ...input.serving, [spec.id]: spec };
  let replaced: string | null = null;
  return runSwap<string>(
    candidate,
    {
      compatCheck: () => compatCheck(input),
      create: async () => (await pool.stage([spec])).key,
      probe: async (key) => {
        const report = await pool.probe(key, spec.id);
        if (report.problems.length === 0 && report.runtime !== undefined) input.onProbePassed?.(report.runtime);
        return report.problems;
      },
      warmUp: async (key) => {
        await pool.warmUp(key);
      },
      ...(spec.file.shadow && input.shadow ? { shadow: (key: string) => input.shadow!(key, spec) } : {}),
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
}
