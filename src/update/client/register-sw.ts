/**
 * @file The browser wiring of the update client: workbox-window registration, window focus /
 * visibility events, and the models channel relay. The app calls {@link registerServiceWorker}
 * once at start and {@link relayModelsMessages} to feed its store; everything else is in
 * update-client.ts.
 */
import { Workbox } from 'workbox-window';
import type { ModelsMessage } from '../../shared/update-messages.ts';
import { openModelsChannel } from '../../models/common/models-channel.ts';
import {
  createUpdateClient,
  type PageEventsLike,
  type UpdateClient,
  type UpdateClientOptions,
} from './update-client.ts';

/** Options of {@link registerServiceWorker}. */
export interface RegisterOptions extends Pick<UpdateClientOptions, 'onShellUpdate' | 'settings' | 'tickMs'> {
  /** Service worker script URL (vite-plugin-pwa's output, e.g. "/sw.js"). */
  url: string;
  scope?: string;
  /** "module" in dev (vite serves ES modules), "classic" for the built bundle. */
  type?: WorkerType;
  /** Registration failed (e.g. the user blocks site data): the page checks for updates itself. */
  onFailed?: (err: unknown) => void;
}

function windowFocus(): PageEventsLike {
  return {
    onFocus(listener) {
      const onVisible = () => {
        if (document.visibilityState === 'visible') listener();
      };
      window.addEventListener('focus', listener);
      document.addEventListener('visibilitychange', onVisible);
      return () => {
        window.removeEventListener('focus', listener);
        document.removeEventListener('visibilitychange', onVisible);
      };
    },
  };
}

/** Registers the service worker and starts update checks; null where service workers are unavailable. */
export function registerServiceWorker(options: RegisterOptions): UpdateClient | null {
  if (!('serviceWorker' in navigator)) return null;
  const registerOptions: RegistrationOptions = { type: options.type ?? 'classic' };
  if (options.scope !== undefined) registerOptions.scope = options.scope;
  const workbox = new Workbox(options.url, registerOptions);
  const client = createUpdateClient({
    workbox,
    reload: () => window.location.reload(),
    page: windowFocus(),
    onShellUpdate: options.onShellUpdate,
    settings: options.settings,
    tickMs: options.tickMs,
  });
  void client.start().catch((err: unknown) => {
    console.warn('hotlens: service worker registration failed', err);
    options.onFailed?.(err);
  });
  return client;
}

/** Calls `handler` for every model-update message from the service worker and other tabs; returns a stop function. */
export function relayModelsMessages(handler: (message: ModelsMessage) => void): () => void {
  const channel = openModelsChannel();
  const unsubscribe = channel.subscribe(handler);
  return () => {
    unsubscribe();
    channel.close();
  };
}
