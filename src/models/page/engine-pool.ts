/**
 * @file What the model manager needs from whatever runs inference: stage versions off the hot
 * path (load and compile them where serving runs never wait on it), probe and warm them, flip
 * them into serving between two analyses, retire models no feature needs, wait for in-flight
 * work on replaced sessions and release them. These are the worker API's own lifecycle methods
 * (src/shared/worker-api.ts); the browser implementation is the inference bridge
 * (src/inference/client), tests use a fake. Sets of sessions are named by string keys.
 */
import type { WorkerApi } from '../../shared/worker-api.ts';

/** The inference engine as the model manager drives it. */
export type EnginePool = Pick<
  WorkerApi,
  'fileProblems' | 'stage' | 'probe' | 'warmUp' | 'flip' | 'retire' | 'drain' | 'release' | 'info'
>;

/** How a run on the serving engine ended, for the runtime health check. */
export type RunOutcome = { ok: true } | { ok: false; error: unknown };
