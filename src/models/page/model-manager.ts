/**
 * @file The page's model manager: owns which versions this tab serves and every change to
 * them. It serves the models of the enabled features only: at start it loads their active
 * versions from IndexedDB (no network; it downloads only what is missing), and loads or retires
 * models when the user turns features on or off. Afterwards it follows the version policy: when
 * the service worker announces a stored candidate (`model-ready`), another tab swaps or rolls
 * back, or the user pins, it runs the staged hot swap of that one model (hot-swap.ts), one swap
 * at a time. After a flip it watches the new version: K consecutive failures roll it back from
 * IndexedDB and mark it bad. Models whose versions form a group (manifest-groups.ts) are swapped,
 * watched and rolled back as one set (group-sets.ts), so no analysis mixes generations. A version
 * whose entry asks for a shadow gate runs beside the serving one before its flip (the injected
 * `shadowGate` judges it). A local override (a model file the user chose on this device) is one
 * more plan target: it swaps in and out through the same swap.
 *
 * Browser-free: the engine (EnginePool), storage, channel and clock are injected, so the whole
 * behaviour runs in Node tests against a fake engine.
 */
import type { Feature } from '../../shared/feature.ts';
import type { ShadowGate } from '../../shared/manifest-types.ts';
import { modelsOf, selectFeatures } from '../../shared/feature-set.ts';
import type { TaskRegistry } from '../../shared/tasks.ts';
import { boundedLogRecord, type ModelsMessage, type UpdateLogRecord } from '../../shared/update-messages.ts';
import type { EngineInfo, ModelSpec, ProgressListener } from '../../shared/worker-api.ts';
import { failedModelOf, hasErrorName } from '../../shared/errors.ts';
import { backoffDelay } from '../common/backoff.ts';
import { manifestFor, type ModelStore } from '../cache/model-store.ts';
import {
  commitPin,
  commitProven,
  commitRejection,
  commitRollbackSet,
  commitServingSet,
} from '../common/control-actions.ts';
import type { EnginePool, RunOutcome } from './engine-pool.ts';
import { describeError, StorageFullError } from '../common/errors.ts';
import type { FetchLike } from '../common/http.ts';
import type { ManifestFetchOptions } from '../common/registry-client.ts';
import { hotSwapSet } from './hot-swap.ts';
import { LogWrites } from './log-writes.ts';
import { rollbackSetOf, swapSetOf } from './group-sets.ts';
import type { ManagerEvent, ManagerState, StorageStatus } from './manager-types.ts';
import {
  clearLocalOverride,
  setLocalOverride,
  type LocalOverride,
  type RollbackResult,
} from '../common/model-state.ts';
import type { VerifiedBlob } from '../common/integrity.ts';
import type { VersionRef } from '../../shared/update-messages.ts';
import { RuntimeHealth } from './runtime-health.ts';
import { specFor } from './serving-set.ts';
import { StageBoard } from './stage-board.ts';
import { loadModels, loadStartManifest } from './start-up.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import type { Candidate } from '../common/stage-recorder.ts';
import { planVersions } from '../common/version-policy.ts';

/** What a shadow gate is asked to judge: the staged candidate `key` of `spec`, against `serving`. */
export interface ShadowGateRequest {
  key: string;
  spec: ModelSpec;
  serving: ModelSpec | undefined;
  gate: ShadowGate;
}

/** Runs a shadow comparison for a gated version and judges it (problems reject it at `shadowed`). */
export type ShadowGateRunner = (request: ShadowGateRequest) => Promise<{ problems: string[]; note: string }>;

