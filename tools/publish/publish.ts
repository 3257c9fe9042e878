/**
 * @file Adding a model version to a registry, as a library (the CLI is publish-model.ts).
 * Everything is checked before anything is written — version syntax, the file is ONNX and
 * loads, the task contract, labels, the probe — and the write is blob and probe first,
 * manifest last (atomic rename), so a failed publish leaves the registry byte-for-byte as it
 * was and readers never see a manifest naming a missing blob. Signing is a pluggable step.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Manifest,
  ManifestSignature,
  ModelEntry,
  ModelVersion,
  Preprocess,
  ShadowGate,
  TaskId,
} from '../../src/shared/manifest-types.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import { ID_PATTERN, MAX_SHADOW_FRAMES, parseManifest } from '../../src/shared/manifest-validate.ts';
import { isValid as isSemver } from '../../src/shared/semver.ts';
import { FEATURES, TASKS } from '../../src/features/index.ts';
import { featureForTask } from '../../src/shared/feature-set.ts';
import { squareInputSize } from '../../src/shared/tasks.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import { computeProbe } from '../lib/probe.ts';
import { loadProbeImage } from '../lib/probe-images.ts';
import { inspectOnnx, NotOnnxError } from '../lib/onnx-inspect.ts';
import {
  addProbeDigests,
  blobPathFor,
  exists,
  MANIFEST_FILE,
  sha256Hex,
  writeBlob,
  writeManifest,
} from '../lib/registry-io.ts';

/** A publish that was refused; the message is one sentence saying what is wrong and what to do. */
export class PublishError extends Error {
  override name = 'PublishError';
}

/** Signs the canonical manifest (the CLI plugs in ES256 with a key, see tools/lib/signing.ts). */
export type ManifestSigner = (unsigned: Manifest) => Promise<ManifestSignature>;

/** What to publish. */
export interface PublishOptions {
  registry: string;
  id: string;
  version: string;
  file: string;
  /** Required when the model id (or the whole registry) is new. */
  task?: string;
  /** File with labels: a JSON array of strings or one label per line. */
  labels?: string;
  /** Publish as a canary for this percentage of clients instead of as stable. */
  canary?: string;
  /**
   * The identity of a new registry (the manifest's `registry`; default: a generated
   * `registry-<8 hex>`). An existing registry keeps its own: naming another is refused.
   */
  registryId?: string;
  /** `FRAMES:MIN`: clients run the version in shadow on FRAMES live frames and refuse it below agreement MIN. */
  shadow?: string;
  /**
   * The manifest `group` of the versions published: models that must change together. With
   * `partners`, every member is published in this one manifest update (stable or canary together).
   */
  group?: string;
  /** The group's other members (already known to the registry), each a new version of its model. */
  partners?: { id: string; version: string; file: string }[];
  /** Signs the new manifest; without it any previous signature is dropped (it would no longer verify). */
  sign?: ManifestSigner;
  /**
   * True when a manifest already carries a valid signature by the signing key. Re-publishing
   * an existing version is then a no-op; otherwise (unsigned, or signed by another key, as
   * when rotating keys) the registry is re-signed under a higher serial.
   */
  signedBy?: (manifest: Manifest) => boolean;
  /** Clock for `published` (tests pin it). */
  now?: () => Date;
}

/** What a publish did. */
export interface PublishResult {
  /** 'resigned': the version was already there with these bytes, but the manifest was re-signed. */
  status: 'published' | 'unchanged' | 'resigned';
  manifest: Manifest;
  sha256: string;
  bytes: number;
  channel: 'stable' | 'canary';
  createdRegistry: boolean;
  /** Every member published, when a group was (the primary first). */
  group?: { id: string; version: string; sha256: string }[];
}

function parseCanary(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 100)) throw new PublishError(`--canary must be a percentage from 0 to 100, got "${value}"`);
  return n;
}

/** Parses `--shadow FRAMES:MIN` (e.g. 30:0.8) into the manifest's shadow gate. */
export function parseShadow(value: string | undefined): ShadowGate | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*:\s*(\d+(?:\.\d+)?|\.\d+)\s*$/.exec(value);
  const frames = m ? Number(m[1]) : NaN;
  const minAgreement = m ? Number(m[2]) : NaN;
  if (!(frames >= 1 && frames <= MAX_SHADOW_FRAMES) || !(minAgreement >= 0 && minAgreement <= 1)) {
    throw new PublishError(
      `--shadow must be FRAMES:MIN with FRAMES from 1 to ${MAX_SHADOW_FRAMES} and MIN from 0 to 1 (e.g. 30:0.8), got "${value}"`,
    );
  }
  return { frames, minAgreement };
}

