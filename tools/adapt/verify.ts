/**
 * @file The last check before adapt-model writes anything: the wrapped model must load and run
 * in onnxruntime-web (the app's runtime) on a mid-grey image and give finite outputs. This is
 * what catches a raw graph that a raised opset no longer accepts, or a splice the runtime
 * rejects, before the file reaches a registry.
 */
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import type { TensorData, TensorSpec } from '../../src/shared/tensor.ts';
import { AdaptError } from './raw-model.ts';

/**
 * Loads `bytes` in onnxruntime-web and runs it once; throws {@link AdaptError} when that fails.
 * `opset` says whether the wrapper raised the model's opset, the likely cause of a failure.
 */
export async function checkWrappedRuns(
  bytes: Uint8Array,
  input: TensorSpec,
  opset: { from: number | null; to: number },
): Promise<void> {
  const cause =
    opset.from !== null && opset.to > opset.from
      ? `the raw export's operators may not exist in opset ${opset.to}, to which its opset ${opset.from} was raised; re-export it with opset ${opset.to} or later`
      : 'the raw export itself may not run there';
  const fail = (what: string, err: unknown): AdaptError =>
    new AdaptError(`the wrapped model ${what} in onnxruntime-web (${(err as Error).message.split('\n')[0]}); ${cause}`);
  let model: OrtModel;
  try {
    model = await OrtModel.create(bytes);
  } catch (err) {
    throw fail('does not load', err);
  }
  try {
    const dims = input.dims.map((d) => (typeof d === 'number' ? d : 1));
    const grey: TensorData = {
      type: 'float32',
      dims,
      data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(128),
    };
    let outputs: Record<string, TensorData>;
    try {
      outputs = await model.run({ [input.name]: grey });
    } catch (err) {
      throw fail('fails to run', err);
    }
    for (const [name, t] of Object.entries(outputs)) {
      if (t.data instanceof Float32Array && t.data.some((v) => !Number.isFinite(v))) {
        throw new AdaptError(`the wrapped model gives non-finite values in output "${name}" on a grey image`);
      }
    }
  } finally {
    await model.release();
  }
}
