/**
 * @file App entry: installs `window.hotlens`, starts loading the models in the worker right
 * away (so they are warm before the first photo or frame), and renders the UI.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, cameraOnAtLoad } from './app/App/App.tsx';
import { installHotlensApi } from './app/hotlens-global.ts';
import { engineOptionsFromUrl, startEngine } from './store/engine-actions.ts';
import { selectTab } from './store/ui-slice.ts';

installHotlensApi(window);
if (cameraOnAtLoad()) selectTab('webcam');
void startEngine(engineOptionsFromUrl(window.location.href, import.meta.env.BASE_URL));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
