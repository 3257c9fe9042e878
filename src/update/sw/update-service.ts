/**
 * @file The service worker's update logic assembled from its parts (cache, scheduler, update
 * check) with every browser global injected, so sw.ts only forwards events and tests can run
 * the whole thing in Node. Settings a page sends (poll interval, registry URL, download stall
 * timeout) hold for that page's visit: the page sends its visit's effective settings when it
 * starts and with every check, and they are kept in memory only, so a visit without `?poll=` or
 * `?stall=` gets the defaults back and a service worker the browser restarted mid-visit follows
 * the visit again at its next tick. The only thing stored is that a page configured this worker,
 * so a re-activated one resumes polling.
 */
import { isSwRequest, type CheckSummary, type RequestedSettings } from '../../shared/update-messages.ts';
import { pollBoundsFor, visitSettings, type VisitSettings } from '../../shared/update-settings.ts';
import { registryVerdict } from '../../shared/registry-origins.ts';
import type { ModelStore } from '../../models/cache/model-store.ts';
import type { LockManagerLike } from '../../models/common/ensure-blob.ts';
import type { FetchLike } from '../../models/common/http.ts';
import type { ModelsChannel } from '../../models/common/models-channel.ts';
import type { ManifestFetchOptions } from '../../models/common/registry-client.ts';
import { StorageFullBackoff } from '../../models/common/storage-full-backoff.ts';
import { systemClock, type Clock } from '../../models/common/clock.ts';
import { PollScheduler, type PollSchedulerOptions } from './poll-scheduler.ts';
import { runUpdateCheck, type UpdateCheckDeps } from '../../models/common/update-check.ts';

/** What the service worker provides. */
export interface UpdateServiceDeps {
  store: ModelStore;
  channel: Pick<ModelsChannel, 'post'>;
  /**
   * Registry folder followed unless this visit's page names another (`<scope>/models/`, beside
   * the app): its origin is the app's, which sets the poll floor (update-settings.ts).
   */
  defaultRegistryUrl: string;
  /**
   * Origins besides the app's that a page may point it at (the build's HOTLENS_REGISTRY_ORIGINS;
   * the page refuses others first, this is the second check). Default: none.
   */
  allowedRegistryOrigins?: readonly string[];
  /** `self.skipWaiting()`: only ever called because the user accepted an app-shell update. */
  skipWaiting: () => Promise<void>;
  fetch?: FetchLike;
  locks?: LockManagerLike;
  verifySignature?: ManifestFetchOptions['verifySignature'];
  tasks?: ManifestFetchOptions['tasks'];
  clock?: Clock;
  download?: UpdateCheckDeps['download'];
  /** Limit of one manifest request (default update-settings.ts MANIFEST_TIMEOUT). */
  manifestTimeoutMs?: number;
  /** Which models the checks keep up to date (default: the ones this device has served). */
  isWanted?: UpdateCheckDeps['isWanted'];
  scheduler?: Pick<PollSchedulerOptions, 'random' | 'setTimer' | 'clearTimer' | 'jitter'>;
}

/** Replies the service worker sends back through the message's port. */
export type SwReply = CheckSummary | { ok: true; settings: VisitSettings };

/** The running update service. */
export interface UpdateService {
  /** Arms the poll timer; idempotent. */
  start(): Promise<void>;
  /**
   * Starts polling only if a page configured the service before (a re-activated or restarted
   * worker). A fresh install waits for the first page message, which carries the registry URL:
   * polling the default registry first would download models the page does not use.
   */
  resume(): Promise<void>;
  /** Handles a page's message; returns the reply for its port, undefined for messages it ignores. */
  handleMessage(data: unknown): Promise<SwReply | undefined>;
  /** A Periodic Background Sync event (when the browser grants it): a check if one is due. */
  periodicSync(): Promise<void>;
  /** The scheduler, once started (for status and tests). */
  readonly scheduler: PollScheduler | null;
  /** The settings in force: the last page's visit, or the defaults. */
  readonly settings: VisitSettings;
}

