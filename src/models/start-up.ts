/**
 * @file A tab's first serving worker: the manifest (stored, else fetched once), the versions
 * to load (cached ones first, so a repeat or offline start needs no network; see
 * serving-set.ts), then compile → probe every model → warm up → serve. A version that fails its
 * probe is marked bad and the next choice is tried; versions serving here for the first time
 * become active in the control state and are logged.
 */
import type { UpdateLogRecord } from '../shared/update-messages.ts';
import type { EngineInfo, ModelSpec, ProgressListener } from '../shared/worker-api.ts';
import { hasErrorName, ModelLoadError, ModelProbeError } from '../shared/errors.ts';
import type { ModelStore } from './cache/model-store.ts';
import { commitRejection, commitServing } from './control-actions.ts';
import type { EnginePool } from './engine-pool.ts';
import { describeError, StorageFullError } from './errors.ts';
import type { FetchLike } from './http.ts';
import type { ManifestFetchOptions } from './registry-client.ts';
import { modelState, sameRef, type ControlState } from './model-state.ts';
import { PIPELINE_IDS, startupSet } from './serving-set.ts';
import { startManifest } from './start-manifest.ts';
import type { Clock } from './swap-stages.ts';
import { planVersions } from './version-policy.ts';

/** Start-up attempts: each probe failure condemns one version and tries the next choice. */
const START_ATTEMPTS = 3;

/** What start-up needs. */
export interface StartUpInput<H> {
  store: ModelStore;
  pool: EnginePool<H>;
  registryUrl: string;
  installId: string;
  clock: Clock;
  fetch?: FetchLike;
  verifySignature?: ManifestFetchOptions['verifySignature'];
  onProgress?: ProgressListener;
  /** Receives the log records of versions that serve here for the first time. */
  record: (records: UpdateLogRecord[]) => void;
}

/** The serving worker, its versions and its engine info. */
export interface StartedSet<H> {
  handle: H;
  set: Record<string, ModelSpec>;
  info: EngineInfo;
}

const ref = (s: ModelSpec) => ({ version: s.version, sha256: s.sha256 });

/** Starts the first worker of a tab and flips serving to it; throws (ModelLoadError, ModelProbeError…) when it cannot. */
export async function startUp<H>(input: StartUpInput<H>): Promise<StartedSet<H>> {
  const { store, pool, clock, onProgress } = input;
  const stored = await startManifest({
    store,
    registryUrl: input.registryUrl,
    fetch: input.fetch,
    verifySignature: input.verifySignature,
    now: () => clock.now(),
    onFetch: (url) => onProgress?.({ status: 'manifest', url }),
  });
  for (let attempt = 1; ; attempt++) {
    const control = await store.getControl();
    const plans = planVersions({ manifest: stored.manifest, installId: input.installId, control });
    let set: Record<string, ModelSpec>;
    try {
      const cached = new Set(await store.listBlobs());
      const choice = startupSet({ manifest: stored.manifest, control, plans, cached });
      set = Object.fromEntries(Object.entries(choice).map(([id, c]) => [id, c.spec]));
    } catch (err) {
      throw new ModelLoadError('the models', describeError(err));
    }
    const t0 = clock.monotonic();
    const handle = await pool.spawn(set, onProgress);
    try {
      for (const id of PIPELINE_IDS) {
        const spec = set[id]!;
        const report = await pool.probe(handle, id);
        if (report.problems.length === 0) continue;
        await commitRejection(store, { id, ...ref(spec) }, 'probed', report.problems.join('; '), clock.now());
        throw new ModelProbeError(`${id}@${spec.version}`, report.problems);
      }
      const info = await pool.warmUp(handle, onProgress);
      pool.flip(handle);
      input.record(await commitStart(input, set, control, info, clock.monotonic() - t0));
      return { handle, set, info };
    } catch (err) {
      await pool.release(handle).catch(() => undefined);
      if (hasErrorName(err, 'ModelProbeError') && attempt < START_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Makes the start-up versions active (those already active stay as they are) and returns their log records. */
async function commitStart<H>(
  input: StartUpInput<H>,
  set: Record<string, ModelSpec>,
  control: ControlState,
  info: EngineInfo,
  ms: number,
): Promise<UpdateLogRecord[]> {
  const records: UpdateLogRecord[] = [];
  for (const spec of Object.values(set)) {
    if (sameRef(modelState(control, spec.id).active, ref(spec))) continue;
    let note = 'loaded at start-up';
    if (info.models[spec.id]?.origin === 'memory') {
      note += '; downloaded and verified, but browser storage could not keep it (blocked or full)';
    }
    try {
      await commitServing(input.store, { id: spec.id, ...ref(spec) });
    } catch (err) {
      // It serves anyway; only the record of it as active is lost (the next start chooses again).
      if (!(err instanceof StorageFullError)) throw err;
      note += `; not recorded as active: ${describeError(err)}`;
    }
    records.push({
      time: input.clock.now(),
      model: spec.id,
      ...ref(spec),
      stage: 'serving',
      outcome: 'ok',
      reason: note,
      durationMs: ms,
      source: 'page',
    });
  }
  return records;
}
