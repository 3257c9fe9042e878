/**
 * @file The one thing the pipeline needs from a model: its declared signature and a run
 * method on plain-data tensors. OrtModel satisfies it; tests use small hand-built models.
 */
import type { TensorData, TensorSpec } from '../tensor.ts';

/** A loaded model the pipeline can run. */
export interface ModelRunner {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  /**
   * A float32 array of `length` to build one input in, for a runner that recycles its input
   * memory (the worker's: writing a fresh 2 MB detector input cost about 7 ms of page faults).
   * Fill every element, pass it to `run` once, and do not touch it afterwards: the runner may send
   * it away without a copy.
   */
  inputArray?(length: number): Float32Array;
}

/** An array for one input of `runner`: recycled memory where the runner lends it, else fresh. */
export function inputArrayFor(runner: ModelRunner, length: number): Float32Array {
  return runner.inputArray?.(length) ?? new Float32Array(length);
}
