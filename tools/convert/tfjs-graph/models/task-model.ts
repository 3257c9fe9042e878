/**
 * @file What a model-specific wrapper hands the registry build: the ONNX bytes plus what the
 * manifest needs to describe them (labels, provenance, the square input size, and what its
 * pre-processing adds to the task's default description).
 */
import type { Preprocess } from '../../../../src/shared/manifest-types.ts';

/** A TF.js graph model converted to a hotlens task contract. */
export interface ConvertedTaskModel {
  onnx: Uint8Array;
  /** Class names in output order. */
  labels: string[];
  /** Provenance sentence: package, version, licence, what was done to it. */
  source: string;
  /** Side of the square input the model takes (pixels). */
  inputSize: number;
  /**
   * Pre-processing that differs from its task's default (a stretched detector input, a crop
   * cut another way); also stored in the ONNX metadata as `preprocess` (JSON) for publish-model.
   */
  preprocess?: Pick<Preprocess, 'fit' | 'crop'>;
}
