/**
 * @file What the model manager needs from whatever runs inference: stage versions off the hot
 * path (load and compile them where serving runs never wait on it), probe and warm them, flip
 * them into serving between two analyses, retire models no feature needs, wait for in-flight
 * work on replaced sessions and release them. The browser implementation is the inference
 * bridge (src/inference/client); tests use a fake. Sets of sessions are named by string keys.
 */
import type { EngineInfo, ModelSpec, ProbeReport, ProgressListener, StagedSet } from '../../shared/worker-api.ts';

/** The inference engine as the model manager drives it. */
export interface EnginePool {
  /** Loads (cache, else registry) and compiles `models` together; they do not serve yet. */
  stage(models: ModelSpec[], onProgress?: ProgressListener): Promise<StagedSet>;
  /** Runs one staged model's manifest probe. */
  probe(key: string, id: string): Promise<ProbeReport>;
  /** Warm-up runs of a staged set. */
  warmUp(key: string, onProgress?: ProgressListener): Promise<StagedSet>;
  /** Atomically makes a staged set serve (the next analysis uses it); returns the key of what it replaced. */
  flip(key: string): Promise<string | null>;
  /** Stops serving these models; returns the key of their sessions. */
  retire(ids: readonly string[]): Promise<string | null>;
  /** Resolves when no analysis and no photo batch uses the sessions of `key` any more. */
  drain(key: string): Promise<void>;
  /** Frees the sessions of `key` (its host's WebAssembly memory goes back when the host is empty). */
  release(key: string): Promise<void>;
  /** Engine state (backend, serving models). */
  info(): Promise<EngineInfo>;
}

/** How a run on the serving engine ended, for the runtime health check. */
export type RunOutcome = { ok: true } | { ok: false; error: unknown };
