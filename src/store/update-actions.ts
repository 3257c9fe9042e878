/**
 * @file Wires model updates into the app: this tab's model manager (versions and hot swaps on
 * the inference bridge), the models channel shared with the service worker and other tabs, and
 * the service worker itself (registration, registry polling, the app-shell update prompt).
 * These are the actions `window.hotlens` and the Models panel call; they work outside React.
 * When IndexedDB is unusable (site data blocked) nothing is shared with a service worker, so
 * this page checks the registry itself and its workers download what they serve.
 */
import { FEATURES, TASKS } from '../features/index.ts';
import { inferenceClient } from '../inference/client/inference-client.ts';
import { createModelStore } from '../models/cache/idb-model-store.ts';
import type { ModelStore } from '../models/cache/model-store.ts';
import type { ManagerEvent } from '../models/page/manager-types.ts';
import { ModelManager } from '../models/page/model-manager.ts';
import { openModelsChannel, type ModelsChannel } from '../models/common/models-channel.ts';
import { trustedManifestVerifier } from '../models/common/trusted-keys.ts';
import type { CheckSummary } from '../shared/update-messages.ts';
import { registerServiceWorker, type RegisterOptions } from '../update/client/register-sw.ts';
import type { ShellUpdatePrompt, UpdateClient } from '../update/client/update-client.ts';
import { runUpdateCheck } from '../models/common/update-check.ts';
import { clampStallTimeout } from '../models/common/download.ts';
import { visitSettings } from '../shared/update-settings.ts';
import { StorageFullBackoff } from '../models/common/storage-full-backoff.ts';
import { engineOptionsOf, type AppSettings } from './app-settings.ts';
import { engineServing } from './engine-slice.ts';
import {
  checkFinished,
  checkStarted,
  modelsLogged,
  modelsState,
  shellUpdateWaiting,
  updaterChanged,
  updatesConfigured,
} from './models-slice.ts';
import { runShadowGate } from './shadow-gate.ts';
import { announce } from './ui-slice.ts';

interface Wiring {
  manager: ModelManager;
  channel: ModelsChannel;
  store: ModelStore;
  settings: AppSettings;
}

let wiring: Wiring | null = null;
/** Why this page's model cache lives in memory (IndexedDB unusable), once known. */
let storageProblem: string | null = null;
/** Versions that did not fit on disk wait here between the page's own checks. */
const storageFull = new StorageFullBackoff();
let updater: UpdateClient | null = null;
let shellPrompt: ShellUpdatePrompt | null = null;

function onManagerEvent(event: ManagerEvent): void {
  if (event.type === 'state') modelsState(event.state);
  else if (event.type === 'log') modelsLogged(event.records);
  else if (event.type === 'serving') engineServing(event.info);
  else announce(event.text);
}

/**
 * True when a service worker controls this page and shares its storage (it downloads
 * candidates and polls); with storage unavailable its downloads could not reach this page.
 */
function hasUpdater(): boolean {
  return storageProblem === null && typeof navigator !== 'undefined' && !!navigator.serviceWorker?.controller;
}

/** The origin the app is served from (its poll floor depends on it; see update-settings.ts). */
function appOrigin(): string {
  return typeof location === 'undefined' ? 'http://localhost' : location.origin;
}

/** This tab's model manager, created on first use with `settings`. */
export function modelManager(settings: AppSettings): ModelManager {
  if (wiring) return wiring.manager;
  const { registryUrl } = settings;
  inferenceClient.configure(engineOptionsOf(settings));
  const store = createModelStore();
  void store.storageProblem().then((problem) => (storageProblem = problem));
  const channel = openModelsChannel();
  const manager = new ModelManager({
    store,
    pool: inferenceClient,
    features: FEATURES,
    tasks: TASKS,
    channel,
    registryUrl,
    hasUpdater,
    onEvent: onManagerEvent,
    // A first visit fetches the manifest here, before the service worker has run a check.
    verifySignature: trustedManifestVerifier(),
    // Versions whose entry asks for it run in shadow of the serving one before they may serve.
    shadowGate: runShadowGate,
  });
  channel.subscribe((message) => manager.handleMessage(message));
  inferenceClient.onRun((outcome) => manager.reportRun(outcome));
  void store.getLog().then(modelsLogged, () => undefined);
  updatesConfigured(registryUrl, visitSettings(settings, appOrigin()).pollIntervalMs, settings.registryRefused ?? null);
  wiring = { manager, channel, store, settings };
  return manager;
}

