/**
 * @file What the static server serves where, and with which headers: URL-prefix mounts (one
 * folder and one header profile each, so one origin can serve an app, its registry and other
 * files side by side, as the bench does), and the two header profiles a deployment needs.
 * Pure functions; static-server.ts does the HTTP.
 */
import { contentSecurityPolicy } from '../lib/csp.ts';

/** Which headers to send. */
export type HeaderProfile = 'registry' | 'app';

/** One URL prefix served from one folder. */
export interface Mount {
  /** URL path prefix, `/` or `/name/` (starts and ends with a slash); the longest matching prefix wins. */
  prefix: string;
  root: string;
  profile: HeaderProfile;
  /** `app` profile: the Content-Security-Policy to send (default: the production policy). */
  csp?: string;
  /**
   * Cache-Control for a path inside the mount (e.g. `/assets/x.js` under prefix `/bench/`),
   * replacing the profile's choice; for files the profile does not know (fixtures, photos).
   */
  cacheControl?: (path: string) => string;
}

/** Content-Type by file extension, for every kind of file an app build, a registry or the bench serves. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Cache-Control for files whose URL changes whenever their bytes do (content hash in the name). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cache-Control for everything else: always revalidate (a 304 when unchanged). */
export const REVALIDATE = 'no-cache';

/** The headers a file gets under a profile (besides Content-Type, ETag, Last-Modified); `path` is inside the mount. */
export function headersFor(profile: HeaderProfile, path: string): Record<string, string> {
  if (profile === 'registry') {
    return {
      'Cache-Control': path.startsWith('/blobs/') ? IMMUTABLE : REVALIDATE,
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, Last-Modified, Content-Range, Accept-Ranges',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
  }
  return {
    'Cache-Control': path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Thrown for a mount table the server cannot serve unambiguously. */
export class MountError extends Error {
  override name = 'MountError';
}

/** Checks prefixes (`/` or `/name/…/`, each once) and orders the mounts longest prefix first. */
export function orderMounts(mounts: readonly Mount[]): Mount[] {
  if (mounts.length === 0) throw new MountError('give at least one mount (or a root)');
  const seen = new Set<string>();
  for (const m of mounts) {
    if (!/^\/([^/]+\/)*$/.test(m.prefix))
      throw new MountError(`mount prefix "${m.prefix}" must start and end with "/" (e.g. "/" or "/models/")`);
    if (seen.has(m.prefix)) throw new MountError(`mount prefix "${m.prefix}" is given twice`);
    seen.add(m.prefix);
  }
  return [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The mount serving a URL path and the path inside it (starting with "/"); null when none matches. */
export function matchMount<M extends Mount>(mounts: readonly M[], path: string): { mount: M; path: string } | null {
  for (const mount of mounts) {
    if (path.startsWith(mount.prefix)) return { mount, path: `/${path.slice(mount.prefix.length)}` };
    // "/models" reaches the mount "/models/" (its index), as it would a folder.
    if (`${path}/` === mount.prefix) return { mount, path: '/' };
  }
  return null;
}

/** Every header of a response under `mount` except the per-file ones. */
export function mountHeaders(mount: Mount, path: string): Record<string, string> {
  const headers = headersFor(mount.profile, path);
  if (mount.cacheControl) headers['Cache-Control'] = mount.cacheControl(path);
  if (mount.profile === 'app') headers['Content-Security-Policy'] = mount.csp ?? contentSecurityPolicy();
  return headers;
}

/**
 * Who asked for a response, from the request headers: `sw-script` for a service worker's
 * update check (`Service-Worker: script`), else `Sec-Fetch-Dest/Sec-Fetch-Mode` (e.g.
 * `document/navigate`, `empty/cors`, `worker/same-origin`); `?` for a header the client did
 * not send (Node's fetch sends neither).
 */
export function initiatorOf(headers: Record<string, string | string[] | undefined>): string {
  if (headers['service-worker'] === 'script') return 'sw-script';
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '?';
  return `${one(headers['sec-fetch-dest'])}/${one(headers['sec-fetch-mode'])}`;
}
