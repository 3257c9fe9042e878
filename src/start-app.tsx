/**
 * @file The app proper, loaded by main.tsx once the inference worker is starting: registers the
 * service worker (production builds: app-shell precache and registry polling), loads the chosen
 * features' models through the model manager (so they are warm before the first photo or frame),
 * and renders the UI.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, cameraOnAtLoad } from './app/App/App.tsx';
import type { AppSettings } from './store/app-settings.ts';
import { startEngine } from './store/engine-actions.ts';
import { initialFeatures } from './store/features-actions.ts';
import { selectTab } from './store/ui-slice.ts';
import { startUpdates } from './store/update-actions.ts';

/** Starts everything but the inference worker, which main.tsx has already started with `settings`. */
export function startApp(settings: AppSettings): void {
  if (cameraOnAtLoad()) selectTab('webcam');
  // The dev server serves no service worker: there, updates are checked on demand by the page.
  startUpdates(settings, import.meta.env.PROD ? { url: `${import.meta.env.BASE_URL}sw.js`, type: 'classic' } : null);
  // `?features=` for this visit, else the remembered choice, else the default (before the models load).
  initialFeatures(settings.features);
  void startEngine(settings);

  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
