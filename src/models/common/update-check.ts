/**
 * @file One registry check as the service worker runs it: fetch the manifest conditionally,
 * keep the last good one when the registry is down or serves something invalid, decide per
 * model what this client should run (version policy), download + verify + store what is
 * missing (found → downloading → verifying → stored, each logged), announce `model-ready` so
 * the workers of every tab swap, and evict blobs nothing references. Never reloads anything.
 * Storage faults: a blob that does not fit even after eviction is logged (`stored` failed, with
 * the reason) and waits before it is downloaded again; with no persistent storage at all
 * nothing is downloaded here, the inference worker fetches and verifies what it serves.
 */
import {
  boundedLogRecord,
  MANIFEST_LOG_MODEL,
  type CheckSummary,
  type ModelsMessage,
  type UpdateLogRecord,
} from '../../shared/update-messages.ts';
import { manifestFor, type ModelStore, type StoredManifest } from '../cache/model-store.ts';
import { commitRejection } from './control-actions.ts';
import { fetchBlobBytes, type BlobRequest, type DownloadOptions, type RetryInfo } from './download.ts';
import { createBlobEnsurer, type LockManagerLike } from './ensure-blob.ts';
import {
  describeError,
  DownloadError,
  isAbortError,
  ManifestRejected,
  RegistryUnavailable,
  StorageFullError,
} from './errors.ts';
import { registryUrl, type FetchLike } from './http.ts';
import { verifyBlob } from './integrity.ts';
import { modelState, setCandidate, type ModelState } from './model-state.ts';
import { fetchManifest, type ManifestFetchOptions } from './registry-client.ts';
import { systemClock, type Clock } from './clock.ts';
import { StageRecorder, StageRejected, type Candidate } from './stage-recorder.ts';
import type { StorageFullBackoff } from './storage-full-backoff.ts';
import { needsSwap, planVersions, type ModelPlan } from './version-policy.ts';

/** What a check needs. */
export interface UpdateCheckDeps {
  store: ModelStore;
  channel: { post(message: ModelsMessage): void };
  /** Registry folder URL (holding manifest.json), ending in "/". */
  registryUrl: string;
  fetch?: FetchLike;
  locks?: LockManagerLike;
  verifySignature?: ManifestFetchOptions['verifySignature'];
  /** Task contracts: models of known tasks are checked against them when the manifest is read. */
  tasks?: ManifestFetchOptions['tasks'];
  clock?: Clock;
  signal?: AbortSignal;
  /** Retry/backoff/stall settings for blob downloads. */
  download?: Omit<DownloadOptions, 'fetch' | 'signal' | 'onProgress'>;
  /** Limit of the manifest request (default and bounds: MANIFEST_TIMEOUT in update-settings.ts); not the stall timeout. */
  manifestTimeoutMs?: number;
  /** Minimum time between progress messages per blob (default 100 ms). */
  progressIntervalMs?: number;
  /** Blobs that did not fit in storage wait here before the next download (kept across checks). */
  storageFull?: StorageFullBackoff;
  /** The user asked for this check: blobs waiting after a full disk are tried again at once. */
  userAsked?: boolean;
  /** Who runs the check, for the log: the service worker (default) or a page without one. */
  source?: 'sw' | 'page';
  /** Which models this check keeps up to date (default {@link servedOnThisDevice}). */
  isWanted?: (id: string, state: ModelState) => boolean;
}

/**
 * The default interest: models this device has served. A model whose feature was never turned
 * on is not downloaded here; the page loads it (verified, then stored) when the feature is.
 */
export function servedOnThisDevice(_id: string, state: ModelState): boolean {
  return state.active !== null;
}

type Ready = CheckSummary['ready'][number];
type Rejected = CheckSummary['rejected'][number];

