/**
 * @file The app's settings, read from the page URL: which model registry to follow, how often
 * to poll it, and runtime choices for measuring. They hold for this visit only (nothing here is
 * stored), and a `?registry=` the build does not allow is refused (src/shared/registry-origins.ts).
 * Pure (unit-tested in Node).
 */
import { registryVerdict } from '../shared/registry-origins.ts';
import { untrustedText } from '../shared/untrusted-text.ts';
import type { EngineOptions } from '../shared/worker-api.ts';

/** Settings read from the page URL (see {@link settingsFromUrl}). */
export interface AppSettings {
  /** Absolute URL of the model registry folder, ending in "/". */
  registryUrl: string;
  /**
   * The `?registry=` this link named (as safe text) when it was refused (not on the app's origin nor on one the
   * build allows): the app follows its own registry instead, and says so.
   */
  registryRefused?: string;
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
 * registry folder, absolute or relative to the page; default `<base>/models/`; another origin only
 * when `allowedOrigins`, the build's HOTLENS_REGISTRY_ORIGINS, lists it), `?poll=MS`
 * (registry poll interval; e2e uses 1000), `?stall=MS` (model download stall timeout; e2e fault tests use a few
 * seconds), `?threads=1|2`, `?backend=wasm|webgpu`, `?features=faces,…` (the features to run).
 */
export function settingsFromUrl(href: string, baseUrl: string, allowedOrigins: readonly string[] = []): AppSettings {
  const page = new URL(href);
  const params = page.searchParams;
  const own = new URL('models/', new URL(baseUrl, page)).href;
  const registry = params.get('registry');
  let registryUrl = own;
  let registryRefused: string | undefined;
  if (registry) {
    let named: string | undefined;
    try {
      named = new URL(registry, page).href;
    } catch {
      named = undefined;
    }
    if (named !== undefined && registryVerdict(named, page.origin, allowedOrigins) !== 'refused') {
      registryUrl = named.endsWith('/') ? named : `${named}/`;
    } else {
      // Quoted to the user: cut short, no control or bidi characters.
      registryRefused = untrustedText(named ?? registry, 200);
    }
  }
  const settings: AppSettings = { registryUrl };
  if (registryRefused !== undefined) settings.registryRefused = registryRefused;
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

/** What the inference engine needs from the settings (the same at start-up and for the model manager). */
export function engineOptionsOf(settings: AppSettings): EngineOptions {
  const { registryUrl, threads, backend, stallTimeoutMs } = settings;
  return { registryUrl, threads, backend, stallTimeoutMs };
}
