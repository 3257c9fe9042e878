/**
 * @file The Content Security Policy of the production build, in one place: `vite preview` sends
 * it (vite.config.ts), the static server's `app` profile sends it, the README documents it and
 * the e2e suite fails on any violation of it. The only variable part is where models may come
 * from: `connect-src` allows the app's own origin plus the registry origins a deployment
 * configures (HOTLENS_REGISTRY_ORIGINS), so a `?registry=` URL pointing anywhere else is refused
 * by the browser before a single byte leaves. The build embeds the same list as the app's own
 * `?registry=` allowlist (src/shared/registry-origins.ts), which refuses such a link up front.
 */
import { REGISTRY_ORIGIN_PATTERN } from '../../src/shared/registry-origins.ts';

/** Environment variable listing the extra registry origins `connect-src` allows (comma or space separated). */
export const REGISTRY_ORIGINS_ENV = 'HOTLENS_REGISTRY_ORIGINS';
/** Environment variable adding a `report-uri` (the e2e suite points it at a path it watches). */
export const REPORT_URI_ENV = 'HOTLENS_CSP_REPORT_URI';

/** Options of {@link contentSecurityPolicy}. */
export interface CspOptions {
  /** Origins besides 'self' that may serve models, e.g. `https://models.example.com` or `http://127.0.0.1:*`. */
  registryOrigins?: readonly string[];
  /** Where the browser POSTs violation reports (testing only: a report is a request that leaves the device). */
  reportUri?: string;
}

/** A CSP host source with a scheme (the app's `?registry=` allowlist reads the same list). */
const ORIGIN = REGISTRY_ORIGIN_PATTERN;

/** Thrown for a registry origin that is not a plain `scheme://host[:port]`. */
export class CspOriginError extends Error {
  override name = 'CspOriginError';
  constructor(origin: string) {
    super(`"${origin}" is not a registry origin: give scheme://host[:port] (no path), e.g. https://models.example.com`);
  }
}

/** Parses a HOTLENS_REGISTRY_ORIGINS value (comma or space separated); empty or unset → []. */
export function parseRegistryOrigins(value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((o) => o.replace(/\/$/, ''));
  for (const origin of origins) if (!ORIGIN.test(origin)) throw new CspOriginError(origin);
  return origins;
}

/**
 * The policy, one directive per purpose:
 * - `default-src 'self'`: anything not listed below comes from the app's own origin only;
 * - `script-src 'self' 'wasm-unsafe-eval'`: the bundled modules, no inline script and no `eval`;
 *   WebAssembly compilation (onnxruntime-web) is the one kind of code generation allowed;
 * - `worker-src 'self'`: the inference worker, its WASM thread workers and the service worker
 *   are files of the build (never `blob:` workers);
 * - `connect-src 'self' <registries>`: fetches go to the app's origin and the model registries;
 * - `img-src 'self' blob:`: the app's icons, and the photos a user dropped, shown on their cards
 *   from `blob:` URLs of the files themselves (the page creates them; no `data:` images);
 * - `style-src 'self'`: the bundled stylesheet (React sets style properties through the CSSOM,
 *   which CSP does not restrict);
 * - `object-src 'none'`, `base-uri 'self'`, `form-action 'none'`, `frame-ancestors 'none'`: no
 *   plugins, no `<base>` hijack, no form posts, no framing (clickjacking).
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const registries = options.registryOrigins ?? [];
  const directives = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    ['connect-src', "'self'", ...registries].join(' '),
    "img-src 'self' blob:",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
  if (options.reportUri) {
    if (/[\s;,]/.test(options.reportUri)) throw new Error(`report-uri "${options.reportUri}" must be one URL`);
    directives.push(`report-uri ${options.reportUri}`);
  }
  return directives.join('; ');
}

/** The policy configured by the environment (HOTLENS_REGISTRY_ORIGINS, HOTLENS_CSP_REPORT_URI). */
export function cspFromEnv(env: Record<string, string | undefined>): string {
  const reportUri = env[REPORT_URI_ENV];
  return contentSecurityPolicy({
    registryOrigins: parseRegistryOrigins(env[REGISTRY_ORIGINS_ENV]),
    ...(reportUri ? { reportUri } : {}),
  });
}