async function readLabels(path: string, task: TaskId): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PublishError(
      `cannot read labels file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let labels: unknown;
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      labels = JSON.parse(trimmed);
    } catch {
      throw new PublishError(`labels file ${path} starts with "[" but is not a valid JSON array`);
    }
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
      throw new PublishError(`labels file ${path} must be a JSON array of strings or one label per line`);
    }
  } else {
    labels = trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  }
  const list = labels as string[];
  const problems = TASKS.checkLabels(task, list);
  if (problems.length > 0)
    throw new PublishError(`labels file ${path} does not fit the ${task} task: ${problems.join('; ')}`);
  return list;
}

/**
 * The labels a model file declares in its metadata: a JSON array of strings (what the TF.js-graph
 * converter writes; ImageNet labels contain commas) or a comma-separated list.
 */
function declaredLabels(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  if (text.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((l) => typeof l === 'string')) return parsed as string[];
    } catch {
      // Not JSON after all: read it as a comma-separated list.
    }
  }
  return text.split(',').map((l) => l.trim());
}

/**
 * Labels when no --labels file is given: the model's own metadata, the current stable's, or the
 * task's defaults — each only if it fits the model's outputs (a 1000-class version does not
 * inherit a 5-class stable's labels).
 */
function inheritedLabels(
  task: TaskId,
  metadata: Record<string, string>,
  entry: ModelEntry | undefined,
  outputs: readonly TensorSpec[],
): string[] | null {
  const declared = declaredLabels(metadata.labels);
  if (declared && TASKS.checkLabels(task, declared, outputs).length === 0) return declared;
  const stable = entry?.versions[entry.stable]?.labels;
  if (stable !== undefined && TASKS.checkLabels(task, stable, outputs).length === 0) return stable;
  return TASKS.defaultLabels(task);
}

async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new PublishError(`model file ${path} is not a regular file`);
  } catch (err) {
    if (err instanceof PublishError) throw err;
    throw new PublishError(
      `cannot read model file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const bytes = new Uint8Array(await readFile(path));
  if (bytes.length === 0) throw new PublishError(`model file ${path} is empty`);
  return bytes;
}

/** The registry's manifest; `upgraded` when it was written before a field it now needs and was filled in here. */
interface CurrentRegistry {
  manifest: Manifest | null;
  text: string | null;
  upgraded: boolean;
}

/** A new registry's identity when none is given: unique, so two registries never share a replay floor. */
function generatedRegistryId(): string {
  return `registry-${randomBytes(4).toString('hex')}`;
}

/** Refuses an identity that is not lowercase words joined by "-" (at most 64 characters). */
function checkRegistryId(id: string): void {
  if (!ID_PATTERN.test(id) || id.length > 64)
    throw new PublishError(
      `--registry-id "${id}" must be lowercase words joined by "-" (e.g. acme-models), at most 64 characters`,
    );
}

async function readRegistry(dir: string, registryId: string | undefined): Promise<CurrentRegistry> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new PublishError(`registry ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof PublishError) throw err;
    return { manifest: null, text: null, upgraded: false };
  }
  try {
    if (!(await exists(join(dir, MANIFEST_FILE)))) return { manifest: null, text: null, upgraded: false };
    const text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`not valid JSON (${(err as Error).message})`, { cause: err });
    }
    // Registries published before probe images were signed get their digests from the files here.
    let upgraded = await addProbeDigests(json, dir);
    // … and before manifests named their registry: the given identity, else a new one.
    if (typeof json === 'object' && json !== null && !('registry' in json)) {
      (json as { registry?: string }).registry = registryId ?? generatedRegistryId();
      upgraded = true;
    }
    return { manifest: parseManifest(json), text, upgraded };
  } catch (err) {
    throw new PublishError(
      `the registry's ${MANIFEST_FILE} is unusable (${(err as Error).message}); fix it or rebuild the registry`,
    );
  }
}

