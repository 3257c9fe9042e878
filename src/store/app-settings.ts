/**
 * @file The app's settings, read from the page URL: which model registry to follow, how often
 * to poll it, and runtime choices for measuring. Pure (unit-tested in Node).
 */

/** Settings read from the page URL (see {@link settingsFromUrl}). */
export interface AppSettings {
  /** Absolute URL of the model registry folder, ending in "/". */
  registryUrl: string;
  threads?: number;
  backend?: 'wasm' | 'webgpu';
  /** How often the service worker polls the registry (ms); undefined = its default (60 s). */
  pollIntervalMs?: number;
  /** How long a model download may receive nothing before it is retried (ms); undefined = its default (30 s). */
  stallTimeoutMs?: number;
  /** `?features=` as given (parsed against the app's features by features-actions.ts). */
  features?: string;
}

/**
 * Settings from the page URL, for deployments, measuring and tests: `?registry=URL` (a model
 * registry folder, absolute or relative to the page; default `<base>/models/`), `?poll=MS`
 * (registry poll interval; e2e uses 1000), `?stall=MS` (model download stall timeout; e2e fault tests use a few
 * seconds), `?threads=1|2`, `?backend=wasm|webgpu`, `?features=faces,…` (the features to run).
 */
export function settingsFromUrl(href: string, baseUrl: string): AppSettings {
  const page = new URL(href);
  const params = page.searchParams;
  const registry = params.get('registry');
  let registryUrl = new URL(registry || 'models/', registry ? page : new URL(baseUrl, page)).href;
  if (!registryUrl.endsWith('/')) registryUrl += '/';
  const settings: AppSettings = { registryUrl };
  const threads = Number(params.get('threads'));
  if (Number.isInteger(threads) && threads > 0) settings.threads = threads;
  const backend = params.get('backend');
  if (backend === 'wasm' || backend === 'webgpu') settings.backend = backend;
  const poll = Number(params.get('poll'));
  if (Number.isFinite(poll) && poll > 0) settings.pollIntervalMs = poll;
  const stall = Number(params.get('stall'));
  if (Number.isFinite(stall) && stall > 0) settings.stallTimeoutMs = stall;
  const features = params.get('features');
  if (features !== null) settings.features = features;
  return settings;
}
