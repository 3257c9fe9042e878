/**
 * @file Loading models that do not serve yet in this tab: at start-up (the manifest stored,
 * else fetched once), and later when the user turns a feature on. The versions to load are the
 * cached ones first, so a repeat or offline start needs no network (see serving-set.ts); they
 * are staged together, every model is probed, the set is warmed up and flipped into serving.
 * A version that fails its probe is marked bad and the next choice is tried; versions serving
 * here for the first time become active in the control state and are logged.
 *
 * A probe that could not run because its probe image could not be had (ProbeAssetError: not
 * fetched, or not the bytes the signed manifest names) condemns nothing: the start fails with a
 * message saying so, and Retry or a reload tries again. A version whose probe already passed on
 * this device under the same runtime is not probed again (its warm-up still runs), so a returning
 * client starts without its probe images.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import type { EngineInfo, ModelSpec, ProgressListener } from '../../shared/worker-api.ts';
import { hasErrorName, ModelLoadError, ModelProbeError } from '../../shared/errors.ts';
import type { ModelStore } from '../cache/model-store.ts';
import { commitProven, commitRejection, commitServing } from '../common/control-actions.ts';
import type { EnginePool } from './engine-pool.ts';
import { describeError, StorageFullError } from '../common/errors.ts';
import type { FetchLike } from '../common/http.ts';
import type { ManifestFetchOptions } from '../common/registry-client.ts';
import { isProven, modelState, sameRef, type ControlState } from '../common/model-state.ts';
import { startupSet } from './serving-set.ts';
import { startManifest } from './start-manifest.ts';
import type { Clock } from '../common/clock.ts';
import { planVersions } from '../common/version-policy.ts';

/** Attempts: each probe failure condemns one version and tries the next choice. */
const LOAD_ATTEMPTS = 3;

/** What loading models needs. */
export interface LoadInput {
  store: ModelStore;
  pool: EnginePool;
  installId: string;
  clock: Clock;
  /** The model ids to bring in. */
  ids: readonly string[];
  onProgress?: ProgressListener;
  /** Receives the log records of versions that serve here for the first time. */
  record: (records: UpdateLogRecord[]) => void;
  /** Why they load, for the log ("loaded at start-up"). */
  note: string;
}

/** The models now serving and the engine info after the flip. */
export interface LoadedSet {
  set: Record<string, ModelSpec>;
  info: EngineInfo;
}

const ref = (s: ModelSpec) => ({ version: s.version, sha256: s.sha256 });

/** Reads the manifest a tab starts from: stored, else fetched (first visit). */
export function loadStartManifest(input: {
  store: ModelStore;
  registryUrl: string;
  clock: Clock;
  fetch?: FetchLike;
  manifestOptions?: Pick<ManifestFetchOptions, 'verifySignature' | 'tasks'>;
  onProgress?: ProgressListener;
}): Promise<{ manifest: Manifest }> {
  return startManifest({
    store: input.store,
    registryUrl: input.registryUrl,
    fetch: input.fetch,
    verifySignature: input.manifestOptions?.verifySignature,
    tasks: input.manifestOptions?.tasks,
    now: () => input.clock.now(),
    onFetch: (url) => input.onProgress?.({ status: 'manifest', url }),
  });
}

/** Loads `input.ids` from `manifest` and flips them into serving; throws (ModelLoadError, ModelProbeError…) when it cannot. */
export async function loadModels(input: LoadInput, manifest: Manifest): Promise<LoadedSet> {
  const { store, pool, clock, onProgress } = input;
  for (let attempt = 1; ; attempt++) {
    const control = await store.getControl();
    const plans = planVersions({ manifest, installId: input.installId, control });
    let set: Record<string, ModelSpec>;
    try {
      const cached = new Set(await store.listBlobs());
      const choice = startupSet({ manifest, control, plans, cached, ids: input.ids });
      set = Object.fromEntries(Object.entries(choice).map(([id, c]) => [id, c.spec]));
    } catch (err) {
      throw new ModelLoadError('the models', describeError(err));
    }
    const t0 = clock.monotonic();
    const staged = await pool.stage(Object.values(set), onProgress);
    try {
      for (const id of input.ids) {
        const spec = set[id]!;
        const runtime = staged.models[id]?.runtime;
        if (runtime !== undefined && isProven(control, id, spec.sha256, runtime)) continue;
        // A ProbeAssetError propagates: the probe image's fault, not the version's.
        const report = await pool.probe(staged.key, id);
        if (report.problems.length === 0) {
          // A full disk only costs this probe again next time.
          if (report.runtime !== undefined)
            await commitProven(store, { id, sha256: spec.sha256 }, report.runtime, clock.now()).catch(() => undefined);
          continue;
        }
        await commitRejection(store, { id, ...ref(spec) }, 'probed', report.problems.join('; '), clock.now());
        throw new ModelProbeError(`${id}@${spec.version}`, report.problems);
      }
      await pool.warmUp(staged.key, onProgress);
    } catch (err) {
      await pool.release(staged.key).catch(() => undefined);
      if (hasErrorName(err, 'ModelProbeError') && attempt < LOAD_ATTEMPTS) continue;
      throw err;
    }
    const replaced = await pool.flip(staged.key);
    if (replaced) await pool.release(replaced).catch(() => undefined);
    const info = await pool.info();
    input.record(await commitLoaded(input, set, control, info, clock.monotonic() - t0));
    return { set, info };
  }
}

/** Makes the loaded versions active (those already active stay as they are) and returns their log records. */
async function commitLoaded(
  input: LoadInput,
  set: Record<string, ModelSpec>,
  control: ControlState,
  info: EngineInfo,
  ms: number,
): Promise<UpdateLogRecord[]> {
  const records: UpdateLogRecord[] = [];
  for (const spec of Object.values(set)) {
    if (sameRef(modelState(control, spec.id).active, ref(spec))) continue;
    let note = input.note;
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
