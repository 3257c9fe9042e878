/**
 * @file Which registries a `?registry=` link may name: the app's own origin, the build's
 * allowlist (CSP host-source syntax: exact origins, `*.` subdomains, `:*` ports), and loopback
 * from a loopback app; nothing else.
 */
import { describe, expect, it } from 'vitest';
import { originMatches, registryVerdict } from '../../src/shared/registry-origins.ts';

describe('originMatches', () => {
  it('matches scheme, host and port as a CSP host source does', () => {
    expect(originMatches('https://models.example.com', 'https://models.example.com')).toBe(true);
    expect(originMatches('https://models.example.com:443', 'https://models.example.com')).toBe(true);
    expect(originMatches('https://models.example.com:8443', 'https://models.example.com')).toBe(false);
    expect(originMatches('http://models.example.com', 'https://models.example.com')).toBe(false);
    expect(originMatches('https://models.example.com.evil.test', 'https://models.example.com')).toBe(false);
    expect(originMatches('http://127.0.0.1:39121', 'http://127.0.0.1:*')).toBe(true);
    expect(originMatches('http://127.0.0.2:39121', 'http://127.0.0.1:*')).toBe(false);
  });

  it('`*.` matches subdomains only, never the bare domain or a look-alike', () => {
    expect(originMatches('https://a.cdn.example', 'https://*.cdn.example')).toBe(true);
    expect(originMatches('https://a.b.cdn.example', 'https://*.cdn.example')).toBe(true);
    expect(originMatches('https://cdn.example', 'https://*.cdn.example')).toBe(false);
    expect(originMatches('https://evilcdn.example', 'https://*.cdn.example')).toBe(false);
  });

  it('a malformed pattern matches nothing', () => {
    for (const bad of ['*', 'https://', 'models.example.com', 'https://a.example/path', ''])
      expect(originMatches('https://a.example', bad), bad).toBe(false);
  });
});

describe('registryVerdict', () => {
  const allow = ['https://models.example.com'];
  it('allows the app’s origin, the allowlist, and loopback from a loopback app', () => {
    expect(registryVerdict('https://app.example/models/%3F/', 'https://app.example', [])).toBe('same-origin');
    expect(registryVerdict('https://models.example.com/hotlens/', 'https://app.example', allow)).toBe('allowlisted');
    expect(registryVerdict('http://127.0.0.1:9000/reg/', 'http://127.0.0.1:4173', [])).toBe('loopback');
    expect(registryVerdict('http://localhost:9000/reg/', 'http://[::1]:4173', [])).toBe('loopback');
  });

  it('refuses every other origin, loopback from a deployed app, and non-HTTP schemes', () => {
    expect(registryVerdict('https://evil.test/models/', 'https://app.example', allow)).toBe('refused');
    expect(registryVerdict('http://127.0.0.1:9000/reg/', 'https://app.example', allow)).toBe('refused');
    expect(registryVerdict('https://models.example.com/', 'http://127.0.0.1:4173', [])).toBe('refused');
    expect(registryVerdict('data:text/plain,x', 'https://app.example', allow)).toBe('refused');
    expect(registryVerdict('not a url', 'https://app.example', allow)).toBe('refused');
  });
});