/** What the manager needs. */
export interface ManagerDeps {
  store: ModelStore;
  pool: EnginePool;
  /** Every feature of the app (which models each needs). */
  features: readonly Feature[];
  /** Their task contracts (compat checks, manifest validation). */
  tasks: TaskRegistry;
  /** Posts on the models channel (the service worker and every tab listen). */
  channel: { post(message: ModelsMessage): void };
  /** Registry folder URL (holding manifest.json), ending in "/". */
  registryUrl: string;
  /** True while a service worker downloads candidates; without one the standby worker fetches them. */
  hasUpdater(): boolean;
  onEvent?: (event: ManagerEvent) => void;
  fetch?: FetchLike;
  /** Signature check for a manifest this tab fetches itself (first visit), as the service worker's. */
  verifySignature?: ManifestFetchOptions['verifySignature'];
  clock?: Clock;
  /** Consecutive failures after a flip that trigger a rollback (default 3). */
  failureThreshold?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Judges versions whose entry asks for a shadow gate; without it they swap in ungated. */
  shadowGate?: ShadowGateRunner;
}

const ref = (s: ModelSpec) => ({ version: s.version, sha256: s.sha256 });

/** Stages of bringing a version onto the device (not of swapping it in a tab). */
const DOWNLOAD_STAGES: ReadonlySet<string> = new Set(['found', 'downloading', 'verifying', 'stored']);

/** The page's model manager (one per tab). */
export class ModelManager {
  private started = false;
  private serving: Record<string, ModelSpec> = {};
  /** The features this tab runs; their models serve. */
  private enabled: string[] = [];
  private readonly stages: StageBoard;
  private queue: Promise<unknown> = Promise.resolve();
  private reconcileQueued = false;
  private readonly logWrites: LogWrites;
  private readonly health: RuntimeHealth;
  /** The models flipped last by an update (one, or a group): their runtime failures count towards a rollback. */
  private watched: readonly string[] = [];
  /** Transient swap failures per sha256: not retried before `until`. */
  private readonly retry = new Map<string, { attempts: number; until: number }>();
  private installId: string | null = null;
  private registryProblem: string | null = null;
  /** Why the last version could not be saved (a full disk), until one is saved again. */
  private storageFull: string | null = null;
  private readonly clock: Clock;
  private disposed = false;
  /** The last state published with storage read, which a stage move reuses. */
  private published: ManagerState | null = null;

  constructor(private readonly deps: ManagerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.health = new RuntimeHealth(deps.failureThreshold);
    this.logWrites = new LogWrites((...records) => deps.store.appendLog(...records));
    this.stages = new StageBoard(
      modelsOf(deps.features).map((m) => m.id),
      () => this.publishStages(),
      this.clock,
    );
  }

  private emit(event: ManagerEvent): void {
    if (!this.disposed) this.deps.onEvent?.(event);
  }

  /** Persists, broadcasts and shows this tab's log records; the stages follow them. */
  private record(made: UpdateLogRecord[]): void {
    if (made.length === 0) return;
    const records = made.map(boundedLogRecord);
    this.logWrites.add(records);
    for (const record of records) this.deps.channel.post({ type: 'log', record });
    this.emit({ type: 'log', records });
    for (const r of records) {
      this.stages.follow(r);
      this.noteStorage(r);
    }
  }

  /** A `stored` record (this tab's in-page check or the service worker's) says whether the disk had room. */
  private noteStorage(r: UpdateLogRecord): void {
    if (r.stage !== 'stored' || (r.outcome !== 'ok' && r.outcome !== 'failed')) return;
    // The reason's first clause is the cause; the advice after it is in the notice already.
    const cause = r.reason?.split('; ')[0] ?? 'storage error';
    const full = r.outcome === 'failed' ? `${r.model} ${r.version} could not be saved: ${cause}` : null;
    if (full === this.storageFull) return;
    this.storageFull = full;
    void this.publishState();
  }

  /** Serving bytes that storage could not keep (origin `memory`) mean a full disk, unless storage is off altogether. */
  private noteServing(info: EngineInfo): void {
    const unsaved = Object.values(info.models).filter((m) => m.origin === 'memory');
    if (unsaved.length === 0) return;
    this.storageFull =
      `${unsaved.map((m) => `${m.id} ${m.version}`).join(', ')} could not be saved on this device, ` +
      `so ${unsaved.length === 1 ? 'it serves' : 'they serve'} from memory and will be downloaded again next visit`;
  }