async function refreshManifest(deps: UpdateCheckDeps, clock: Clock) {
  const { store, channel } = deps;
  // A manifest fetched under another URL is no predecessor for conditional requests; replays are
  // caught by the floor of the manifest's registry identity, whatever its URL.
  const stored = manifestFor(await store.getManifest(), deps.registryUrl);
  try {
    const res = await fetchManifest(stored, {
      url: registryUrl(deps.registryUrl, 'manifest.json'),
      fetch: deps.fetch,
      signal: deps.signal,
      verifySignature: deps.verifySignature,
      tasks: deps.tasks,
      timeoutMs: deps.manifestTimeoutMs,
      floors: await store.getReplayFloors(),
    });
    const now = clock.now();
    let current: StoredManifest | undefined = stored;
    if (res.status === 'updated') {
      current = {
        manifest: res.manifest,
        etag: res.etag,
        lastModified: res.lastModified,
        acceptedAt: now,
        checkedAt: now,
        registryUrl: deps.registryUrl,
        digest: res.digest,
      };
      await store.putManifest(current);
    } else {
      // The registry serves the accepted manifest again: a refusal before this one is over.
      await store.touchManifest({
        etag: res.etag,
        lastModified: res.lastModified,
        checkedAt: now,
        lastRejection: undefined,
      });
    }
    channel.post({
      type: 'manifest-accepted',
      serial: res.status === 'updated' ? res.manifest.serial : res.serial,
      changed: res.status === 'updated',
    });
    return { current, changed: res.status === 'updated', error: undefined, reachable: true };
  } catch (err) {
    if (isAbortError(err)) throw err;
    const now = clock.now();
    if (err instanceof ManifestRejected) {
      await recordRejection(deps, stored, err, now);
      channel.post({ type: 'manifest-rejected', reason: err.reason });
      return { current: stored, changed: false, error: err.message, reachable: true };
    }
    if (err instanceof RegistryUnavailable) {
      await store.touchManifest({ checkedAt: now });
      await logUnavailable(deps, stored, err, now);
      channel.post({ type: 'registry-unavailable', reason: err.reason });
      return { current: stored, changed: false, error: err.message, reachable: false };
    }
    throw err;
  }
}

/**
 * Writes an unreachable registry (network error, 404, 500…) to the update log, under the model
 * name `manifest.json` (no model id has a dot), once per outage: while the same failure repeats
 * poll after poll with nothing logged in between, it is not written again, so an outage cannot
 * push every other entry out of the log.
 */
async function logUnavailable(
  deps: UpdateCheckDeps,
  stored: StoredManifest | undefined,
  err: RegistryUnavailable,
  now: number,
): Promise<void> {
  const reason = `manifest not fetched, the last accepted one stays in force: ${err.reason}`;
  const last = (await deps.store.getLog().catch(() => [])).at(-1);
  if (last?.model === MANIFEST_LOG_MODEL && last.reason === reason) return;
  const version = stored ? `serial ${stored.manifest.serial}` : 'none accepted';
  await logManifestEvent(deps, { time: now, version, stage: 'downloading', outcome: 'failed', reason });
}

/**
 * Remembers a refused manifest and writes it to the update log, once per refused file: a
 * registry that keeps serving it is polled every interval, and repeating the same record would
 * push every other entry out of the log.
 */
async function recordRejection(
  deps: UpdateCheckDeps,
  stored: StoredManifest | undefined,
  err: ManifestRejected,
  now: number,
): Promise<void> {
  const { serial, etag = null } = err.info;
  const prev = stored?.lastRejection;
  const repeat = prev !== undefined && prev.reason === err.reason && (prev.etag ?? null) === etag;
  await deps.store.touchManifest({
    checkedAt: now,
    lastRejection: repeat ? prev : { time: now, reason: err.reason, serial, etag },
  });
  if (repeat) return;
  await logManifestEvent(deps, {
    time: now,
    version: serial === undefined ? 'no serial' : `serial ${serial}`,
    stage: 'verifying',
    outcome: 'rejected',
    reason: `manifest refused, the last accepted one stays in force: ${err.reason}`,
  });
}

