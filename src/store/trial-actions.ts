/**
 * @file "Try a model file" (Models panel): reads a dropped ONNX file (and a labels file dropped
 * with it) in the page, proposes the model id it would replace, runs the checks a registry
 * version gets (try-local.ts, logged with source `local`), then compares it in shadow of the
 * serving version on the photos on screen and sampled webcam frames (shadow-session.ts) with a
 * live report. "Use on this device" hands it to the model manager as a local override (staged
 * swap, stored in IndexedDB); "Stop using" returns to the registry. The file never leaves the page.
 */
import { FEATURES, TASKS } from '../features/index.ts';
import { inferenceClient } from '../inference/client/inference-client.ts';
import { sha256Hex, verifyBlob } from '../models/common/integrity.ts';
import type { LocalOverride } from '../models/common/model-state.ts';
import {
  checkLocalModelSize,
  inspectLocalModel,
  LocalModelProblem,
  localModelSpec,
  type LocalInspection,
} from '../models/page/local-model.ts';
import { tryLocalModel } from '../models/page/try-local.ts';
import { featuresUsing, selectFeatures } from '../shared/feature-set.ts';
import { ShadowTally } from '../shared/compare/report.ts';
import type { SwapStage, UpdateLogRecord } from '../shared/update-messages.ts';
import type { ModelSpec } from '../shared/worker-api.ts';
import { appStore, patchTrial } from './app-store.ts';
import { addShadowJob, shadowPhotoDone } from './shadow-session.ts';
import { IDLE_TRIAL } from './types.ts';
import { announce } from './ui-slice.ts';
import { currentManager } from './update-actions.ts';

/** Sidecar label files: text or JSON next to the model. */
const SIDECAR = /\.(txt|json|labels)$/i;

interface Trial {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  sha256: string;
  inspection: LocalInspection;
  sidecar?: { name: string; text: string };
  spec: ModelSpec | null;
  key: string | null;
  endJob: (() => void) | null;
}

let trial: Trial | null = null;
/** Bumped by every new file or id choice: an older check that finishes late is dropped. */
let generation = 0;

function requireManager() {
  const manager = currentManager();
  if (!manager) throw new Error('The models are not set up yet; wait for the app to start.');
  return manager;
}

/** Logs a refusal made before any stage of a swap could run (not ONNX, too large…), source `local`. */
function logRefusal(model: string, version: string, sha256: string, stage: SwapStage, reason: string): void {
  const record: UpdateLogRecord = {
    time: Date.now(),
    model,
    version,
    sha256,
    stage,
    outcome: 'rejected',
    reason,
    durationMs: 0,
    source: 'local',
  };
  currentManager()?.logRecords([record]);
}

/** Stops comparing and releases the candidate's staged session. */
async function release(t: Trial | null): Promise<void> {
  if (!t) return;
  t.endJob?.();
  t.endJob = null;
  const key = t.key;
  t.key = null;
  if (key) await inferenceClient.release(key).catch(() => undefined);
}

function refused(message: string): void {
  patchTrial(() => ({ phase: 'rejected', problem: message, report: null }));
  announce(message);
}

