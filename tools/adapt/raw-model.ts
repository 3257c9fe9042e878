/**
 * @file What both wrappers check on a raw export before adding anything: one float32 NCHW
 * image input of a fixed square size, one output, and names that leave room for the ones the
 * wrapper adds. Refusals are {@link AdaptError}s whose message is one sentence saying what the
 * file has and what would fit.
 */
import type { Dim, TensorSpec } from '../../src/shared/tensor.ts';
import type { OnnxModel } from './onnx-splice.ts';

/** A raw model or option adapt-model refuses; the message is one sentence. */
export class AdaptError extends Error {
  override name = 'AdaptError';
}

/**
 * Prefix of the value and initializer names adapt-model adds, apart from the new input and the
 * contract's output names, so they stay clear of the raw graph's (a clash is still refused).
 */
export const ADDED = 'hotlens_adapt';

/** `float32 [1,3,640,640]`, for messages. */
export function describeSpec(spec: Pick<TensorSpec, 'type' | 'dims'>): string {
  return `${spec.type} [${spec.dims.join(',')}]`;
}

/** The raw model's image input and its square size. */
export interface ImageInput {
  spec: TensorSpec;
  size: number;
  /** The batch dimension as declared (a number or a symbolic name). */
  batch: Dim;
}

/** Checks the raw model has exactly one input, float32 [b,3,S,S] with a fixed S; `expected` describes the export. */
export function squareImageInput(model: OnnxModel, expected: string): ImageInput {
  const { inputs } = model.signature;
  if (inputs.length !== 1) {
    throw new AdaptError(
      `the model has ${inputs.length} inputs (${inputs.map((i) => `"${i.name}"`).join(', ')}); ${expected}`,
    );
  }
  const spec = inputs[0]!;
  const d = spec.dims;
  if (spec.type !== 'float32' || d.length !== 4 || (typeof d[1] === 'number' && d[1] !== 3)) {
    throw new AdaptError(`input "${spec.name}" is ${describeSpec(spec)}; ${expected}`);
  }
  const [, , h, w] = d;
  if (typeof h !== 'number' || typeof w !== 'number') {
    throw new AdaptError(
      `input "${spec.name}" has a symbolic image size (${describeSpec(spec)}); re-export with a fixed square size`,
    );
  }
  if (h !== w) {
    throw new AdaptError(`input "${spec.name}" is ${h}x${w}; hotlens models take a square input, re-export it square`);
  }
  return { spec, size: h, batch: d[0]! };
}

/** The only output of the raw model. */
export function singleOutput(model: OnnxModel, expected: string): TensorSpec {
  const { outputs } = model.signature;
  if (outputs.length !== 1) {
    throw new AdaptError(
      `the model has ${outputs.length} outputs (${outputs.map((o) => `"${o.name}"`).join(', ')}); ${expected}`,
    );
  }
  return outputs[0]!;
}

/** A name for the new image input: `image`, unless the raw graph already uses it. */
export function newInputName(model: OnnxModel): string {
  return model.names.has('image') ? `${ADDED}/image` : 'image';
}

/** Refuses when the raw graph already uses one of the output names the contract fixes. */
export function checkOutputNamesFree(model: OnnxModel, names: readonly string[]): void {
  const taken = names.find((n) => model.names.has(n));
  if (taken !== undefined) {
    throw new AdaptError(
      `the raw model already has a value named "${taken}", which the wrapped model must use for its own output; rename it in the export`,
    );
  }
}
