/**
 * @file App entry. It starts the inference worker first, so the worker's model host and the
 * WASM runtime load while the rest of the app (UI, model manager, service worker registration)
 * is fetched and evaluated, then loads that rest (start-app.tsx). Everything this module imports
 * is evaluated before the worker can start: keep its imports few and small.
 */
import { inferenceClient } from './inference/client/inference-client.ts';
import { engineOptionsOf, settingsFromUrl } from './store/app-settings.ts';

// A `?registry=` on another origin must be one the build allows (HOTLENS_REGISTRY_ORIGINS).
const settings = settingsFromUrl(window.location.href, import.meta.env.BASE_URL, __HOTLENS_REGISTRY_ORIGINS__);
inferenceClient.configure(engineOptionsOf(settings));

import('./start-app.tsx').then(
  (app) => app.startApp(settings),
  (err: unknown) => {
    // The app's own code could not be fetched (a broken deployment, or offline before it was cached).
    const root = document.getElementById('root');
    if (!root) return;
    root.setAttribute('role', 'alert');
    root.textContent = `hotlens could not load (${err instanceof Error ? err.message : String(err)}). Reload the page to try again.`;
  },
);