/** Tries the model file among `files` (plus a labels file dropped with it). */
export async function tryModelFiles(files: readonly File[]): Promise<void> {
  const gen = ++generation;
  await release(trial);
  trial = null;
  const sidecarFile = files.find((f) => SIDECAR.test(f.name));
  const modelFile = files.find((f) => f !== sidecarFile) ?? files[0];
  if (!modelFile) return;
  const labelsFile = sidecarFile && sidecarFile !== modelFile ? sidecarFile : undefined;
  patchTrial(() => ({
    ...IDLE_TRIAL,
    phase: 'checking',
    file: { name: modelFile.name, bytes: modelFile.size, sha256: null, labelsFile: labelsFile?.name ?? null },
  }));
  let inspection: LocalInspection;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    // The size is known before reading: a huge file is refused without loading it.
    checkLocalModelSize(modelFile.name, modelFile.size);
    bytes = new Uint8Array(await modelFile.arrayBuffer());
    inspection = inspectLocalModel({ name: modelFile.name, bytes }, { tasks: TASKS, features: FEATURES });
  } catch (err) {
    if (gen !== generation) return;
    const message = err instanceof Error ? err.message : String(err);
    // Not ONNX or too large: the file level; a file that fits no task: the contract.
    const stage = err instanceof LocalModelProblem && err.kind === 'wrong-task' ? 'compat-checked' : 'verifying';
    logRefusal('local file', modelFile.name, '', stage, message);
    refused(message);
    return;
  }
  const sha256 = await sha256Hex(bytes);
  const sidecar = labelsFile ? { name: labelsFile.name, text: await labelsFile.text() } : undefined;
  if (gen !== generation) return;
  trial = {
    name: modelFile.name,
    bytes,
    sha256,
    inspection,
    ...(sidecar ? { sidecar } : {}),
    spec: null,
    key: null,
    endJob: null,
  };
  const fits = new Set(inspection.fits.map((f) => f.id));
  patchTrial((t) => ({
    file: t.file && { ...t.file, sha256 },
    choices: inspection.all.map((c) => ({ ...c, fits: fits.has(c.id) })),
  }));
  await checkFor(inspection.fits[0]!.id, gen);
}

/** The user chose another model id for the file being tried: checks run again for it. */
export async function chooseTrialTarget(id: string): Promise<void> {
  if (!trial) return;
  const gen = ++generation;
  await release(trial);
  await checkFor(id, gen);
}

/** Builds the spec for `id` and runs the checks; on success the comparison starts. */
async function checkFor(id: string, gen: number): Promise<void> {
  const t = trial;
  if (!t) return;
  const manager = requireManager();
  const serving = manager.servingSpecs();
  let spec: ModelSpec;
  let labelsFrom;
  try {
    ({ spec, labelsFrom } = localModelSpec({
      inspection: t.inspection,
      sha256: t.sha256,
      id,
      ...(t.sidecar ? { sidecar: t.sidecar } : {}),
      manifest: appStore.getState().models.manager?.manifest ?? undefined,
      serving: serving[id],
      tasks: TASKS,
      features: FEATURES,
    }));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logRefusal(id, t.name, t.sha256, 'compat-checked', message);
    patchTrial(() => ({ id, task: null, version: null }));
    refused(message);
    return;
  }
  t.spec = spec;
  patchTrial(() => ({
    phase: 'checking',
    id,
    task: spec.task,
    version: spec.version,
    labelsFrom,
    problem: null,
    report: null,
  }));
  const outcome = await tryLocalModel({
    pool: inferenceClient,
    tasks: TASKS,
    spec: { ...spec, local: { name: t.name, bytes: t.bytes.slice().buffer } },
    bytes: t.bytes,
    serving: { ...serving },
    emit: (record) => manager.logRecords([record]),
  });
  if (gen !== generation || trial !== t) {
    if (outcome.ok) await inferenceClient.release(outcome.key).catch(() => undefined);
    return;
  }
  if (!outcome.ok) {
    refused(`${t.name} was rejected at ${outcome.stage}: ${outcome.reason}`);
    return;
  }
  t.key = outcome.key;
  startComparing(t, spec);
  announce(`${t.name} passed the checks as ${spec.id}; it now runs in shadow of the serving version.`);
}

/** Registers the shadow job and compares the photos on screen right away. */
function startComparing(t: Trial, spec: ModelSpec): void {
  const features = featuresUsing(FEATURES, spec.id);
  const tally = new ShadowTally({
    model: spec.id,
    task: spec.task,
    candidate: { version: spec.version, sha256: spec.sha256, file: t.name },
    features,
  });
  const serving = requireManager().servingSpecs()[spec.id];
  tally.serving = serving ? { version: serving.version, sha256: serving.sha256 } : null;
  const target = { key: t.key!, id: spec.id };
  t.endJob = addShadowJob({
    target,
    priority: 0,
    compared: (kind, servingResults, shadow) => {
      tally.add({
        kind,
        serving: servingResults,
        candidate: shadow.results,
        modelMs: shadow.modelMs,
        ...(shadow.error !== undefined ? { error: shadow.error } : {}),
        at: Date.now(),
      });
      patchTrial(() => ({ report: tally.report() }));
    },
  });
  patchTrial(() => ({ phase: 'ready', report: tally.report() }));
  void compareShownPhotos(t, target);
}

