/**
 * @file The service worker's update logic assembled from its parts (cache, scheduler, update
 * check) with every browser global injected, so sw.ts only forwards events and tests can run
 * the whole thing in Node. Settings sent by a page (poll interval, registry URL, download stall
 * timeout) are persisted:
 * the browser stops idle service workers and a restarted one must keep them.
 */
import { isSwRequest, type CheckSummary } from '../../shared/update-messages.ts';
import type { ModelStore, UpdateSettings } from '../../models/cache/model-store.ts';
import { clampStallTimeout } from '../../models/common/download.ts';
import type { LockManagerLike } from '../../models/common/ensure-blob.ts';
import type { FetchLike } from '../../models/common/http.ts';
import type { ModelsChannel } from '../../models/common/models-channel.ts';
import type { ManifestFetchOptions } from '../../models/common/registry-client.ts';
import { StorageFullBackoff } from '../../models/common/storage-full-backoff.ts';
import { systemClock, type Clock } from '../../models/common/clock.ts';
import { DEFAULT_POLL_INTERVAL_MS, PollScheduler, type PollSchedulerOptions } from './poll-scheduler.ts';
import { runUpdateCheck, type UpdateCheckDeps } from '../../models/common/update-check.ts';

/** What the service worker provides. */
export interface UpdateServiceDeps {
  store: ModelStore;
  channel: Pick<ModelsChannel, 'post'>;
  /** Registry folder used until a page configures another (e.g. `<scope>/models/`). */
  defaultRegistryUrl: string;
  /** `self.skipWaiting()`: only ever called because the user accepted an app-shell update. */
  skipWaiting: () => Promise<void>;
  fetch?: FetchLike;
  locks?: LockManagerLike;
  verifySignature?: ManifestFetchOptions['verifySignature'];
  tasks?: ManifestFetchOptions['tasks'];
  clock?: Clock;
  download?: UpdateCheckDeps['download'];
  /** Which models the checks keep up to date (default: the ones this device has served). */
  isWanted?: UpdateCheckDeps['isWanted'];
  scheduler?: Pick<PollSchedulerOptions, 'random' | 'setTimer' | 'clearTimer' | 'jitter'>;
}

/** Replies the service worker sends back through the message's port. */
export type SwReply = CheckSummary | { ok: true; settings: UpdateSettings };

/** The running update service. */
export interface UpdateService {
  /** Loads settings and arms the poll timer; idempotent. */
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
}

/** Builds the service worker's update service. */
export function createUpdateService(deps: UpdateServiceDeps): UpdateService {
  const clock = deps.clock ?? systemClock;
  let settings: UpdateSettings = {};
  let scheduler: PollScheduler | null = null;
  let starting: Promise<PollScheduler> | null = null;
  const storageFull = new StorageFullBackoff();

  const check = (signalReason: string) =>
    runUpdateCheck({
      store: deps.store,
      channel: deps.channel,
      registryUrl: settings.registryUrl ?? deps.defaultRegistryUrl,
      fetch: deps.fetch,
      locks: deps.locks,
      verifySignature: deps.verifySignature,
      tasks: deps.tasks,
      clock,
      download:
        settings.stallTimeoutMs === undefined
          ? deps.download
          : { ...deps.download, stallTimeoutMs: clampStallTimeout(settings.stallTimeoutMs) },
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
      settings = await deps.store.getSettings();
      const lastCheckAt = (await deps.store.getManifest())?.checkedAt;
      const s = new PollScheduler({
        ...deps.scheduler,
        check,
        intervalMs: settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
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

  return {
    get scheduler() {
      return scheduler;
    },
    async start() {
      await ensureStarted();
    },
    async resume() {
      if ((await deps.store.getSettings()).registryUrl !== undefined) await ensureStarted();
    },
    async handleMessage(data) {
      if (!isSwRequest(data)) return undefined;
      if (data.type === 'SKIP_WAITING') {
        await deps.skipWaiting();
        return undefined;
      }
      const s = await ensureStarted();
      if (data.type === 'check-for-updates') return s.request(data.reason);
      const change: UpdateSettings = {};
      if (data.pollIntervalMs !== undefined) change.pollIntervalMs = data.pollIntervalMs;
      if (data.registryUrl !== undefined) change.registryUrl = new URL(data.registryUrl).href;
      if (data.stallTimeoutMs !== undefined) change.stallTimeoutMs = data.stallTimeoutMs;
      // In force at once: a poll due right now must already use the new registry.
      settings = { ...settings, ...change };
      settings = await deps.store.updateSettings(change);
      if (change.pollIntervalMs !== undefined) s.setIntervalMs(change.pollIntervalMs);
      return { ok: true, settings };
    },
    async periodicSync() {
      await (await ensureStarted()).request('periodic');
    },
  };
}