/** Writes an event about the manifest (not a model) to the update log and tells every tab. */
async function logManifestEvent(
  deps: UpdateCheckDeps,
  event: Pick<UpdateLogRecord, 'time' | 'version' | 'stage' | 'outcome' | 'reason'>,
): Promise<void> {
  const record = boundedLogRecord({
    ...event,
    model: MANIFEST_LOG_MODEL,
    sha256: '',
    durationMs: 0,
    source: deps.source ?? 'sw',
  });
  deps.channel.post({ type: 'log', record });
  await deps.store.appendLog(record).catch(() => undefined); // a full disk must not fail the check
}

/** The log reason of a failed download attempt that will be retried. */
export function retryNote(r: RetryInfo): string {
  const wait = `${Math.round(r.delayMs)} ms`;
  const from = r.resumeFrom > 0 ? `resuming at byte ${r.resumeFrom}` : 'from the start';
  return `attempt ${r.attempt} of ${r.attempts} failed: ${r.error.message}; retrying in ${wait} (backoff), ${from}`;
}

/** Runs one check; never throws for registry or download problems (they are in the summary and the log). */
export async function runUpdateCheck(deps: UpdateCheckDeps): Promise<CheckSummary> {
  const clock = deps.clock ?? systemClock;
  const { store, channel } = deps;
  const manifestResult = await refreshManifest(deps, clock);
  const summary: CheckSummary = {
    ok: manifestResult.error === undefined,
    serial: manifestResult.current?.manifest.serial ?? null,
    changed: manifestResult.changed,
    ready: [],
    rejected: [],
  };
  if (manifestResult.error !== undefined) summary.error = manifestResult.error;
  const manifest = manifestResult.current?.manifest;
  if (!manifest || !manifestResult.reachable) return summary;

  const installId = await store.getInstallId();
  const control = await store.getControl();
  const plans = planVersions({ manifest, installId, control });

  let logWrites: Promise<void> = Promise.resolve();
  const emit = (record: UpdateLogRecord) => {
    channel.post({ type: 'log', record });
    logWrites = logWrites.then(() => store.appendLog(record)).catch(() => {}); // a full disk must not fail the check
  };

  for (const plan of Object.values(plans)) {
    const state = modelState(control, plan.id);
    if (!(deps.isWanted ?? servedOnThisDevice)(plan.id, state) || !needsSwap(plan, state)) continue;
    if (!deps.userAsked && deps.storageFull?.waiting(plan.target.sha256, clock.now())) continue;
    const outcome = await bringIn(plan, deps, clock, emit);
    if (outcome?.kind === 'ready') summary.ready.push(outcome.item);
    if (outcome?.kind === 'rejected') summary.rejected.push(outcome.item);
  }
  await logWrites;
  await store.evictUnreferenced(Object.values(plans).flatMap((p) => (p.target ? [p.target.sha256] : [])));
  return summary;
}

