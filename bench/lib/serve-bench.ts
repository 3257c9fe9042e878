/**
 * @file The bench server's URL layout, one registry-server mount per folder: the app (the run's
 * snapshot of dist/) at / with the production headers and CSP, as `vite preview` sends them; the
 * bench's registry copy at /models/ (registry profile, as a CDN would serve it); the bench pages
 * at /bench/, and face-api's and Human's weights, Human's browser build, TF.js wasm binaries and the
 * sample photos beside them.
 * Everything is on one origin and cross-origin isolated (COOP/COEP: WASM threads,
 * measureUserAgentSpecificMemory). The mounts serve copies or package folders, never links out of
 * them: the registry server refuses those.
 */
import { contentSecurityPolicy } from '../../tools/lib/csp.ts';
import { BenchServer, REVALIDATE, type Transfer } from './server.ts';
import {
  APP,
  FACEAPI_MODELS,
  HUMAN_DIST,
  HUMAN_MODELS,
  PAGES_DIST,
  REGISTRY,
  SAMPLES_DIR,
  TFJS_WASM,
} from './paths.ts';

/** Adds sources to directives of a policy (directives it lacks are appended). */
export function extendPolicy(policy: string, extra: Record<string, string[]>): string {
  const directives = policy.split(/\s*;\s*/).filter(Boolean);
  const todo = new Map(Object.entries(extra));
  const out = directives.map((d) => {
    const name = d.split(/\s+/)[0]!;
    const add = todo.get(name);
    todo.delete(name);
    return add ? [d, ...add].join(' ') : d;
  });
  for (const [name, sources] of todo) out.push([name, ...sources].join(' '));
  return out.join('; ');
}

/** Where the browser POSTs a report of a violation, per policy (the server logs the POST; it answers 405). */
export const CSP_REPORTS = { app: '/__csp-report/app', pages: '/__csp-report/bench-pages' } as const;

/** The app's policy: production's (tools/lib/csp.ts, what `vite preview` sends), with violations reported. */
export const APP_CSP = contentSecurityPolicy({ reportUri: CSP_REPORTS.app });

/**
 * The bench pages' policy: production's plus `blob:` scripts and workers, which TF.js's wasm
 * backend needs for face-api's and the TF.js peers' threads (it starts its pthread workers from a Blob of its
 * Emscripten factory). Nothing else is loosened: no eval, no inline script.
 */
export const BENCH_PAGES_CSP = extendPolicy(contentSecurityPolicy({ reportUri: CSP_REPORTS.pages }), {
  'script-src': ['blob:'],
  'worker-src': ['blob:'],
});

/** Violation reports received, per policy. */
export function cspViolations(transfers: readonly Transfer[]): Record<keyof typeof CSP_REPORTS, number> {
  const count = (path: string) => transfers.filter((t) => t.path === path).length;
  return { app: count(CSP_REPORTS.app), pages: count(CSP_REPORTS.pages) };
}

/** Starts the server with every mount the sections use. */
export function startBenchServer(): Promise<BenchServer> {
  const fixture = (prefix: string, root: string) => ({
    prefix,
    root,
    profile: 'app' as const,
    csp: BENCH_PAGES_CSP,
    cacheControl: () => REVALIDATE,
  });
  return BenchServer.start([
    // The app exactly as a deployment serves it: production CSP, assets/ immutable, the rest revalidated.
    { prefix: '/', root: APP, profile: 'app', csp: APP_CSP },
    // Blobs are content-addressed (immutable); the manifest and probe images are revalidated.
    { prefix: '/models/', root: REGISTRY, profile: 'registry' },
    // Vite puts content hashes in every file name under assets/ (the app profile's rule).
    { prefix: '/bench/', root: PAGES_DIST, profile: 'app', csp: BENCH_PAGES_CSP },
    fixture('/faceapi-model/', FACEAPI_MODELS),
    fixture('/human-model/', HUMAN_MODELS),
    // Human's browser ESM build, imported by bench/pages/human as shipped (not re-bundled).
    fixture('/human-dist/', HUMAN_DIST),
    fixture('/tfjs-wasm/', TFJS_WASM),
    fixture('/samples/', SAMPLES_DIR),
  ]);
}
