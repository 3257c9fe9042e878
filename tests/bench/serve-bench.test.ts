/**
 * @file The bench server's Content Security Policies: the bench pages get production's plus only
 * the sources TF.js needs for face-api's wasm threads; the helper that adds them.
 */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../tools/lib/csp.ts';
import { BENCH_PAGES_CSP, extendPolicy } from '../../bench/lib/serve-bench.ts';

describe('bench pages policy', () => {
  it('is production’s plus blob: scripts and workers, nothing else', () => {
    const production = contentSecurityPolicy().split('; ');
    const pages = BENCH_PAGES_CSP.split('; ');
    expect(pages.find((d) => d.startsWith('script-src'))).toBe("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(pages.find((d) => d.startsWith('worker-src'))).toBe("worker-src 'self' blob:");
    const rest = (ds: string[]) => ds.filter((d) => !/^(script-src|worker-src|report-uri)/.test(d));
    expect(rest(pages)).toEqual(rest(production));
    expect(BENCH_PAGES_CSP).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
  });

  it('extends named directives and appends missing ones', () => {
    expect(extendPolicy("default-src 'self'; img-src 'self'", { 'img-src': ['data:'], 'media-src': ['blob:'] })).toBe(
      "default-src 'self'; img-src 'self' data:; media-src blob:",
    );
  });
});