/** Makes the plan's target present in the cache and announces it. */
async function bringIn(
  plan: ModelPlan & { target: NonNullable<ModelPlan['target']> },
  deps: UpdateCheckDeps,
  clock: Clock,
  emit: (record: UpdateLogRecord) => void,
): Promise<{ kind: 'ready'; item: Ready } | { kind: 'rejected'; item: Rejected } | null> {
  const { store, channel } = deps;
  const candidate: Candidate = { id: plan.id, ...plan.target };
  const entry = (await store.getManifest())?.manifest.models[plan.id]?.versions[plan.target.version];
  const ready = async () => {
    await store.updateControl((c) => setCandidate(c, candidate.id, plan.target));
    channel.post({ type: 'model-ready', ...candidate });
    return { kind: 'ready' as const, item: candidate };
  };
  if (await store.hasBlob(candidate.sha256)) return ready();
  // A target outside the manifest (pinned or fallback local version) cannot be downloaded.
  if (!entry || entry.sha256 !== candidate.sha256) return null;

  const rec = new StageRecorder(candidate, deps.source ?? 'sw', emit, clock);
  const noStorage = await store.storageProblem();
  rec.record(
    'found',
    'ok',
    0,
    noStorage
      ? `${plan.channel} channel; not downloaded here because ${noStorage}: the inference worker downloads and verifies it`
      : `${plan.channel} channel`,
  );
  channel.post({ type: 'model-found', ...candidate, channel: plan.channel, bytes: entry.bytes });
  if (noStorage) return ready();
  await store.updateControl((c) => setCandidate(c, candidate.id, plan.target));

  let lastProgress = -Infinity;
  const progressEvery = deps.progressIntervalMs ?? 100;
  const ensure = createBlobEnsurer({
    locks: deps.locks,
    store: {
      hasBlob: (sha) => store.hasBlob(sha),
      putBlob: async (blob) => {
        const t0 = clock.monotonic();
        const elapsed = () => Math.max(0, clock.monotonic() - t0);
        try {
          const result = await store.putBlob(blob);
          const n = result.evicted.length;
          const note = n
            ? `storage was full: removed ${n} unused model version${n === 1 ? '' : 's'} and retried`
            : undefined;
          rec.record('stored', 'ok', elapsed(), note, true);
          deps.storageFull?.stored(blob.sha256);
          return result;
        } catch (err) {
          // Never the version's fault (its bytes verified): the old version serves on, nothing is kept.
          let reason = describeError(err);
          if (err instanceof StorageFullError && deps.storageFull) {
            const wait = deps.storageFull.failed(blob.sha256, clock.now());
            reason += `; not downloaded again for ${Math.round(wait / 60_000)} min unless you choose Check now`;
          }
          rec.record('stored', 'failed', elapsed(), reason, true);
          throw err;
        }
      },
    },
    fetchVerified: async (req: BlobRequest) => {
      const bytes = await rec.run(
        'downloading',
        () =>
          fetchBlobBytes(req, {
            ...deps.download,
            fetch: deps.fetch,
            signal: deps.signal,
            onProgress: ({ loaded, total }) => {
              const now = clock.monotonic();
              if (loaded < total && now - lastProgress < progressEvery) return;
              lastProgress = now;
              channel.post({ type: 'model-progress', ...candidate, loaded, total });
            },
            // Each failed attempt is logged with the wait before the next, so a user sees why it is slow.
            onRetry: (r) => rec.record('downloading', 'failed', 0, retryNote(r)),
          }),
        { transient: (e) => e instanceof DownloadError },
      );
      return rec.run('verifying', () => verifyBlob(bytes, req));
    },
  });
  try {
    const how = await ensure({
      url: registryUrl(deps.registryUrl, entry.blob),
      sha256: entry.sha256,
      bytes: entry.bytes,
    });
    // Another tab's worker (or an earlier check) stored it while this one waited for the lock.
    if (how === 'cached') rec.record('stored', 'ok', 0, 'already stored by another tab or worker', true);
    return await ready();
  } catch (err) {
    if (isAbortError(err)) throw err;
    if (err instanceof StageRejected) {
      await commitRejection(store, candidate, err.stage, err.reason, clock.now());
      channel.post({ type: 'model-rejected', ...candidate, stage: err.stage, reason: err.reason });
      return { kind: 'rejected', item: { ...candidate, reason: err.reason } };
    }
    await store
      .updateControl((c) =>
        c.models[candidate.id]?.candidate?.sha256 === candidate.sha256 ? setCandidate(c, candidate.id, null) : c,
      )
      .catch(() => undefined); // a full disk: the candidate mark only protects a blob that is not there
    channel.post({ type: 'model-failed', ...candidate, reason: describeError(err) });
    return null;
  }
}
