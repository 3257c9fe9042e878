/**
 * @file The page's side of updates, with the browser injected (workbox-window, page events,
 * timers) so it is testable: registers the service worker, asks it to check (on demand, on
 * focus, and by cheap periodic ticks that wake a stopped service worker), forwards settings,
 * and turns "a new app shell is waiting" into a prompt for the UI. It never reloads on its own:
 * only the prompt's `accept()` activates the new shell and reloads.
 */
import { clampTiming, POLL_INTERVAL } from '../../shared/update-settings.ts';
import type { CheckReason, CheckSummary } from '../../shared/update-messages.ts';

/** The part of workbox-window's `Workbox` used here. */
export interface WorkboxLike {
  addEventListener(type: 'waiting' | 'controlling', listener: (event: unknown) => void): void;
  register(): Promise<unknown>;
  messageSW(data: object): Promise<unknown>;
  messageSkipWaiting(): void;
}

/** Page lifecycle events that should trigger a check. */
export interface PageEventsLike {
  /** Subscribes to "the page became visible or focused"; returns an unsubscribe function. */
  onFocus(listener: () => void): () => void;
}

/** Handed to the UI when a new app shell is waiting. */
export interface ShellUpdatePrompt {
  /** Activates the new service worker, then reloads once it controls the page. */
  accept(): void;
  /** Keeps the current shell; the prompt comes back on the next load. */
  dismiss(): void;
}

/** Options of {@link createUpdateClient}. */
export interface UpdateClientOptions {
  workbox: WorkboxLike;
  reload: () => void;
  /** Called when an app-shell update is waiting; show "Update available — reload?". */
  onShellUpdate?: (prompt: ShellUpdatePrompt) => void;
  page?: PageEventsLike;
  /** Sent to the service worker at start (e2e uses ~1 s). */
  pollIntervalMs?: number;
  registryUrl?: string;
  /** Sent to the service worker at start: its model-download stall timeout (e2e fault tests shorten it). */
  stallTimeoutMs?: number;
  /** How often the page pokes the service worker (default: half the poll interval, at most 30 s). */
  tickMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** Settings the page hands the service worker. */
export interface SwSettings {
  pollIntervalMs?: number;
  registryUrl?: string;
  stallTimeoutMs?: number;
}

/** What the app calls. */
export interface UpdateClient {
  /** Registers the service worker and starts ticking. */
  start(): Promise<void>;
  /** Asks the service worker to check the registry now; resolves with what it found. */
  checkForUpdates(): Promise<CheckSummary>;
  /** Changes the poll interval, registry URL and/or stall timeout (persisted by the service worker). */
  configure(settings: SwSettings): Promise<void>;
  dispose(): void;
}

function isCheckSummary(v: unknown): v is CheckSummary {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.ok === 'boolean' && typeof o.changed === 'boolean' && Array.isArray(o.ready) && Array.isArray(o.rejected)
  );
}

/** Creates the page's update client. */
export function createUpdateClient(options: UpdateClientOptions): UpdateClient {
  const { workbox } = options;
  const setTick = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const clearTick = options.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>));
  const cleanups: Array<() => void> = [];
  let promptShown = false;

  const ask = async (reason: CheckReason): Promise<CheckSummary> => {
    const reply = await workbox.messageSW({ type: 'check-for-updates', reason });
    if (!isCheckSummary(reply))
      throw new Error('the service worker gave no check result; reload the page to update it');
    return reply;
  };
  const poke = (reason: CheckReason) => void ask(reason).catch(() => {});

  const configure = async (settings: SwSettings) => {
    await workbox.messageSW({ type: 'configure', ...settings });
  };

  return {
    async start() {
      workbox.addEventListener('waiting', () => {
        if (promptShown || !options.onShellUpdate) return;
        promptShown = true;
        let decided = false;
        options.onShellUpdate({
          accept() {
            if (decided) return;
            decided = true;
            workbox.addEventListener('controlling', () => options.reload());
            workbox.messageSkipWaiting();
          },
          dismiss() {
            decided = true;
          },
        });
      });
      await workbox.register();
      const settings: SwSettings = {};
      if (options.pollIntervalMs !== undefined) settings.pollIntervalMs = options.pollIntervalMs;
      if (options.registryUrl !== undefined) settings.registryUrl = options.registryUrl;
      if (options.stallTimeoutMs !== undefined) settings.stallTimeoutMs = options.stallTimeoutMs;
      if (Object.keys(settings).length > 0) await configure(settings);
      poke('start');
      const interval = clampTiming(options.pollIntervalMs, POLL_INTERVAL);
      const tickMs = options.tickMs ?? Math.min(30_000, Math.max(250, interval / 2));
      const handle = setTick(() => poke('tick'), tickMs);
      cleanups.push(() => clearTick(handle));
      if (options.page) cleanups.push(options.page.onFocus(() => poke('focus')));
    },
    checkForUpdates: () => ask('user'),
    configure,
    dispose() {
      for (const c of cleanups.splice(0)) c();
    },
  };
}
