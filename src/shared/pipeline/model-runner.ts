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
}