  private async storageStatus(): Promise<StorageStatus> {
    const unavailable = await this.deps.store.storageProblem();
    if (unavailable) return { state: 'unavailable', reason: unavailable };
    return this.storageFull ? { state: 'full', reason: this.storageFull } : { state: 'ok' };
  }

  /** The UI snapshot: IndexedDB state plus what this tab serves and where each update stands. */
  async state(): Promise<ManagerState> {
    const { store } = this.deps;
    const [stored, control, storage] = await Promise.all([
      store.getManifest(),
      store.getControl(),
      this.storageStatus(),
    ]);
    // The manifest in force: this registry's, else the last accepted one this tab started from
    // (a link to another spelling or registry whose manifest was refused); a refusal is shown
    // whichever registry it came from.
    const current = manifestFor(stored, this.deps.registryUrl) ?? stored;
    this.installId ??= await this.loadInstallId();
    return {
      installId: this.installId,
      manifest: current?.manifest ?? null,
      manifestProblem: current?.lastRejection?.reason ?? null,
      registryProblem: this.registryProblem,
      control,
      plans: planVersions({ manifest: current?.manifest, installId: this.installId, control }),
      serving: this.servingRefs(),
      stages: this.stages.snapshot(),
      storage,
    };
  }

  private servingRefs(): ManagerState['serving'] {
    return Object.fromEntries(Object.entries(this.serving).map(([id, s]) => [id, ref(s)]));
  }

  private async publishState(): Promise<void> {
    if (this.disposed || !this.deps.onEvent) return;
    try {
      this.published = await this.state();
      this.emit({ type: 'state', state: this.published });
    } catch {
      // Storage busy or gone for a moment: the next change publishes again.
    }
  }

