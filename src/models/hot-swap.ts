/**
 * @file One hot swap of one model in a running tab, as the staged update of DESIGN.md:
 * compat check (the declared signature and the file's own, before any session exists) →
 * standby worker compiles the candidate set → probe → warm-up → flip at a frame boundary (the
 * next frame goes to the standby) → drain the old worker → terminate it. The stage logic and
 * timing are runSwap's (swap-stages.ts); this module supplies the steps from an
 * {@link EnginePool}.
 */
import type { UpdateLogRecord } from '../shared/update-messages.ts';
import type { EngineInfo, ModelSpec } from '../shared/worker-api.ts';
import { fileSignatureProblems } from '../shared/onnx-signature.ts';
import { checkContract, checkLabels } from '../shared/tasks.ts';
import type { EnginePool } from './engine-pool.ts';
import { runSwap, type Candidate, type Clock, type SwapResult } from './swap-stages.ts';

/** Limits per swap stage (ms): generous, a 2-core phone compiling while it serves is slow. */
export const SWAP_TIMEOUTS = { compiling: 120_000, probed: 60_000, warmed: 60_000 } as const;

/** Error names that are not a version's fault: the swap is retried later, the version not condemned. */
const TRANSIENT = new Set(['WorkerCrashedError', 'ModelLoadError', 'StorageFullError']);

/** True for errors after which a swap should simply be retried later. */
export function isTransientSwapError(err: unknown): boolean {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' && TRANSIENT.has(name);
}

/** Problems that reject a candidate before any session is created. */
export function compatProblems(spec: ModelSpec, serving: ModelSpec | undefined): string[] {
  const problems = [
    ...checkContract(spec.task, spec.file.inputs, spec.file.outputs),
    ...checkLabels(spec.task, spec.file.labels),
  ];
  if (serving && serving.task !== spec.task)
    problems.push(`it serves the ${spec.task} task, the version it replaces serves ${serving.task}`);
  return problems;
}

/** What one swap needs. */
export interface HotSwapInput<H> {
  pool: EnginePool<H>;
  /** The set the serving worker runs now. */
  serving: Record<string, ModelSpec>;
  spec: ModelSpec;
  /** Called with each stage record as it happens (the flip's `serving` record included). */
  emit: (record: UpdateLogRecord) => void;
  /** Called synchronously at the flip with the new worker, its set and its engine info. */
  flipped: (handle: H, set: Record<string, ModelSpec>, info: EngineInfo) => void;
  /**
   * The candidate's stored bytes (undefined when not stored yet): the compat check reads the
   * file's real signature from them, so a file that does not match its manifest entry is
   * rejected before a session is created. Without bytes only the declaration is checked, and the
   * worker's loader checks the file before it compiles.
   */
  fileBytes?: (spec: ModelSpec) => Promise<Uint8Array | undefined>;
  clock?: Clock;
}

/** Compat problems of the declaration, then of the file itself when its bytes are at hand. */
async function compatCheck(input: Pick<HotSwapInput<unknown>, 'spec' | 'serving' | 'fileBytes'>): Promise<string[]> {
  const { spec } = input;
  const problems = compatProblems(spec, input.serving[spec.id]);
  if (problems.length > 0 || !input.fileBytes) return problems;
  // Unreadable storage is not the version's fault: the loader checks the file again before compiling.
  const bytes = await input.fileBytes(spec).catch(() => undefined);
  return bytes ? fileSignatureProblems(spec.task, spec.file, bytes) : [];
}

/**
 * Runs the swap. Resolves with runSwap's result; rejects (after a `failed` record) on a
 * transient error before the flip, in which case the old worker keeps serving untouched.
 */
export async function hotSwap<H>(input: HotSwapInput<H>): Promise<SwapResult<H>> {
  const { pool, spec } = input;
  const candidate: Candidate = { id: spec.id, version: spec.version, sha256: spec.sha256 };
  const set = { ...input.serving, [spec.id]: spec };
  let info: EngineInfo | null = null;
  let old: H | null = null;
  return runSwap<H>(
    candidate,
    {
      compatCheck: () => compatCheck(input),
      create: () => pool.spawn(set),
      probe: async (h) => (await pool.probe(h, spec.id)).problems,
      warmUp: async (h) => {
        info = await pool.warmUp(h);
      },
      flip: (h) => {
        old = pool.flip(h);
        input.flipped(h, set, info!);
      },
      drain: () => (old ? pool.drain(old) : Promise.resolve()),
      release: () => (old ? pool.release(old) : Promise.resolve()),
      discard: (h) => pool.release(h),
    },
    { timeouts: SWAP_TIMEOUTS, transient: isTransientSwapError, emit: input.emit, clock: input.clock },
  );
}
