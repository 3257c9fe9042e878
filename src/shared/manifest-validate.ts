/**
 * @file Validation of the registry manifest (schema 1). Everything that reads a manifest
 * (service worker, inference worker, Node tools) goes through {@link parseManifest}, so an
 * off-schema or inconsistent manifest is rejected in one place with a message that names the
 * offending field, instead of failing later deep inside an update. Names and values from the
 * manifest are quoted through untrustedText (short, no control or bidi characters).
 *
 * Models of a task this build knows are checked against its contract (signature, labels,
 * pre-processing size); a model of a task it does not know (published for a newer app) is
 * checked for structure only, kept, and never served here, so a new feature in the registry
 * does not make older clients refuse the whole manifest.
 */
import type {
  Canary,
  Manifest,
  ManifestDocument,
  ManifestSignature,
  ModelEntry,
  ModelFile,
  ModelVersion,
  Preprocess,
  Probe,
  ShadowGate,
} from './manifest-types.ts';
import type { Dim, TensorSpec, TensorType } from './tensor.ts';
import { CropError, parseBoxCrop } from './manifest-crop.ts';
import { checkGroups, GroupProblem } from './manifest-groups.ts';
import { isValid as isSemver } from './semver.ts';
import { squareInputSize, type TaskRegistry } from './tasks.ts';
import { untrustedText } from './untrusted-text.ts';

/** A manifest that does not match schema 1; `path` names the bad field (e.g. `models["face-detector"].stable`). */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`invalid manifest: ${path} ${problem}`);
  }
}

/** Model ids and variant keys: lowercase words joined by "-" (they appear in URLs and cache keys). */
export const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** Probe image paths: a PNG directly under `probe/` (no path tricks). */
export const PROBE_IMAGE_PATTERN = /^probe\/[A-Za-z0-9][A-Za-z0-9._-]*\.png$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const TENSOR_TYPES: readonly TensorType[] = ['float32', 'int64', 'int32', 'uint8', 'bool'];

/** The largest probe image a manifest may name (8 MiB; the shipped ones are under 100 KB). */
export const MAX_PROBE_BYTES = 8 * 1024 * 1024;

/** The registry-relative blob path of a sha256. */
export function blobPathFor(sha256: string): string {
  return `blobs/sha256-${sha256}.onnx`;
}

type Obj = Record<string, unknown>;

function present(v: unknown, path: string): void {
  if (v === undefined) throw new ManifestError(path, 'is missing');
}

