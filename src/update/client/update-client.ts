/**
 * @file The page's side of updates, with the browser injected (workbox-window, page events,
 * timers) so it is testable: registers the service worker, asks it to check (on demand, on
 * focus, and by cheap periodic ticks that wake a stopped service worker), hands it this visit's
 * settings, and turns "a new app shell is waiting" into a prompt for the UI. It never reloads
 * on its own: only the prompt's `accept()` activates the new shell and reloads.
 *
 * Settings are per visit: the service worker gets this visit's effective settings (URL
 * overrides, else the defaults) at start and with every check, and keeps none of them, so the
 * next visit without `?poll=` or `?stall=` polls at the defaults again.
 */
import type { VisitSettings } from '../../shared/update-settings.ts';
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
  /** This visit's effective settings (update-settings.ts `visitSettings`), sent with every request. */
  settings: VisitSettings;
  /** How often the page pokes the service worker (default: half the poll interval, at most 30 s). */
  tickMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** What the app calls. */
export interface UpdateClient {
  /** Registers the service worker and starts ticking. */
  start(): Promise<void>;
  /** Asks the service worker to check the registry now; resolves with what it found. */
  checkForUpdates(): Promise<CheckSummary>;
  /** Changes this visit's settings (the service worker keeps them for this visit only). */
  configure(settings: VisitSettings): Promise<void>;
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
  let settings = options.settings;

  const ask = async (reason: CheckReason): Promise<CheckSummary> => {
    // The settings ride along: a service worker the browser restarted mid-visit follows this visit again.
    const reply = await workbox.messageSW({ type: 'check-for-updates', reason, settings });
    if (!isCheckSummary(reply))
      throw new Error('the service worker gave no check result; reload the page to update it');
    return reply;
  };
  const poke = (reason: CheckReason) => void ask(reason).catch(() => {});

  const configure = async (next: VisitSettings) => {
    settings = next;
    await workbox.messageSW({ type: 'configure', ...next });
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
      // Always, in full: a visit without overrides must undo the previous visit's.
      await configure(settings);
      poke('start');
      const tickMs = options.tickMs ?? Math.min(30_000, Math.max(250, settings.pollIntervalMs / 2));
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
