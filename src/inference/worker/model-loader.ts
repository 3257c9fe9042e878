/**
 * @file Loads the serving models: manifest → bytes → checks → session → warm-up. Where the
 * bytes come from is behind {@link ModelSource} (today: the same-origin registry over HTTP,
 * http-source.ts; the IndexedDB cache and service-worker hot swap of a later issue plug in there). Checks run
 * before a session is created: exact byte size, SHA-256 against the manifest, and the task
 * contract on the declared signature (again on the signature read from the file).
 */
import { OrtModel } from '../engine/ort-engine.ts';
import { checkContract } from '../../shared/tasks.ts';
import type { Manifest, ModelFile, ModelVersion, TaskId } from '../../shared/manifest-types.ts';
import type { TensorData, TensorSpec } from '../../shared/tensor.ts';
import type { Backend, LoadProgress } from '../../shared/worker-api.ts';
import { ModelContractError, ModelIntegrityError, ModelLoadError } from '../../shared/errors.ts';

/** Where manifest and model bytes come from; the later IndexedDB cache implements this too. */
export interface ModelSource {
  manifest(): Promise<Manifest>;
  /** The bytes of one file; `onBytes` reports download progress. */
  blob(file: ModelFile, onBytes: (loaded: number, total: number) => void): Promise<Uint8Array>;
  /** A registry asset such as a probe image (path relative to the registry root). */
  asset(path: string): Promise<Blob>;
}

/** The pipeline roles and the registry ids that fill them. */
export const ROLE_IDS = {
  detector: 'face-detector',
  attributes: 'face-attributes',
  expression: 'face-expression',
} as const;

/** A pipeline role. */
export type Role = keyof typeof ROLE_IDS;

/** A compiled, checked, warmed-up model. */
export interface LoadedModel {
  id: string;
  version: string;
  task: TaskId;
  /** The manifest entry (size, digest, labels) of the loaded version. */
  file: ModelVersion;
  model: OrtModel;
  compileMs: number;
  warmupMs: number;
}

/** One loaded model per role. */
export type ModelSet = Record<Role, LoadedModel>;

/** Lower-case hex SHA-256 of `bytes` (WebCrypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
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

interface LoadOptions {
  backend: Backend;
  onProgress: (p: LoadProgress) => void;
}

async function loadOne(source: ModelSource, manifest: Manifest, id: string, opts: LoadOptions): Promise<LoadedModel> {
  const entry = manifest.models[id];
  if (!entry) throw new ModelLoadError(id, 'the manifest has no such model');
  const version = entry.stable;
  const file = entry.versions[version];
  const what = `${id}@${version}`;
  if (!file) throw new ModelLoadError(what, 'the manifest lists no such version');
  const declared = checkContract(entry.task, file.inputs, file.outputs);
  if (declared.length) throw new ModelContractError(what, declared);

  let bytes: Uint8Array;
  try {
    bytes = await source.blob(file, (loaded, total) =>
      opts.onProgress({ status: 'download', id, version, loaded, total }),
    );
  } catch (err) {
    throw (err as Error).name === 'ModelLoadError' ? err : new ModelLoadError(what, (err as Error).message);
  }
  opts.onProgress({ status: 'verify', id, version });
  if (bytes.byteLength !== file.bytes) {
    throw new ModelIntegrityError(what, `${bytes.byteLength} bytes, the manifest says ${file.bytes}`);
  }
  const digest = await sha256Hex(bytes);
  if (digest !== file.sha256) throw new ModelIntegrityError(what, `SHA-256 ${digest.slice(0, 12)}… ≠ manifest`);

  opts.onProgress({ status: 'compile', id, version });
  const t0 = performance.now();
  let model: OrtModel;
  try {
    model = await OrtModel.create(bytes, { executionProvider: opts.backend });
  } catch (err) {
    throw new ModelLoadError(what, `session creation failed (${(err as Error).message})`);
  }
  const compileMs = performance.now() - t0;
  const actual = checkContract(entry.task, model.inputs, model.outputs);
  if (actual.length) {
    await model.release();
    throw new ModelContractError(what, actual);
  }

  // One dummy run so the first real frame does not pay for kernel selection and allocation.
  opts.onProgress({ status: 'warmup', id, version });
  const t1 = performance.now();
  await model.run(zeroFeeds(model.inputs));
  return { id, version, task: entry.task, file, model, compileMs, warmupMs: performance.now() - t1 };
}

/** Loads, verifies, compiles and warms up one model per role; releases what loaded if any fails. */
export async function loadModelSet(source: ModelSource, opts: LoadOptions & { registryUrl: string }) {
  opts.onProgress({ status: 'manifest', url: new URL('manifest.json', opts.registryUrl).href });
  const manifest = await source.manifest();
  const loaded: LoadedModel[] = [];
  try {
    // Sequential: sessions share one WASM instance, and the progress reads as a list.
    for (const id of Object.values(ROLE_IDS)) loaded.push(await loadOne(source, manifest, id, opts));
  } catch (err) {
    await Promise.allSettled(loaded.map((m) => m.model.release()));
    throw err;
  }
  const [detector, attributes, expression] = loaded as [LoadedModel, LoadedModel, LoadedModel];
  return { manifest, models: { detector, attributes, expression } satisfies ModelSet };
}
