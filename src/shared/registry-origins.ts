/**
 * @file Which registries a link may point the app at. A `?registry=` URL is followed only when it
 * is on the app's own origin, on an origin the build allows (HOTLENS_REGISTRY_ORIGINS at build
 * time, the same list the Content-Security-Policy's `connect-src` allows), or, for an app served
 * from this machine (`npm start`, the e2e suite), on this machine too. Anything else is refused
 * and the app follows its own registry: a crafted link cannot make a deployed client trust
 * another registry's answers, and nothing from a link is ever stored.
 */
import { isLoopbackOrigin } from './update-settings.ts';

/** An origin pattern: `http(s)://host[:port|:*]`, optionally `*.` before the host (CSP host-source syntax). */
export const REGISTRY_ORIGIN_PATTERN =
  /^https?:\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:(\d{1,5}|\*))?$/i;

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * True when `origin` (scheme://host[:port]) matches `pattern` as a CSP host source does: the
 * same scheme, the same host (or, with `*.`, a subdomain of it), and the same port (`:*`: any;
 * none: the scheme's default).
 */
export function originMatches(origin: string, pattern: string): boolean {
  if (!REGISTRY_ORIGIN_PATTERN.test(pattern)) return false;
  let target: URL;
  let wanted: URL;
  try {
    target = new URL(origin);
    // `*` is not a valid host or port for the URL parser: stand-ins, compared separately below.
    wanted = new URL(pattern.replace('://*.', '://wildcard.').replace(/:\*$/, ''));
  } catch {
    return false;
  }
  if (target.protocol !== wanted.protocol) return false;
  const portOf = (u: URL) => u.port || DEFAULT_PORTS[u.protocol] || '';
  if (!pattern.endsWith(':*') && portOf(target) !== portOf(wanted)) return false;
  if (pattern.includes('://*.')) {
    const suffix = wanted.hostname.slice('wildcard'.length);
    return target.hostname.endsWith(suffix) && target.hostname.length > suffix.length;
  }
  return target.hostname === wanted.hostname;
}

/** Why a registry URL may be followed, or that it may not. */
export type RegistryVerdict = 'same-origin' | 'allowlisted' | 'loopback' | 'refused';

/**
 * May an app served from `appOrigin` follow the registry at `registryUrl`? `allowed` is the
 * build's allowlist (origin patterns; see {@link originMatches}).
 */
export function registryVerdict(registryUrl: string, appOrigin: string, allowed: readonly string[]): RegistryVerdict {
  let url: URL;
  try {
    url = new URL(registryUrl);
  } catch {
    return 'refused';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'refused';
  if (url.origin === appOrigin) return 'same-origin';
  if (allowed.some((pattern) => originMatches(url.origin, pattern))) return 'allowlisted';
  if (isLoopbackOrigin(appOrigin) && isLoopbackOrigin(url.origin)) return 'loopback';
  return 'refused';
}