function nowIso(now: () => Date): string {
  return now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** One model version of a publish. */
interface Member {
  id: string;
  version: string;
  file: string;
  bytes: Uint8Array;
  sha256: string;
}

/** A member checked and described, ready to go into the manifest. */
interface PreparedMember extends Member {
  task: TaskId;
  entry: ModelEntry | undefined;
  published: ModelVersion;
  probeImage: Awaited<ReturnType<typeof loadProbeImage>>;
}

/** Partners' `ID@VERSION=FILE` as given to `--with`. */
export function parsePartner(spec: string): { id: string; version: string; file: string } {
  const m = /^([^@=]+)@([^=]+)=(.+)$/.exec(spec);
  if (!m)
    throw new PublishError(`--with "${spec}" must have the form ID@VERSION=FILE (e.g. face-attributes@2.0.0=a.onnx)`);
  return { id: m[1]!, version: m[2]!, file: m[3]! };
}

/** The `preprocess` fields a model file declares in its ONNX metadata (JSON), beyond its task's default. */
function declaredPreprocess(metadata: Record<string, string>, file: string): Pick<Preprocess, 'fit' | 'crop'> {
  const text = metadata.preprocess;
  if (text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PublishError(`${file} declares a "preprocess" metadata entry that is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new PublishError(`${file} declares a "preprocess" metadata entry that is not a JSON object`);
  const { fit, crop, ...rest } = json as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    throw new PublishError(
      `${file} declares preprocess fields ${Object.keys(rest).join(', ')}; only fit and crop may differ from the task's`,
    );
  return { ...(fit !== undefined ? { fit } : {}), ...(crop !== undefined ? { crop } : {}) } as Pick<
    Preprocess,
    'fit' | 'crop'
  >;
}

/** Loads, checks (contract, labels, probe) and describes one member; throws {@link PublishError}. */
async function prepareMember(
  m: Member,
  opts: PublishOptions,
  current: Manifest | null,
  labelsFile: string | undefined,
  task: TaskId,
  group: string | undefined,
): Promise<PreparedMember> {
  const entry = current?.models[m.id];
  let summary;
  try {
    summary = inspectOnnx(m.bytes);
  } catch (err) {
    if (err instanceof NotOnnxError) throw new PublishError(`${m.file} is not an ONNX model (${err.message})`);
    throw err;
  }
  let model: OrtModel;
  try {
    model = await OrtModel.create(m.bytes);
  } catch (err) {
    throw new PublishError(`onnxruntime-web cannot load ${m.file} (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    const feature = featureForTask(FEATURES, task);
    const contract = TASKS.get(task);
    const recipe = feature?.probes[task];
    if (!feature || !contract || !recipe)
      throw new PublishError(`this app serves no "${task}" task (it serves ${TASKS.ids.join(', ')})`);
    const problems = TASKS.checkContract(task, model.inputs, model.outputs);
    if (problems.length > 0)
      throw new PublishError(`${m.file} does not fit the ${task} contract: ${problems.join('; ')}`);
    const labels =
      labelsFile !== undefined
        ? await readLabels(labelsFile, task)
        : inheritedLabels(task, summary.metadata, entry, model.outputs);
    const labelProblems = TASKS.checkLabels(task, labels, model.outputs);
    if (labelProblems.length > 0) {
      const k = contract.labels?.countFrom
        ? model.outputs.find((o) => o.name === contract.labels!.countFrom!.output)?.dims[contract.labels.countFrom.dim]
        : undefined;
      const has = typeof k === 'number' ? `has ${k} classes` : 'needs labels';
      const from = labelsFile !== undefined ? `--labels ${labelsFile} does not fit` : 'no fitting labels were found';
      throw new PublishError(
        `${m.file} ${has} and ${from} (${labelProblems.join('; ')}); pass --labels with one label per class`,
      );
    }
    const size = squareInputSize(model.inputs);
    if (size === null) throw new PublishError(`${m.file} has no fixed square image input`);
    const probeImage = await loadProbeImage(opts.registry, recipe);
    const preprocess = { ...feature.preprocess(task, size), ...declaredPreprocess(summary.metadata, m.file) };
    let probe;
    try {
      probe = await computeProbe(model, { contract, recipe, entry: { preprocess } as ModelVersion }, probeImage.png);
    } catch (err) {
      throw new PublishError(
        `${m.file} fails on the registry's probe image ${probeImage.path}: ${(err as Error).message}`,
      );
    }
    const producer = summary.producer ? ` (producer ${summary.producer})` : '';
    const published: ModelVersion = {
      blob: blobPathFor(m.sha256),
      sha256: m.sha256,
      bytes: m.bytes.length,
      encoding: summary.encoding,
      inputs: model.inputs,
      outputs: model.outputs,
      probe,
      preprocess,
      labels,
      source:
        summary.metadata.provenance ??
        summary.metadata.source ??
        `published from ${m.file.split(/[\\/]/).pop()}${producer}`,
      ...(group !== undefined ? { group } : {}),
    };
    return { ...m, task, entry, published, probeImage };
  } finally {
    await model.release();
  }
}

/**
 * Validates and publishes one model version — or, with `group` and `partners`, a set of
 * versions that must change together, in one manifest update (they become stable together, or a
 * canary together); throws {@link PublishError} (registry untouched) on bad input.
 */
export async function publishModel(opts: PublishOptions): Promise<PublishResult> {
  const { registry, id, version, file } = opts;
  const partners = opts.partners ?? [];
  if (partners.length > 0 && opts.group === undefined)
    throw new PublishError('--with publishes models that change together: name their group with --group');
  if (opts.group !== undefined && !ID_PATTERN.test(opts.group))
    throw new PublishError(`group "${opts.group}" must be lowercase words joined by "-" (e.g. faces-gen2)`);
  const wanted = [{ id, version, file }, ...partners];
  for (const w of wanted) {
    if (!ID_PATTERN.test(w.id))
      throw new PublishError(`model id "${w.id}" must be lowercase words joined by "-" (e.g. face-detector)`);
    if (!isSemver(w.version)) throw new PublishError(`version "${w.version}" must have the form X.Y.Z (e.g. 1.2.0)`);
  }
  const ids = new Set(wanted.map((w) => w.id));
  if (ids.size !== wanted.length)
    throw new PublishError('a group holds one version per model; a model id is given twice');
  if (opts.task !== undefined && !TASKS.has(opts.task)) {
    throw new PublishError(`unknown task "${opts.task}"; use one of ${TASKS.ids.join(', ')}`);
  }
  const canary = parseCanary(opts.canary);
  if (opts.registryId !== undefined) checkRegistryId(opts.registryId);
  const shadow = parseShadow(opts.shadow);
  if (shadow && opts.group !== undefined)
    throw new PublishError(
      '--shadow compares one model with its serving version; a group swaps as one set: publish it without --shadow',
    );
  const members: Member[] = [];
  for (const w of wanted) {
    const bytes = await readModelFile(w.file);
    members.push({ ...w, bytes, sha256: sha256Hex(bytes) });
  }
  const primary = members[0]!;
  const { sha256, bytes } = primary;

  const { manifest: current, text: currentText, upgraded } = await readRegistry(registry, opts.registryId);
  if (!current && opts.task === undefined) {
    throw new PublishError(`${registry} has no ${MANIFEST_FILE}; pass --task to create a new registry there`);
  }
  if (current && opts.registryId !== undefined && current.registry !== opts.registryId) {
    throw new PublishError(
      `this registry's identity is "${current.registry}", not "${opts.registryId}": changing it would restart every client's replay protection; leave --registry-id out, or publish to a new registry`,
    );
  }
  const tasks = new Map<string, TaskId>();
  for (const m of members) {
    const entry = current?.models[m.id];
    // --task applies to the model named by --id; partners must be known to the registry.
    const given = m === primary ? opts.task : undefined;
    const task = (entry?.task ?? given) as TaskId | undefined;
    if (!task)
      throw new PublishError(
        m === primary
          ? `model "${m.id}" is new to this registry; pass --task (one of ${TASKS.ids.join(', ')})`
          : `model "${m.id}" (--with) is new to this registry; publish its first version on its own first`,
      );
    if (entry && given !== undefined && given !== entry.task) {
      throw new PublishError(`model "${m.id}" serves the ${entry.task} task in this registry, not ${given}`);
    }
    tasks.set(m.id, task);
  }
  const existing = members.map((m) => current?.models[m.id]?.versions[m.version]);
  if (existing.every((e, i) => e?.sha256 === members[i]!.sha256 && e.group === opts.group)) {
    const entry = current!.models[id]!;
    const channel = entry.stable === version ? 'stable' : 'canary';
    if (upgraded || (opts.sign && opts.signedBy && !opts.signedBy(current!))) {
      const manifest = await resign(current!, opts.sign, opts.now);
      await commitManifest(registry, currentText, manifest);
      return { status: 'resigned', manifest, sha256, bytes: bytes.length, channel, createdRegistry: false };
    }
    return { status: 'unchanged', manifest: current!, sha256, bytes: bytes.length, channel, createdRegistry: false };
  }
  existing.forEach((e, i) => {
    const m = members[i]!;
    if (!e) return;
    throw new PublishError(
      e.sha256 === m.sha256
        ? `${m.id} ${m.version} is already published${e.group ? ` in group ${e.group}` : ''}; a group is published whole, in one command, with new versions`
        : `${m.id} ${m.version} is already published with different bytes; publish the new file as a new version`,
    );
  });
  for (const m of members) {
    if (canary !== undefined && !current?.models[m.id]) {
      throw new PublishError(`"${m.id}" has no stable version yet; publish its first version without --canary`);
    }
  }

  const prepared: PreparedMember[] = [];
  for (const m of members)
    prepared.push(
      await prepareMember(m, opts, current, m === primary ? opts.labels : undefined, tasks.get(m.id)!, opts.group),
    );
  const next: Manifest = current
    ? (JSON.parse(JSON.stringify(current)) as Manifest)
    : { schema: 1, registry: opts.registryId ?? generatedRegistryId(), serial: 0, published: '', models: {} };
  delete next.signature;
  next.serial += 1;
  next.published = nowIso(opts.now ?? (() => new Date()));
  if (shadow) prepared[0]!.published.shadow = shadow;
  for (const p of prepared) {
    const nextEntry = (next.models[p.id] ??= { task: p.task, stable: p.version, versions: {} });
    nextEntry.versions[p.version] = p.published;
    if (canary !== undefined) nextEntry.canary = { version: p.version, percent: canary };
    else nextEntry.stable = p.version;
  }
  let validated: Manifest;
  try {
    validated = parseManifest(next, TASKS);
  } catch (err) {
    throw new PublishError(`the new manifest would be invalid (${(err as Error).message})`);
  }
  if (opts.sign) validated.signature = await opts.sign(validated);
  await commit(registry, currentText, prepared, validated);
  return {
    status: 'published',
    manifest: validated,
    sha256,
    bytes: bytes.length,
    channel: canary !== undefined ? 'canary' : 'stable',
    createdRegistry: !current,
    ...(partners.length > 0
      ? { group: prepared.map((p) => ({ id: p.id, version: p.version, sha256: p.sha256 })) }
      : {}),
  };
}

/**
 * The same registry content under the next serial, signed anew (key rotation, signing an
 * unsigned registry, or fields an older manifest lacked filled in); unsigned without `sign`.
 */
async function resign(
  current: Manifest,
  sign: ManifestSigner | undefined,
  now: (() => Date) | undefined,
): Promise<Manifest> {
  const next: Manifest = { ...current, serial: current.serial + 1, published: nowIso(now ?? (() => new Date())) };
  delete next.signature;
  if (sign) next.signature = await sign(next);
  return next;
}

/** Optimistic concurrency: refuse when someone else published since we read the manifest. */
async function checkUnchanged(registry: string, expectedText: string | null): Promise<void> {
  const manifestPath = join(registry, MANIFEST_FILE);
  const nowText = (await exists(manifestPath)) ? await readFile(manifestPath, 'utf8') : null;
  if (nowText !== expectedText)
    throw new PublishError(`${manifestPath} changed while publishing; run publish-model again`);
}

/** Replaces only the manifest (atomic rename). */
async function commitManifest(registry: string, expectedText: string | null, manifest: Manifest): Promise<void> {
  await checkUnchanged(registry, expectedText);
  try {
    await writeManifest(registry, manifest);
  } catch (err) {
    throw new PublishError(
      `writing to ${registry} failed (${(err as Error).message}); the registry was left unchanged`,
    );
  }
}

/** Writes the blobs, probe images, then the manifest; undoes the first two if a later step fails. */
async function commit(
  registry: string,
  expectedText: string | null,
  members: readonly PreparedMember[],
  manifest: Manifest,
): Promise<void> {
  await checkUnchanged(registry, expectedText);
  const created: string[] = [];
  try {
    const probes = new Set<string>();
    for (const m of members) {
      const blob = await writeBlob(registry, m.bytes);
      if (blob.created) created.push(join(registry, blob.blob));
      if (!m.probeImage.existing && !probes.has(m.probeImage.path)) {
        probes.add(m.probeImage.path);
        await m.probeImage.write();
        created.push(join(registry, m.probeImage.path));
      }
    }
    await writeManifest(registry, manifest);
  } catch (err) {
    for (const path of created) await rm(path, { force: true });
    throw new PublishError(
      `writing to ${registry} failed (${(err as Error).message}); the registry was left unchanged`,
    );
  }
}