/** Builds the service worker's update service. */
export function createUpdateService(deps: UpdateServiceDeps): UpdateService {
  const clock = deps.clock ?? systemClock;
  const appOrigin = new URL(deps.defaultRegistryUrl).origin;
  const bounds = pollBoundsFor(appOrigin);
  let visit = visitSettings({ registryUrl: deps.defaultRegistryUrl }, appOrigin);
  let configured = false;
  let scheduler: PollScheduler | null = null;
  let starting: Promise<PollScheduler> | null = null;
  const storageFull = new StorageFullBackoff();

  const check = (signalReason: string) =>
    runUpdateCheck({
      store: deps.store,
      channel: deps.channel,
      registryUrl: visit.registryUrl,
      fetch: deps.fetch,
      locks: deps.locks,
      verifySignature: deps.verifySignature,
      tasks: deps.tasks,
      clock,
      download: { ...deps.download, stallTimeoutMs: visit.stallTimeoutMs },
      manifestTimeoutMs: deps.manifestTimeoutMs,
      storageFull,
      userAsked: signalReason === 'user',
      isWanted: deps.isWanted,
    }).catch((err: unknown) => {
      throw new Error(`update check (${signalReason}) failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    });

  const ensureStarted = (): Promise<PollScheduler> => {
    starting ??= (async () => {
      const lastCheckAt = (await deps.store.getManifest())?.checkedAt;
      const s = new PollScheduler({
        ...deps.scheduler,
        check,
        intervalMs: visit.pollIntervalMs,
        bounds,
        lastCheckAt,
        now: () => clock.now(),
      });
      s.start();
      scheduler = s;
      return s;
    })();
    starting.catch(() => (starting = null));
    return starting;
  };

  /** The registry a page asked for, as an absolute folder URL; the default when it named none, nonsense or one not allowed. */
  const registryOf = (requested: string | undefined): string => {
    if (requested === undefined) return deps.defaultRegistryUrl;
    let href: string;
    try {
      href = new URL(requested).href;
    } catch {
      return deps.defaultRegistryUrl;
    }
    const verdict = registryVerdict(href, appOrigin, deps.allowedRegistryOrigins ?? []);
    return verdict === 'refused' ? deps.defaultRegistryUrl : href;
  };

  /** Puts a page's visit settings in force (defaults for what it left out, clamped); stores only that it came. */
  const follow = async (requested: RequestedSettings, s: PollScheduler): Promise<void> => {
    const next = visitSettings(
      {
        registryUrl: registryOf(requested.registryUrl),
        pollIntervalMs: requested.pollIntervalMs,
        stallTimeoutMs: requested.stallTimeoutMs,
      },
      appOrigin,
    );
    const intervalChanged = next.pollIntervalMs !== visit.pollIntervalMs;
    // In force at once: a poll due right now must already use the new registry.
    visit = next;
    if (intervalChanged) s.setIntervalMs(next.pollIntervalMs);
    if (!configured) {
      await deps.store.updateSettings({ configured: true });
      configured = true;
    }
  };

  return {
    get scheduler() {
      return scheduler;
    },
    get settings() {
      return visit;
    },
    async start() {
      await ensureStarted();
    },
    async resume() {
      // Any stored record means a page configured this worker (older builds stored their settings).
      if (Object.keys(await deps.store.getSettings()).length > 0) await ensureStarted();
    },
    async handleMessage(data) {
      if (!isSwRequest(data)) return undefined;
      if (data.type === 'SKIP_WAITING') {
        await deps.skipWaiting();
        return undefined;
      }
      const s = await ensureStarted();
      if (data.type === 'check-for-updates') {
        if (data.settings) await follow(data.settings, s);
        return s.request(data.reason);
      }
      const { type: _type, ...requested } = data;
      await follow(requested, s);
      return { ok: true, settings: visit };
    },
    async periodicSync() {
      await (await ensureStarted()).request('periodic');
    },
  };
}
