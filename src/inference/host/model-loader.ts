/**
 * @file Loads one model version into a host: bytes (cache-source.ts: IndexedDB, else the
 * registry) → checks → session. Checks run before a session is created: the task contract on
 * the manifest's declared signature, exact byte size and SHA-256 against the manifest, and the
 * signature read from the ONNX bytes against both; the contract again on the signature the
 * runtime reports once it compiled. Warm-up is separate (`warmModel`) so a swap can report
 * compile and warm-up as two stages.
 */
import { OrtModel } from '../engine/ort-engine.ts';
import { sha256Hex } from '../../models/common/integrity.ts';
import { fileSignatureProblems } from '../../shared/onnx-signature.ts';
import { checkLabelList, checkSignature, type TaskContract } from '../../shared/tasks.ts';
import type { TensorData, TensorSpec } from '../../shared/tensor.ts';
import type { Backend, LoadProgress, ModelSpec } from '../../shared/worker-api.ts';
import { ModelCompileError, ModelContractError, ModelIntegrityError, ModelLoadError } from '../../shared/errors.ts';
import type { ModelSource, SourcedBytes } from '../../models/cache/cache-source.ts';

/** A compiled, checked model. */
export interface LoadedModel {
  spec: ModelSpec;
  model: OrtModel;
  origin: SourcedBytes['origin'];
  compileMs: number;
}

/** Options of {@link loadModel}. */
export interface LoadOptions {
  backend: Backend;
  /** The contract of the version's task (plain data from the pipeline worker's features). */
  contract: TaskContract;
  onProgress: (p: LoadProgress) => void;
}

/** Zero-filled feeds for every input; symbolic dims become 1 (one face in a batch). */
export function zeroFeeds(inputs: readonly TensorSpec[]): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const spec of inputs) {
    const dims = spec.dims.map((d) => (typeof d === 'number' ? d : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    if (spec.type !== 'float32') throw new Error(`warm-up supports float32 inputs, "${spec.name}" is ${spec.type}`);
    feeds[spec.name] = { type: 'float32', dims, data: new Float32Array(size) };
  }
  return feeds;
}

/** Problems with a version's declared signature and labels, found before any byte is read. */
export function declaredProblems(spec: ModelSpec, contract: TaskContract): string[] {
  return [
    ...checkSignature(contract, spec.file.inputs, spec.file.outputs),
    ...checkLabelList(contract, spec.file.labels, spec.file.outputs),
  ];
}

/** Reads, verifies and compiles one version. */
export async function loadModel(source: ModelSource, spec: ModelSpec, opts: LoadOptions): Promise<LoadedModel> {
  const { id, version, file } = spec;
  const what = `${id}@${version}`;
  if (opts.contract.id !== spec.task)
    throw new ModelContractError(what, [`it serves ${spec.task}, the contract given is ${opts.contract.id}`]);
  const declared = declaredProblems(spec, opts.contract);
  if (declared.length) throw new ModelContractError(what, declared);
  if (file.sha256 !== spec.sha256) throw new ModelIntegrityError(what, 'the manifest entry names other bytes');

  let sourced;
  try {
    sourced = await source.bytes(spec, (loaded, total) =>
      opts.onProgress({ status: 'download', id, version, loaded, total }),
    );
  } catch (err) {
    const name = (err as Error).name;
    throw name === 'ModelLoadError' || name === 'ModelIntegrityError'
      ? err
      : new ModelLoadError(what, (err as Error).message);
  }
  const { bytes } = sourced;
  opts.onProgress({ status: 'verify', id, version });
  if (bytes.byteLength !== file.bytes) {
    throw new ModelIntegrityError(what, `${bytes.byteLength} bytes, the manifest says ${file.bytes}`);
  }
  const digest = await sha256Hex(bytes);
  if (digest !== file.sha256)
    throw new ModelIntegrityError(what, `sha256 mismatch: ${digest.slice(0, 12)}… ≠ manifest`);

  // The file's real signature, before a session exists (the manifest only says what it should be).
  const inFile = fileSignatureProblems(opts.contract, file, bytes);
  if (inFile.length) throw new ModelContractError(what, inFile);

  opts.onProgress({ status: 'compile', id, version });
  const t0 = performance.now();
  let model: OrtModel;
  try {
    model = await OrtModel.create(bytes, { executionProvider: opts.backend });
  } catch (err) {
    throw new ModelCompileError(what, (err as Error).message);
  }
  const compileMs = performance.now() - t0;
  const actual = checkSignature(opts.contract, model.inputs, model.outputs);
  if (actual.length) {
    await model.release();
    throw new ModelContractError(what, actual);
  }
  return { spec, model, origin: sourced.origin, compileMs };
}

/** One dummy run so the first real input does not pay for kernel selection and allocation; returns ms. */
export async function warmModel(model: OrtModel): Promise<number> {
  const t0 = performance.now();
  await model.run(zeroFeeds(model.inputs));
  return performance.now() - t0;
}