function key(path: string, k: string): string {
  const shown = untrustedText(k);
  return shown === k && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(shown)}]`;
}

/** A value of any JSON type, as a refusal quotes it. */
function shownValue(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return typeof v === 'string' ? `"${untrustedText(v)}"` : String(v);
}

function object(v: unknown, path: string, allowed: readonly string[]): Obj {
  present(v, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ManifestError(path, 'must be an object');
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k))
      throw new ManifestError(key(path, k), `is not a schema 1 field (allowed: ${allowed.join(', ')})`);
  }
  return v as Obj;
}

function record(v: unknown, path: string): Obj {
  present(v, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ManifestError(path, 'must be an object');
  return v as Obj;
}

function string(v: unknown, path: string): string {
  present(v, path);
  if (typeof v !== 'string' || v.length === 0) throw new ManifestError(path, 'must be a non-empty string');
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  present(v, path);
  if (typeof v !== 'string' || !options.includes(v as T)) {
    throw new ManifestError(path, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  return v as T;
}

function finite(v: unknown, path: string): number {
  present(v, path);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ManifestError(path, 'must be a finite number');
  return v;
}

function positiveInt(v: unknown, path: string): number {
  present(v, path);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new ManifestError(path, 'must be a positive integer');
  return v;
}

function array(v: unknown, path: string): unknown[] {
  present(v, path);
  if (!Array.isArray(v)) throw new ManifestError(path, 'must be an array');
  return v;
}

function triple(v: unknown, path: string, positive: boolean): [number, number, number] {
  const a = array(v, path);
  if (a.length !== 3) throw new ManifestError(path, 'must have 3 values (r, g, b)');
  const out = a.map((x, i) => finite(x, `${path}[${i}]`)) as [number, number, number];
  if (positive && out.some((x) => x <= 0)) throw new ManifestError(path, 'values must be positive');
  return out;
}

function tensorSpecs(v: unknown, path: string): TensorSpec[] {
  const a = array(v, path);
  if (a.length === 0) throw new ManifestError(path, 'must list at least one tensor');
  const names = new Set<string>();
  return a.map((item, i) => {
    const p = `${path}[${i}]`;
    const o = object(item, p, ['name', 'type', 'dims']);
    const name = string(o.name, `${p}.name`);
    if (names.has(name)) throw new ManifestError(`${p}.name`, `repeats "${untrustedText(name)}"`);
    names.add(name);
    const type = oneOf(o.type, `${p}.type`, TENSOR_TYPES);
    const dims = array(o.dims, `${p}.dims`).map((d, j): Dim => {
      if (typeof d === 'string' && d.length > 0) return d;
      if (typeof d === 'number' && Number.isSafeInteger(d) && d >= 1) return d;
      throw new ManifestError(`${p}.dims[${j}]`, 'must be a positive integer or a symbolic name');
    });
    return { name, type, dims };
  });
}

function probe(v: unknown, path: string, outputs: readonly TensorSpec[]): Probe {
  const o = object(v, path, ['image', 'sha256', 'bytes', 'expect', 'tolerance']);
  const image = string(o.image, `${path}.image`);
  if (!PROBE_IMAGE_PATTERN.test(image))
    throw new ManifestError(`${path}.image`, 'must be a PNG path of the form probe/<name>.png');
  const sha256 = string(o.sha256, `${path}.sha256`);
  if (!SHA256.test(sha256)) throw new ManifestError(`${path}.sha256`, 'must be 64 lowercase hex characters');
  const bytes = positiveInt(o.bytes, `${path}.bytes`);
  if (bytes > MAX_PROBE_BYTES)
    throw new ManifestError(`${path}.bytes`, `must be at most ${MAX_PROBE_BYTES} (a probe image is a small PNG)`);
  const expectIn = record(o.expect, `${path}.expect`);
  const expect: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(expectIn)) {
    const p = key(`${path}.expect`, name);
    if (!outputs.some((out) => out.name === name)) throw new ManifestError(p, 'is not an output of this model');
    expect[name] = array(values, p).map((x, i) => finite(x, `${p}[${i}]`));
  }
  if (Object.keys(expect).length === 0) throw new ManifestError(`${path}.expect`, 'must name at least one output');
  const tolerance = finite(o.tolerance, `${path}.tolerance`);
  if (tolerance < 0) throw new ManifestError(`${path}.tolerance`, 'must not be negative');
  return { image, sha256, bytes, expect, tolerance };
}

function preprocess(v: unknown, path: string): Preprocess {
  const o = object(v, path, ['size', 'pad', 'fit', 'channels', 'layout', 'scale', 'mean', 'std', 'resize', 'crop']);
  const scale = finite(o.scale, `${path}.scale`);
  if (scale <= 0) throw new ManifestError(`${path}.scale`, 'must be positive');
  const pre: Preprocess = {
    size: positiveInt(o.size, `${path}.size`),
    pad: oneOf(o.pad, `${path}.pad`, ['bottom-right', 'centre'] as const),
    channels: oneOf(o.channels, `${path}.channels`, ['rgb'] as const),
    layout: oneOf(o.layout, `${path}.layout`, ['nchw'] as const),
    scale,
    mean: triple(o.mean, `${path}.mean`, false),
    std: triple(o.std, `${path}.std`, true),
    resize: oneOf(o.resize, `${path}.resize`, ['bilinear-asymmetric', 'bilinear-align-corners'] as const),
  };
  // Optional, so manifests written before it keep their exact canonical form (and signature).
  if (o.fit !== undefined) pre.fit = oneOf(o.fit, `${path}.fit`, ['letterbox', 'stretch'] as const);
  if (o.crop !== undefined) {
    try {
      pre.crop = parseBoxCrop(o.crop);
    } catch (err) {
      if (!(err instanceof CropError)) throw err;
      throw new ManifestError(`${path}.crop${err.field}`, err.message);
    }
  }
  return pre;
}

/** The most live frames a shadow gate may ask for (at a few compared frames a second, minutes). */
export const MAX_SHADOW_FRAMES = 1000;

function shadowGate(v: unknown, path: string): ShadowGate {
  const o = object(v, path, ['frames', 'minAgreement']);
  const frames = positiveInt(o.frames, `${path}.frames`);
  if (frames > MAX_SHADOW_FRAMES) throw new ManifestError(`${path}.frames`, `must be at most ${MAX_SHADOW_FRAMES}`);
  const minAgreement = finite(o.minAgreement, `${path}.minAgreement`);
  if (minAgreement < 0 || minAgreement > 1) throw new ManifestError(`${path}.minAgreement`, 'must be between 0 and 1');
  return { frames, minAgreement };
}

const FILE_FIELDS = ['blob', 'sha256', 'bytes', 'encoding', 'inputs', 'outputs', 'probe'] as const;

/** What validating one model entry needs: its task and the contracts this build knows. */
interface TaskCheck {
  task: string;
  tasks: TaskRegistry | undefined;
}

function modelFile(o: Obj, path: string, t: TaskCheck): ModelFile {
  const sha256 = string(o.sha256, `${path}.sha256`);
  if (!SHA256.test(sha256)) throw new ManifestError(`${path}.sha256`, 'must be 64 lowercase hex characters');
  const blob = string(o.blob, `${path}.blob`);
  if (blob !== blobPathFor(sha256))
    throw new ManifestError(`${path}.blob`, `must be "${blobPathFor(sha256)}" (named by its sha256)`);
  const inputs = tensorSpecs(o.inputs, `${path}.inputs`);
  const outputs = tensorSpecs(o.outputs, `${path}.outputs`);
  const contract = t.tasks?.get(t.task);
  const problems = contract ? t.tasks!.checkContract(t.task, inputs, outputs) : [];
  if (problems.length > 0)
    throw new ManifestError(`${path}.inputs/outputs`, `do not fit the ${t.task} contract: ${problems.join('; ')}`);
  return {
    blob,
    sha256,
    bytes: positiveInt(o.bytes, `${path}.bytes`),
    encoding: oneOf(o.encoding, `${path}.encoding`, ['float32', 'float16', 'uint8'] as const),
    inputs,
    outputs,
    probe: probe(o.probe, `${path}.probe`, outputs),
  };
}

function sizedFile(o: Obj, path: string, t: TaskCheck): ModelFile & { preprocess: Preprocess } {
  const file = modelFile(o, path, t);
  const pre = preprocess(o.preprocess, `${path}.preprocess`);
  const declared = t.tasks?.has(t.task) ? squareInputSize(file.inputs) : null;
  if (declared !== null && declared !== pre.size) {
    throw new ManifestError(`${path}.preprocess.size`, `is ${pre.size} but the model input is ${declared}×${declared}`);
  }
  return { ...file, preprocess: pre };
}

function modelVersion(v: unknown, path: string, t: TaskCheck): ModelVersion {
  const o = object(v, path, [...FILE_FIELDS, 'preprocess', 'labels', 'source', 'variants', 'shadow', 'group']);
  const file = sizedFile(o, path, t);
  let labels: string[] | null = null;
  if (o.labels !== null) labels = array(o.labels, `${path}.labels`).map((l, i) => string(l, `${path}.labels[${i}]`));
  const labelProblems = t.tasks?.has(t.task) ? t.tasks.checkLabels(t.task, labels, file.outputs) : [];
  if (labelProblems.length > 0)
    throw new ManifestError(`${path}.labels`, `do not fit the ${t.task} contract: ${labelProblems.join('; ')}`);
  const version: ModelVersion = { ...file, labels, source: string(o.source, `${path}.source`) };
  if (o.group !== undefined) {
    const group = string(o.group, `${path}.group`);
    if (!ID_PATTERN.test(group))
      throw new ManifestError(`${path}.group`, 'is not a valid group name (lowercase words joined by "-")');
    version.group = group;
  }
  if (o.variants !== undefined) {
    const variants: NonNullable<ModelVersion['variants']> = {};
    for (const [name, item] of Object.entries(record(o.variants, `${path}.variants`))) {
      const p = key(`${path}.variants`, name);
      if (!ID_PATTERN.test(name))
        throw new ManifestError(p, 'is not a valid variant key (lowercase words joined by "-")');
      variants[name] = sizedFile(object(item, p, [...FILE_FIELDS, 'preprocess']), p, t);
    }
    version.variants = variants;
  }
  if (o.shadow !== undefined) {
    // A shadow gate compares one model with its serving version; a group swaps as one set.
    if (version.group !== undefined)
      throw new ManifestError(`${path}.shadow`, 'cannot be set on a version in a group (a group swaps as one set)');
    version.shadow = shadowGate(o.shadow, `${path}.shadow`);
  }
  return version;
}

function canary(v: unknown, path: string, versions: Obj): Canary {
  const o = object(v, path, ['version', 'percent']);
  const version = string(o.version, `${path}.version`);
  if (!isSemver(version))
    throw new ManifestError(`${path}.version`, `"${untrustedText(version)}" is not a version of the form X.Y.Z`);
  if (!Object.hasOwn(versions, version))
    throw new ManifestError(`${path}.version`, `points at ${untrustedText(version)}, which is not in versions`);
  const percent = finite(o.percent, `${path}.percent`);
  if (percent < 0 || percent > 100) throw new ManifestError(`${path}.percent`, 'must be between 0 and 100');
  return { version, percent };
}

function modelEntry(v: unknown, path: string, tasks: TaskRegistry | undefined): ModelEntry {
  const o = object(v, path, ['task', 'stable', 'canary', 'versions']);
  const task = string(o.task, `${path}.task`);
  if (!ID_PATTERN.test(task))
    throw new ManifestError(`${path}.task`, 'is not a valid task id (lowercase words joined by "-")');
  const versionsIn = record(o.versions, `${path}.versions`);
  if (Object.keys(versionsIn).length === 0)
    throw new ManifestError(`${path}.versions`, 'must list at least one version');
  const versions: Record<string, ModelVersion> = {};
  for (const [ver, item] of Object.entries(versionsIn)) {
    const p = key(`${path}.versions`, ver);
    if (!isSemver(ver)) throw new ManifestError(p, 'is not a version of the form X.Y.Z');
    versions[ver] = modelVersion(item, p, { task, tasks });
  }
  const stable = string(o.stable, `${path}.stable`);
  if (!isSemver(stable))
    throw new ManifestError(`${path}.stable`, `"${untrustedText(stable)}" is not a version of the form X.Y.Z`);
  if (!Object.hasOwn(versions, stable))
    throw new ManifestError(`${path}.stable`, `points at ${untrustedText(stable)}, which is not in versions`);
  // Key order as written by the tools: task, stable, canary, versions.
  if (o.canary === undefined) return { task, stable, versions };
  return { task, stable, canary: canary(o.canary, `${path}.canary`, versions), versions };
}

function signature(v: unknown, path: string): ManifestSignature {
  const o = object(v, path, ['alg', 'keyId', 'value']);
  const value = string(o.value, `${path}.value`);
  if (!BASE64.test(value)) throw new ManifestError(`${path}.value`, 'must be base64');
  return { alg: oneOf(o.alg, `${path}.alg`, ['ES256'] as const), keyId: string(o.keyId, `${path}.keyId`), value };
}

/**
 * A probe image is one file on the registry: every probe that names it must state the same
 * digest and size, or one of them could never verify.
 */
function probeImagesAgree(models: Record<string, ModelEntry>): void {
  const first = new Map<string, Probe>();
  for (const [id, entry] of Object.entries(models)) {
    for (const [ver, version] of Object.entries(entry.versions)) {
      const at = key(`${key('models', id)}.versions`, ver);
      const files: Array<[string, ModelFile]> = [[at, version]];
      for (const [name, file] of Object.entries(version.variants ?? {}))
        files.push([key(`${at}.variants`, name), file]);
      for (const [path, file] of files) {
        const { image, sha256, bytes } = file.probe;
        const known = first.get(image);
        if (!known) first.set(image, file.probe);
        else if (known.sha256 !== sha256 || known.bytes !== bytes)
          throw new ManifestError(
            `${path}.probe`,
            `states another sha256 or size for ${untrustedText(image)} than an earlier probe of the same image`,
          );
      }
    }
  }
}

const TOP_LEVEL = ['schema', 'registry', 'serial', 'published', 'models', 'signature'] as const;

/** Deeper than any schema 1 manifest nests (about 10 levels); deeper input is refused unread. */
export const MAX_MANIFEST_DEPTH = 32;

/** True when `json` nests objects/arrays more than `max` levels deep (iterative: no stack to overflow). */
function nestsDeeper(json: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[json, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** What is known of a manifest before its signature is checked. */
export interface ManifestEnvelope {
  /** The manifest as received: what the signature covers (all but `signature`) plus a well-formed `signature`. */
  document: ManifestDocument;
  /** `serial` when it is a positive integer (for the replay check), else undefined. */
  serial: number | undefined;
  /** `registry` when it is a well-formed identity (whose replay floor applies), else undefined. */
  registry: string | undefined;
}

/**
 * The cheap checks that come before the signature (so unsigned input is never validated in
 * depth): an object with schema 1 top-level fields only, a well-formed `signature` when there
 * is one, and no deeper nesting than {@link MAX_MANIFEST_DEPTH} (canonical JSON, which the
 * signature covers, is computed recursively). Throws {@link ManifestError}.
 */
export function parseEnvelope(json: unknown): ManifestEnvelope {
  const o = object(json, 'manifest', TOP_LEVEL);
  if (nestsDeeper(o, MAX_MANIFEST_DEPTH)) {
    throw new ManifestError(
      'manifest',
      `nests deeper than ${MAX_MANIFEST_DEPTH} levels, which no schema 1 manifest does`,
    );
  }
  const document: ManifestDocument = { ...o };
  if (o.signature !== undefined) document.signature = signature(o.signature, 'signature');
  const serial = typeof o.serial === 'number' && Number.isSafeInteger(o.serial) && o.serial >= 1 ? o.serial : undefined;
  const registry = typeof o.registry === 'string' && ID_PATTERN.test(o.registry) ? o.registry : undefined;
  return { document, serial, registry };
}

/**
 * Validates parsed JSON as a schema 1 manifest and returns a clean copy. Throws
 * {@link ManifestError} naming the first bad field. Does not verify the signature. With
 * `tasks`, models of known tasks are checked against their contracts as well.
 */
export function parseManifest(json: unknown, tasks?: TaskRegistry): Manifest {
  const o = object(json, 'manifest', TOP_LEVEL);
  if (o.schema !== 1)
    throw new ManifestError('schema', `must be 1 (got ${shownValue(o.schema)}); this app reads schema 1 only`);
  const registry = string(o.registry, 'registry');
  if (!ID_PATTERN.test(registry) || registry.length > 64)
    throw new ManifestError(
      'registry',
      'must be the registry identity: lowercase words joined by "-", at most 64 characters',
    );
  const serial = positiveInt(o.serial, 'serial');
  const published = string(o.published, 'published');
  if (!ISO_UTC.test(published) || Number.isNaN(Date.parse(published))) {
    throw new ManifestError('published', 'must be a UTC timestamp like 2026-11-21T12:00:00Z');
  }
  const models: Record<string, ModelEntry> = {};
  for (const [id, entry] of Object.entries(record(o.models, 'models'))) {
    const p = key('models', id);
    if (!ID_PATTERN.test(id)) throw new ManifestError(p, 'is not a valid model id (lowercase words joined by "-")');
    models[id] = modelEntry(entry, p, tasks);
  }
  probeImagesAgree(models);
  try {
    checkGroups(models);
  } catch (err) {
    if (!(err instanceof GroupProblem)) throw err;
    throw new ManifestError(err.path, err.problem);
  }
  const manifest: Manifest = { schema: 1, registry, serial, published, models };
  if (o.signature !== undefined) manifest.signature = signature(o.signature, 'signature');
  return manifest;
}
