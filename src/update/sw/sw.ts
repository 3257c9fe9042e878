/// <reference lib="webworker" />
/**
 * @file The service worker entry (built by vite-plugin-pwa `injectManifest`). It only wires
 * events: workbox precaches the app shell (HTML, JS, CSS, the WASM-only ORT runtime; never
 * models; the WebGPU runtime is cached on first use, runtime-cache.ts), and the
 * update service polls the model registry. It never calls skipWaiting on its own: a new app
 * shell waits until the user accepts the reload prompt (workbox-window sends SKIP_WAITING).
 */
import { cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { TASKS } from '../../features/index.ts';
import { createModelStore } from '../../models/cache/idb-model-store.ts';
import { openModelsChannel } from '../../models/common/models-channel.ts';
import { trustedManifestVerifier } from '../../models/common/trusted-keys.ts';
import { withoutModels } from './precache-filter.ts';
import { cacheRuntimeOnDemand } from './runtime-cache.ts';
import { createUpdateService } from './update-service.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

// Query parameters (?registry=, ?poll=, ?camera=) must not defeat the precache: the app shell
// is one set of hashed files whatever the URL says.
precacheAndRoute(withoutModels(self.__WB_MANIFEST), { ignoreURLParametersMatching: [/.*/] });
cleanupOutdatedCaches();
cacheRuntimeOnDemand();

const service = createUpdateService({
  store: createModelStore(),
  channel: openModelsChannel(),
  defaultRegistryUrl: new URL('models/', self.registration.scope).href,
  skipWaiting: () => self.skipWaiting(),
  locks: self.navigator.locks,
  // Nothing acts on a manifest that is not signed by a key this build trusts.
  verifySignature: trustedManifestVerifier(),
  tasks: TASKS,
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim().then(() => service.resume()));
});

self.addEventListener('message', (event) => {
  event.waitUntil(
    service.handleMessage(event.data).then((reply) => {
      if (reply !== undefined) event.ports[0]?.postMessage(reply);
    }),
  );
});

// Periodic Background Sync fires only for installed apps with enough engagement: a bonus, not the poll.
self.addEventListener('periodicsync', (event: Event) => {
  (event as ExtendableEvent).waitUntil(service.periodicSync());
});