/** Runs the candidate on every annotated photo on screen (their shown results stay the serving version's). */
async function compareShownPhotos(t: Trial, target: { key: string; id: string }): Promise<void> {
  const photos = appStore.getState().photos.items.filter((p) => p.status === 'done');
  const features = selectFeatures(FEATURES, appStore.getState().features.serving).map((f) => f.id);
  for (const photo of photos) {
    if (trial !== t || t.key !== target.key) return;
    try {
      shadowPhotoDone(await inferenceClient.analyzePhoto(photo.file, photo.name, features, target));
    } catch {
      // A photo that fails now failed for the serving version too: nothing to compare.
    }
  }
}

/** Swaps the file being tried in for its model id on this device (a local override). */
export async function useTrialModel(): Promise<void> {
  const t = trial;
  if (!t?.spec || !t.key) throw new Error('No model file passed its checks yet.');
  const manager = requireManager();
  const spec = t.spec;
  const blob = await verifyBlob(t.bytes.slice(), { sha256: t.sha256, bytes: t.bytes.byteLength });
  const override: LocalOverride = {
    id: spec.id,
    task: spec.task,
    version: spec.version,
    sha256: spec.sha256,
    name: t.name,
    file: spec.file,
    since: Date.now(),
  };
  generation++;
  patchTrial(() => ({ phase: 'using' }));
  // The swap stages the file again from IndexedDB: the trial's session goes first (memory).
  await release(t);
  await manager.useLocal(override, blob);
  trial = null;
  const serves = manager.servingSpecs()[spec.id]?.sha256 === spec.sha256;
  if (serves) {
    patchTrial(() => ({ ...IDLE_TRIAL }));
    announce(`${spec.id} now uses ${t.name} on this device.`);
  } else {
    refused(`${t.name} did not swap in; the update log says why, and ${spec.id} keeps its version.`);
  }
}

/** Ends the local override of `id`: the registry's version swaps back in. */
export async function stopUsingLocal(id: string): Promise<void> {
  await requireManager().stopLocal(id);
}

/** Stops trying the file (the candidate's session is released; nothing else changed). */
export async function endTrial(): Promise<void> {
  generation++;
  const t = trial;
  trial = null;
  await release(t);
  patchTrial(() => ({ ...IDLE_TRIAL }));
}

/** Shows or hides the candidate's boxes (dashed) on the webcam. */
export function showCandidate(on: boolean): void {
  patchTrial(() => ({ showCandidate: on }));
}

/** The `npm run publish-model` line that would publish the file being tried for its model id. */
export function publishCommand(): string | null {
  const { trial: s, models } = appStore.getState();
  if (!s.file || !s.id || !s.task) return null;
  const versions = Object.keys(models.manager?.manifest?.models[s.id]?.versions ?? {});
  const next = nextMinor(versions);
  const quote = (v: string) => (/^[\w./@+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const parts = [
    'npm run publish-model --',
    '--registry public/models',
    `--id ${quote(s.id)}`,
    `--version ${next}`,
    `--file ${quote(s.file.name)}`,
    `--task ${quote(s.task)}`,
  ];
  if (s.file.labelsFile && s.labelsFrom === 'sidecar') parts.push(`--labels ${quote(s.file.labelsFile)}`);
  return parts.join(' ');
}

/** The next minor version after the highest of `versions` (1.0.0 when there is none). */
export function nextMinor(versions: readonly string[]): string {
  let best = [0, 0, 0];
  for (const v of versions) {
    const p = v.split('.').map(Number);
    if (p.length === 3 && p.every(Number.isInteger) && (p[0]! > best[0]! || (p[0] === best[0] && p[1]! > best[1]!)))
      best = p;
  }
  return versions.length === 0 ? '1.0.0' : `${best[0]}.${best[1]! + 1}.0`;
}
