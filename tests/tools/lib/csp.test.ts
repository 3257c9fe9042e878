/**
 * @file The Content Security Policy builder (tools/lib/csp.ts): the directives the README
 * documents, registry origins from HOTLENS_REGISTRY_ORIGINS, and refusal of values that would
 * widen or break the policy (paths, quotes, extra directives).
 */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, cspFromEnv, CspOriginError, parseRegistryOrigins } from '../../../tools/lib/csp.ts';

const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0], d] as const));

describe('contentSecurityPolicy', () => {
  it('allows only the app origin to connect by default, and no inline script or eval', () => {
    const d = directives(contentSecurityPolicy());
    expect(d.get('connect-src')).toBe("connect-src 'self'");
    expect(d.get('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
    expect(d.get('worker-src')).toBe("worker-src 'self'");
    expect(d.get('default-src')).toBe("default-src 'self'");
    expect(d.get('object-src')).toBe("object-src 'none'");
    expect(d.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(d.has('report-uri')).toBe(false);
    // Dropped photos are shown from blob: URLs of the files; nothing else may load from blob: or data:.
    expect(d.get('img-src')).toBe("img-src 'self' blob:");
    const others = [...d.entries()].filter(([name]) => name !== 'img-src').map(([, text]) => text);
    expect(others.join('; ')).not.toMatch(/unsafe-inline|'unsafe-eval'|blob:|data:|\*/);
  });

  it('adds the registry origins to connect-src only', () => {
    const policy = contentSecurityPolicy({ registryOrigins: ['https://models.example.com'] });
    expect(directives(policy).get('connect-src')).toBe("connect-src 'self' https://models.example.com");
    expect(policy.match(/models\.example\.com/g)).toHaveLength(1);
  });

  it('adds a report-uri when asked, and refuses one that would smuggle a directive', () => {
    expect(directives(contentSecurityPolicy({ reportUri: '/__csp-report' })).get('report-uri')).toBe(
      'report-uri /__csp-report',
    );
    expect(() => contentSecurityPolicy({ reportUri: "/r; script-src 'unsafe-inline'" })).toThrow(/one URL/);
  });
});

describe('registry origins from the environment', () => {
  it('parses comma or space separated origins, with port wildcards, and drops a trailing slash', () => {
    expect(parseRegistryOrigins(undefined)).toEqual([]);
    expect(parseRegistryOrigins('')).toEqual([]);
    expect(parseRegistryOrigins('https://a.example.com/, http://127.0.0.1:* https://*.cdn.example:8443')).toEqual([
      'https://a.example.com',
      'http://127.0.0.1:*',
      'https://*.cdn.example:8443',
    ]);
  });

  it('refuses anything that is not scheme://host[:port]', () => {
    for (const bad of [
      'models.example.com',
      'https://a.example.com/models/',
      "'unsafe-inline'",
      '*',
      'ftp://x.org',
      'https://a;b',
    ])
      expect(() => parseRegistryOrigins(bad), bad).toThrow(CspOriginError);
  });

  it('builds the policy vite preview sends from HOTLENS_REGISTRY_ORIGINS and HOTLENS_CSP_REPORT_URI', () => {
    const policy = cspFromEnv({
      HOTLENS_REGISTRY_ORIGINS: 'http://127.0.0.1:*',
      HOTLENS_CSP_REPORT_URI: '/__csp-report',
    });
    expect(policy).toBe(contentSecurityPolicy({ registryOrigins: ['http://127.0.0.1:*'], reportUri: '/__csp-report' }));
    expect(cspFromEnv({})).toBe(contentSecurityPolicy());
  });
});
