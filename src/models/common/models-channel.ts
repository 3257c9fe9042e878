/**
 * @file A typed wrapper over BroadcastChannel `hotlens-models`: posts only well-formed
 * {@link ModelsMessage}s and delivers only those, dropping anything else (an older or newer
 * app version in another tab may speak a different dialect). Used by the service worker to
 * announce, and by workers and pages to listen.
 */
import { isModelsMessage, MODELS_CHANNEL, type ModelsMessage } from '../../shared/update-messages.ts';

/** The part of BroadcastChannel used here. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: Event) => void): void;
  removeEventListener(type: 'message', listener: (event: Event) => void): void;
  close(): void;
}

/** A typed, validating view of the models channel. */
export interface ModelsChannel {
  post(message: ModelsMessage): void;
  /** Calls `handler` for every valid message from other contexts; returns an unsubscribe function. */
  subscribe(handler: (message: ModelsMessage) => void): () => void;
  close(): void;
}

/** Opens the models channel (pass a factory in tests; default: the global BroadcastChannel). */
export function openModelsChannel(
  create: (name: string) => BroadcastChannelLike = (name) => new BroadcastChannel(name),
): ModelsChannel {
  const channel = create(MODELS_CHANNEL);
  return {
    post: (message) => channel.postMessage(message),
    subscribe(handler) {
      const listener = (event: Event) => {
        const data = (event as Event & { data?: unknown }).data;
        if (isModelsMessage(data)) handler(data);
      };
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    },
    close: () => channel.close(),
  };
}
