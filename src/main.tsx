/**
 * @file App entry. It installs `window.hotlens` (scripts may call it as soon as the page has
 * loaded) and starts the inference worker, so the worker's model host and the WASM runtime load
 * while the UI (React and the components) is fetched and evaluated; then it loads the rest
 * (start-app.tsx). Everything this module imports is evaluated before the worker can start:
 * keep its imports to what `window.hotlens` and the worker need.
 */
import { installHotlensApi } from './app/hotlens-global.ts';
import { inferenceClient } from './inference/client/inference-client.ts';
import { engineOptionsOf, settingsFromUrl } from './store/app-settings.ts';
import { engineFailed } from './store/engine-slice.ts';

installHotlensApi(window);

// A `?registry=` on another origin must be one the build allows (HOTLENS_REGISTRY_ORIGINS).
const settings = settingsFromUrl(window.location.href, import.meta.env.BASE_URL, __HOTLENS_REGISTRY_ORIGINS__);
inferenceClient.configure(engineOptionsOf(settings));

import('./start-app.tsx').then(
  (app) => app.startApp(settings),
  (err: unknown) => {
    // The app's own code could not be fetched (a broken deployment, or offline before it was cached):
    // say so on the page, and to scripts waiting on `hotlens.ready()`.
    engineFailed(err);
    const root = document.getElementById('root');
    if (!root) return;
    root.setAttribute('role', 'alert');
    root.textContent = `hotlens could not load (${err instanceof Error ? err.message : String(err)}). Reload the page to try again.`;
  },
);
