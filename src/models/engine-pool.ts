/**
 * @file What the model manager needs from whatever runs inference: start a worker on a set of
 * versions (off the hot path), probe and warm it, flip serving to it at a frame boundary, wait
 * for in-flight work on the old one and end it. The browser implementation is the inference
 * bridge (src/inference/client); tests use a fake. `H` is an opaque worker handle.
 */
import type { EngineInfo, ModelSpec, ProbeReport, ProgressListener } from '../shared/worker-api.ts';

/** The inference workers as the model manager drives them. */
export interface EnginePool<H> {
  /** Starts a worker that loads (cache, else registry) and compiles `models`; does not serve yet. */
  spawn(models: Record<string, ModelSpec>, onProgress?: ProgressListener): Promise<H>;
  /** Runs one model's manifest probe on the worker. */
  probe(handle: H, id: string): Promise<ProbeReport>;
  /** Warm-up runs; resolves with the worker's engine info. */
  warmUp(handle: H, onProgress?: ProgressListener): Promise<EngineInfo>;
  /** Atomically makes `handle` the serving worker (the next frame goes to it); returns the one it replaced. */
  flip(handle: H): H | null;
  /** Resolves when no call and no photo batch is using `handle` any more. */
  drain(handle: H): Promise<void>;
  /** Ends the worker (its WebAssembly memory goes back to the system). */
  release(handle: H): Promise<void>;
}

/** How a run on the serving worker ended, for the runtime health check. */
export type RunOutcome = { ok: true } | { ok: false; error: unknown };