  /**
   * A stage moved: published at once on the last full state, without reading storage again (a
   * swap moves seven stages in about half a second, and reading the manifest and control state
   * for each took the page's thread, which draws the live video). What storage holds is
   * published in full after the flip and when the swap ends.
   */
  private publishStages(): void {
    if (this.disposed || !this.deps.onEvent) return;
    if (!this.published) return void this.publishState();
    this.emit({
      type: 'state',
      state: { ...this.published, serving: this.servingRefs(), stages: this.stages.snapshot() },
    });
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Loads what this tab serves first, for the enabled `features`: cached versions when there are
   * any (no network), else the planned ones (downloaded, verified, stored). Every version is
   * probed and warmed before it serves; one that fails its probe is marked bad and the next
   * choice is tried.
   */
  async start(features: readonly string[], onProgress?: ProgressListener): Promise<EngineInfo> {
    const info = await this.enqueue(() => this.startOnce(features, onProgress));
    this.started = true;
    // `ready` must find the versions, channels and stages already published.
    await this.publishState();
    // Versions stored while no tab was open, or a pin set in another tab, apply now.
    this.reconcile();
    return info;
  }

  /** The install id; on a disk too full to keep one, a fresh id for this page (the canary bucket may then change per visit). */
  private async loadInstallId(): Promise<string> {
    try {
      return await this.deps.store.getInstallId();
    } catch (err) {
      if (!(err instanceof StorageFullError)) throw err;
      this.storageFull = describeError(err).split('; ')[0] ?? null;
      return crypto.randomUUID();
    }
  }

  /** The model ids the given features need. */
  private modelIds(features: readonly string[]): string[] {
    return modelsOf(selectFeatures(this.deps.features, features)).map((m) => m.id);
  }

  /** Loads `ids` (not serving yet) and makes them serve; returns the engine info. */
  private async bringIn(ids: string[], note: string, onProgress?: ProgressListener): Promise<EngineInfo> {
    const { store } = this.deps;
    this.installId ??= await this.loadInstallId();
    for (const id of ids) this.stages.set(id, 'loading', null);
    try {
      const { manifest } = await loadStartManifest({
        store,
        registryUrl: this.deps.registryUrl,
        clock: this.clock,
        fetch: this.deps.fetch,
        manifestOptions: { verifySignature: this.deps.verifySignature, tasks: this.deps.tasks },
        onProgress,
      });
      const loaded = await loadModels(
        {
          store,
          pool: this.deps.pool,
          installId: this.installId,
          clock: this.clock,
          ids,
          onProgress,
          note,
          record: (records) => this.record(records),
        },
        manifest,
      );
      this.serving = { ...this.serving, ...loaded.set };
      for (const spec of Object.values(loaded.set)) this.stages.set(spec.id, 'idle', spec.version);
      this.noteServing(loaded.info);
      this.emit({ type: 'serving', info: loaded.info });
      return loaded.info;
    } catch (err) {
      for (const id of ids) this.stages.set(id, 'error', null, { reason: describeError(err) });
      throw err;
    }
  }

  private async startOnce(features: readonly string[], onProgress?: ProgressListener): Promise<EngineInfo> {
    this.installId = await this.loadInstallId();
    this.enabled = [...features];
    this.serving = {};
    const ids = this.modelIds(features);
    // Models of features that are off do not load: they rest until a feature needs them.
    for (const m of modelsOf(this.deps.features)) if (!ids.includes(m.id)) this.stages.set(m.id, 'idle', null);
    return this.bringIn(ids, 'loaded at start-up', onProgress);
  }

  /**
   * Serves exactly the models of `features` from now on: loads the missing ones (like start-up,
   * off the hot path) and retires the ones no enabled feature needs (drained, then released).
   */
  setFeatures(features: readonly string[], onProgress?: ProgressListener): Promise<EngineInfo> {
    return this.enqueue(async () => {
      this.enabled = [...features];
      const needed = this.modelIds(features);
      const missing = needed.filter((id) => !this.serving[id]);
      const extra = Object.keys(this.serving).filter((id) => !needed.includes(id));
      const names = selectFeatures(this.deps.features, features)
        .map((f) => f.label)
        .join(', ');
      if (missing.length > 0) await this.bringIn(missing, `loaded for ${names || 'the chosen features'}`, onProgress);
      if (extra.length > 0) {
        const { pool } = this.deps;
        const retired = await pool.retire(extra);
        for (const id of extra) {
          delete this.serving[id];
          this.stages.set(id, 'idle', null);
        }
        if (retired) await pool.drain(retired).then(() => pool.release(retired));
      }
      const info = await this.deps.pool.info();
      this.emit({ type: 'serving', info });
      await this.publishState();
      return info;
    });
  }

  /** The features this tab runs. */
  get features(): readonly string[] {
    return this.enabled;
  }

  /** Reacts to a message on the models channel (from the service worker or another tab). */
  handleMessage(message: ModelsMessage): void {
    switch (message.type) {
      case 'log':
        this.emit({ type: 'log', records: [message.record] });
        // Other tabs' swaps are theirs; downloads (the service worker's, or a page's own check
        // when there is none) fill the device's storage, so their stages are every tab's.
        if (message.record.source === 'sw' || DOWNLOAD_STAGES.has(message.record.stage)) {
          this.stages.follow(message.record);
          this.noteStorage(message.record);
        }
        return;
      case 'model-progress':
        this.stages.set(message.id, 'downloading', message.version, {
          progress: { loaded: message.loaded, total: message.total },
        });
        return;
      case 'model-found':
        this.stages.set(message.id, 'found', message.version);
        return;
      case 'model-failed':
        this.stages.set(message.id, 'idle', message.version, { reason: message.reason });
        return;
      case 'registry-unavailable':
        this.registryProblem = message.reason;
        void this.publishState();
        return;
      case 'manifest-rejected':
        void this.publishState();
        return;
      case 'manifest-accepted':
        this.registryProblem = null;
        this.reconcile();
        return;
      default:
        // model-ready, model-serving / model-rolled-back (another tab), model-rejected.
        this.reconcile();
    }
  }

  /** Brings this tab to the versions the policy asks for, one swap at a time. */
  reconcile(): void {
    if (!this.started || this.reconcileQueued || this.disposed) return;
    this.reconcileQueued = true;
    void this.enqueue(async () => {
      this.reconcileQueued = false;
      for (let i = 0; i < Object.keys(this.serving).length * 2 && (await this.reconcileOnce()); i++);
      await this.publishState();
    });
  }

  private async reconcileOnce(): Promise<boolean> {
    if (this.disposed) return false;
    const { store } = this.deps;
    const stored = manifestFor(await store.getManifest(), this.deps.registryUrl);
    const control = await store.getControl();
    this.installId ??= await this.loadInstallId();
    const plans = planVersions({ manifest: stored?.manifest, installId: this.installId, control });
    for (const id of Object.keys(this.serving)) {
      const target = plans[id]?.target;
      const current = this.serving[id];
      if (!target || !current || target.sha256 === current.sha256 || !stored) continue;
      // A group's members move together: stage them as one set, or wait until all can.
      const ids = swapSetOf(id, stored.manifest, plans, this.serving);
      const specs = ids.map((x) => specFor(stored.manifest, control, x, plans[x]!.target!));
      if (specs.some((s) => !s) || specs.some((s) => this.retryLater(s!.sha256))) continue;
      // With a service worker, wait until it has stored the blobs (it announces model-ready);
      // with no storage to share, this tab's standby worker downloads them.
      if (this.deps.hasUpdater() && !(await store.storageProblem())) {
        let missing = false;
        for (const s of specs) if (!(await store.hasBlob(s!.sha256))) missing = true;
        if (missing) continue;
      }
      await this.swap(
        specs as ModelSpec[],
        'update',
        ids.map((x) => plans[x]!.channel),
      );
      return true;
    }
    return false;
  }

  private retryLater(sha256: string): boolean {
    const r = this.retry.get(sha256);
    return r !== undefined && this.clock.now() < r.until;
  }

  private noteTransient(sha256: string): void {
    const attempts = (this.retry.get(sha256)?.attempts ?? 0) + 1;
    const delay = Math.max(1000, backoffDelay(attempts, { baseDelayMs: 2000, maxDelayMs: 60_000 }));
    this.retry.set(sha256, { attempts, until: this.clock.now() + delay });
    (this.deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms)))(() => this.reconcile(), delay + 10);
  }

  /**
   * Swaps one model, or a group's members as one set, and commits the outcome; an `update`
   * promotes, a `rollback` follows a committed rollback. A rejected set marks the members at fault
   * (all of them when the fault cannot be pinned on one).
   */
  private async swap(specs: ModelSpec[], kind: 'update' | 'rollback', channels?: string[]): Promise<void> {
    // Its stage records go to storage in one write when it ends (log-writes.ts).
    this.logWrites.hold();
    try {
      await this.stagedSwap(specs, kind, channels);
    } finally {
      await this.logWrites.release();
    }
  }

  private async stagedSwap(specs: ModelSpec[], kind: 'update' | 'rollback', channels?: string[]): Promise<void> {
    const { store, shadowGate } = this.deps;
    const candidates: Candidate[] = specs.map((s) => ({ id: s.id, ...ref(s) }));
    const first = candidates[0]!;
    let result;
    try {
      result = await hotSwapSet({
        ...(specs.some((s) => s.local) ? { source: 'local' as const } : {}),
        ...(shadowGate
          ? {
              shadow: (key: string, s: ModelSpec) =>
                shadowGate({ key, spec: s, serving: this.serving[s.id], gate: s.file.shadow! }),
            }
          : {}),
        pool: this.deps.pool,
        tasks: this.deps.tasks,
        serving: this.serving,
        specs,
        clock: this.clock,
        emit: (rec) => {
          this.record([rec]);
          if (rec.stage === 'serving' && rec.outcome === 'ok' && rec.model === first.id)
            this.afterFlip(candidates, kind, channels?.[0]);
        },
        flipped: (set, info) => {
          this.serving = set;
          this.noteServing(info);
          this.emit({ type: 'serving', info });
        },
        onProbePassed: (s, runtime) =>
          void commitProven(store, { id: s.id, sha256: s.sha256 }, runtime, this.clock.now()).catch(() => undefined),
      });
    } catch {
      // A crashed host, unreadable storage or a probe image that could not be had: logged as
      // failed; the old versions serve on and the swap is tried again after a backoff.
      for (const s of specs) this.noteTransient(s.sha256);
      await this.publishState();
      return;
    }
    if (result.outcome === 'rejected') {
      const culprits = candidates.filter((c) => result.culprits?.includes(c.id) ?? true);
      for (const c of culprits) {
        await commitRejection(store, c, result.stage, result.reason, this.clock.now());
        this.deps.channel.post({ type: 'model-rejected', ...c, stage: result.stage, reason: result.reason });
      }
      const what = specs.map((s) => `${s.id} ${s.version}`).join(', ');
      this.emit({
        type: 'notice',
        text: `${what} ${specs.length > 1 ? 'were' : 'was'} rejected (${result.stage}): ${result.reason}`,
      });
    } else if (result.outcome === 'failed') {
      for (const s of specs) this.noteTransient(s.sha256);
    } else if (result.outcome === 'serving') {
      for (const s of specs) this.retry.delete(s.sha256);
      await store.evictUnreferenced().catch(() => undefined);
    }
    // The swap is over: what it stored is shown.
    await this.publishState();
  }

  /** The flip happened (frames already go to the new versions): commit, announce, watch their health. */
  private afterFlip(candidates: readonly Candidate[], kind: 'update' | 'rollback', channel?: string): void {
    this.health.reset();
    this.watched = kind === 'update' ? candidates.map((c) => c.id) : [];
    const via = channel ? ` (${channel})` : '';
    const what = candidates.map((c) => `${c.id} now serves ${c.version}`).join(', ');
    this.emit({ type: 'notice', text: `${what}${via}.` });
    void (async () => {
      if (kind === 'update') await commitServingSet(this.deps.store, candidates).catch(() => undefined);
      for (const c of candidates) this.deps.channel.post({ type: 'model-serving', ...c });
      await this.publishState();
    })();
  }

  /**
   * Rolls `id` back to its previous version (from IndexedDB, no network). When the version it
   * serves belongs to a group, the group's members that came in with it go back with it, as one
   * set (all or none); `culprits` (runtime rollbacks) are the members marked bad, else all.
   * Returns `id`'s rollback, with the whole set in `group` when there was one.
   */
  rollback(
    id: string,
    kind: 'manual' | 'runtime' = 'manual',
    reason = 'rolled back by the user',
    culprits?: readonly string[],
  ): Promise<RollbackResult & { group?: Record<string, { from: VersionRef; to: VersionRef }> }> {
    return this.enqueue(async () => {
      const { store, channel } = this.deps;
      const t0 = this.clock.monotonic();
      const manifest = (await store.getManifest())?.manifest;
      const ids = rollbackSetOf(id, manifest, await store.getControl(), this.serving);
      const results = await commitRollbackSet(store, ids, kind, reason, this.clock.now(), culprits);
      const control = await store.getControl();
      for (const x of ids)
        channel.post({ type: 'model-rolled-back', id: x, from: results[x]!.from, to: results[x]!.to, reason });
      const specs = ids
        .map((x) => specFor(manifest, control, x, results[x]!.to))
        .filter((s): s is ModelSpec => s !== null && this.serving[s.id]?.sha256 !== s.sha256);
      if (specs.length > 0) await this.swap(specs, 'rollback');
      const together = ids.length > 1 ? ` (with ${ids.filter((x) => x !== id).join(', ')}, one group)` : '';
      this.record(
        ids.map((x) => ({
          time: this.clock.now(),
          model: x,
          ...results[x]!.from,
          stage: 'serving' as const,
          outcome: 'rolled-back' as const,
          reason: `${kind} rollback to ${results[x]!.to.version}${ids.length > 1 ? ` with its group` : ''}: ${reason}`,
          durationMs: this.clock.monotonic() - t0,
          source: 'page' as const,
        })),
      );
      this.emit({ type: 'notice', text: `${id} rolled back to ${results[id]!.to.version}${together}.` });
      await this.publishState();
      await this.logWrites.flush();
      const mine = results[id]!;
      if (ids.length === 1) return mine;
      const group = Object.fromEntries(ids.map((x) => [x, { from: results[x]!.from, to: results[x]!.to }]));
      return { ...mine, group };
    });
  }

  /**
   * Uses a model file on this device instead of the registry's versions of its id: records the
   * override (which keeps its blob), stores the verified bytes, and swaps it in through the staged
   * swap (probe, warm-up, flip, drain; rolled back on runtime failure). Resolves when the swap ended.
   */
  async useLocal(override: LocalOverride, blob: VerifiedBlob): Promise<void> {
    const { store } = this.deps;
    await store.updateControl((c) => setLocalOverride(c, override));
    try {
      await store.putBlob(blob);
    } catch (err) {
      await store.updateControl((c) => clearLocalOverride(c, override.id)).catch(() => undefined);
      throw err;
    }
    this.reconcile();
    await this.idle();
    await this.publishState();
  }

  /** Ends the local override of `id`: the registry's version swaps back in (once its bytes are on the device). */
  async stopLocal(id: string): Promise<void> {
    await this.deps.store.updateControl((c) => clearLocalOverride(c, id));
    this.emit({ type: 'notice', text: `${id} follows the registry again.` });
    this.reconcile();
    await this.idle();
    await this.publishState();
  }

  /** Pins `id` to `version` (null unpins) and moves this tab there once the bytes are cached. */
  async pin(id: string, version: string | null): Promise<void> {
    await commitPin(this.deps.store, id, version);
    this.emit({
      type: 'notice',
      text: version === null ? `${id} unpinned; it follows its channel again.` : `${id} pinned to ${version}.`,
    });
    this.reconcile();
    await this.publishState();
  }

  /** Counts a run of the serving worker; K consecutive failures of the models flipped last roll them back. */
  reportRun(outcome: RunOutcome): void {
    const watched = this.watched;
    if (watched.length === 0) return;
    if (outcome.ok) {
      this.health.success();
      return;
    }
    const crashed = hasErrorName(outcome.error, 'WorkerCrashedError');
    const failed = failedModelOf(outcome.error)?.id;
    if (!crashed && (failed === undefined || !watched.includes(failed))) return;
    const verdict = this.health.failure(describeError(outcome.error));
    if (!verdict.rollback) return;
    this.watched = [];
    // A group goes back as a set; only the member that failed is marked bad (a crash: all of them).
    const culprits = failed !== undefined && watched.includes(failed) ? [failed] : undefined;
    const first = failed !== undefined && watched.includes(failed) ? failed : watched[0]!;
    this.rollback(first, 'runtime', verdict.reason, culprits).catch((err: unknown) =>
      this.emit({ type: 'notice', text: `Automatic rollback of ${watched.join(', ')} failed: ${describeError(err)}` }),
    );
  }

  /**
   * Logs records of checks that ran outside a swap (a model file tried from the Models panel,
   * source `local`): stored, broadcast and shown like a swap's, without moving the model's stage.
   */
  logRecords(records: readonly UpdateLogRecord[]): void {
    if (records.length === 0) return;
    const bounded = records.map(boundedLogRecord);
    this.logWrites.add(bounded);
    for (const record of bounded) this.deps.channel.post({ type: 'log', record });
    this.emit({ type: 'log', records: bounded });
  }

  /** The versions this tab serves now, by model id. */
  servingSpecs(): Readonly<Record<string, ModelSpec>> {
    return { ...this.serving };
  }

  /** Resolves once queued work (start, swaps, rollbacks) is done. */
  idle(): Promise<void> {
    return this.enqueue(async () => this.logWrites.flush());
  }

  /** Stops reacting to messages and events. */
  dispose(): void {
    this.disposed = true;
    void this.logWrites.flush();
  }
}
