/**
 * @file One registry check as the service worker runs it: fetch the manifest conditionally,
 * keep the last good one when the registry is down or serves something invalid, decide per
 * model what this client should run (version policy), download + verify + store what is
 * missing (found → downloading → verifying → stored, each logged), announce `model-ready` so
 * the workers of every tab swap, and evict blobs nothing references. Never reloads anything.
 */
import {
  MANIFEST_LOG_MODEL,
  type CheckSummary,
  type ModelsMessage,
  type UpdateLogRecord,
} from '../../shared/update-messages.ts';
import { manifestFor, type ModelStore, type StoredManifest } from '../../models/cache/model-store.ts';
import { commitRejection } from '../../models/control-actions.ts';
import { fetchBlobBytes, type BlobRequest, type DownloadOptions } from '../../models/download.ts';
import { createBlobEnsurer, type LockManagerLike } from '../../models/ensure-blob.ts';
import {
  describeError,
  DownloadError,
  isAbortError,
  ManifestRejected,
  RegistryUnavailable,
  StorageFullError,
} from '../../models/errors.ts';
import { registryUrl, type FetchLike } from '../../models/http.ts';
import { verifyBlob } from '../../models/integrity.ts';
import { modelState, setCandidate } from '../../models/model-state.ts';
import { fetchManifest, type ManifestFetchOptions } from '../../models/registry-client.ts';
import { StageRecorder, StageRejected, systemClock, type Candidate, type Clock } from '../../models/swap-stages.ts';
import { needsSwap, planVersions, type ModelPlan } from '../../models/version-policy.ts';

/** What a check needs. */
export interface UpdateCheckDeps {
  store: ModelStore;
  channel: { post(message: ModelsMessage): void };
  /** Registry folder URL (holding manifest.json), ending in "/". */
  registryUrl: string;
  fetch?: FetchLike;
  locks?: LockManagerLike;
  verifySignature?: ManifestFetchOptions['verifySignature'];
  clock?: Clock;
  signal?: AbortSignal;
  /** Retry/backoff/stall settings for blob downloads. */
  download?: Omit<DownloadOptions, 'fetch' | 'signal' | 'onProgress'>;
  /** Minimum time between progress messages per blob (default 100 ms). */
  progressIntervalMs?: number;
}

type Ready = CheckSummary['ready'][number];
type Rejected = CheckSummary['rejected'][number];

async function refreshManifest(deps: UpdateCheckDeps, clock: Clock) {
  const { store, channel } = deps;
  // A manifest from another registry (the app was pointed elsewhere) is no predecessor.
  const stored = manifestFor(await store.getManifest(), deps.registryUrl);
  try {
    const res = await fetchManifest(stored, {
      url: registryUrl(deps.registryUrl, 'manifest.json'),
      fetch: deps.fetch,
      signal: deps.signal,
      verifySignature: deps.verifySignature,
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
      channel.post({ type: 'registry-unavailable', reason: err.reason });
      return { current: stored, changed: false, error: err.message, reachable: false };
    }
    throw err;
  }
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
  const record: UpdateLogRecord = {
    time: now,
    model: MANIFEST_LOG_MODEL,
    version: serial === undefined ? 'no serial' : `serial ${serial}`,
    sha256: '',
    stage: 'verifying',
    outcome: 'rejected',
    reason: `manifest refused, the last accepted one stays in force: ${err.reason}`,
    durationMs: 0,
    source: 'sw',
  };
  deps.channel.post({ type: 'log', record });
  await deps.store.appendLog(record).catch(() => undefined); // a full disk must not fail the check
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
    if (!needsSwap(plan, modelState(control, plan.id))) continue;
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

  const rec = new StageRecorder(candidate, 'sw', emit, clock);
  rec.record('found', 'ok', 0, `${plan.channel} channel`);
  channel.post({ type: 'model-found', ...candidate, channel: plan.channel, bytes: entry.bytes });
  await store.updateControl((c) => setCandidate(c, candidate.id, plan.target));

  let lastProgress = -Infinity;
  const progressEvery = deps.progressIntervalMs ?? 100;
  const ensure = createBlobEnsurer({
    locks: deps.locks,
    store: {
      hasBlob: (sha) => store.hasBlob(sha),
      putBlob: (blob) =>
        rec.run('stored', () => store.putBlob(blob), {
          transient: (e) => e instanceof StorageFullError,
          terminal: true,
        }),
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
    await store.updateControl((c) =>
      c.models[candidate.id]?.candidate?.sha256 === candidate.sha256 ? setCandidate(c, candidate.id, null) : c,
    );
    channel.post({ type: 'model-failed', ...candidate, reason: describeError(err) });
    return null;
  }
}