/** This tab's model manager once the app started it, else null. */
export function currentManager(): ModelManager | null {
  return wiring?.manager ?? null;
}

function requireWiring(): Wiring {
  if (!wiring) throw new Error('The models are not set up yet; wait for the app to start.');
  return wiring;
}

/**
 * Registers the service worker (production builds) and starts registry polling through it; the
 * user is asked before a new app shell reloads the page. Without a service worker, updates are
 * checked by the page on demand (Check now, `checkForUpdates()`).
 */
export function startUpdates(settings: AppSettings, sw: Pick<RegisterOptions, 'url' | 'type'> | null): void {
  if (!sw || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  updaterChanged('starting');
  updater = registerServiceWorker({
    ...sw,
    // This visit's settings in full: what a link overrode applies to this visit only.
    settings: visitSettings(settings, appOrigin()),
    onFailed: () => updaterChanged('failed'),
    onShellUpdate: (prompt) => {
      shellPrompt = prompt;
      shellUpdateWaiting(true);
      announce('A new version of hotlens is ready; choose Reload to use it.');
    },
  });
  if (!updater) {
    updaterChanged('none');
    return;
  }
  navigator.serviceWorker.ready.then(
    () => updaterChanged('active'),
    () => updaterChanged('failed'),
  );
}

/** Asks the registry for updates now; resolves with what the check found (downloads included). */
export async function checkForUpdates(): Promise<CheckSummary> {
  const { manager, channel, store, settings } = requireWiring();
  checkStarted();
  let summary: CheckSummary;
  try {
    if (updater && hasUpdater()) {
      summary = await updater.checkForUpdates();
    } else {
      // No service worker: the page runs the same check (this tab hears its own messages directly).
      summary = await runUpdateCheck({
        store,
        registryUrl: settings.registryUrl,
        locks: navigator.locks,
        storageFull,
        userAsked: true,
        verifySignature: trustedManifestVerifier(),
        tasks: TASKS,
        source: 'page',
        ...(settings.stallTimeoutMs === undefined
          ? {}
          : { download: { stallTimeoutMs: clampStallTimeout(settings.stallTimeoutMs) } }),
        channel: {
          post: (message) => {
            channel.post(message);
            manager.handleMessage(message);
          },
        },
      });
    }
  } catch (err) {
    summary = { ok: false, serial: null, changed: false, ready: [], rejected: [], error: (err as Error).message };
  }
  checkFinished(summary, Date.now());
  manager.reconcile();
  announce(
    summary.ok
      ? summary.changed || summary.ready.length
        ? `Update check: ${summary.ready.length} model version${summary.ready.length === 1 ? '' : 's'} ready.`
        : 'Update check: the models are up to date.'
      : `Update check failed: ${summary.error ?? 'unknown error'}`,
  );
  return summary;
}

/** Rolls a model back to its previous version (no network needed). */
export async function rollbackModel(
  id: string,
): Promise<{ from: string; to: string; group?: Record<string, { from: string; to: string }> }> {
  const result = await requireWiring().manager.rollback(id);
  const out = { from: result.from.version, to: result.to.version };
  if (!result.group) return out;
  const group = Object.fromEntries(
    Object.entries(result.group).map(([m, r]) => [m, { from: r.from.version, to: r.to.version }]),
  );
  return { ...out, group };
}

/** Pins a model to a version, or unpins it with null. */
export async function pinModel(id: string, version: string | null): Promise<void> {
  const { manager } = requireWiring();
  await manager.pin(id, version);
  // A pinned version that is not cached yet is downloaded by the next check.
  if (version !== null && updater && hasUpdater()) void updater.checkForUpdates().catch(() => undefined);
}

/** The user chose "Reload" on the new-version banner: activate the new shell, then reload. */
export function acceptShellUpdate(): void {
  shellPrompt?.accept();
}

/** The user dismissed the banner; the new shell stays waiting until the next visit. */
export function dismissShellUpdate(): void {
  shellPrompt?.dismiss();
  shellPrompt = null;
  shellUpdateWaiting(false);
}
