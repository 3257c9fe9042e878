/**
 * @file The static server the e2e suite serves registries (and the app copy) with, over real
 * HTTP: the headers the README asks a deployment to send — ETag/Last-Modified with 304 and
 * no-cache on manifest.json, immutable on blobs, CORS + CORP for a registry on another origin,
 * COOP/COEP and the CSP for the app — a preflight answer, a 404, no way out of the served folder
 * (not by `..`, not through a symlink), and a request log that counts uploaded bytes.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../tools/lib/csp.ts';
import { startStaticServer, type StaticServer } from '../../../tools/registry-server/static-server.ts';

let dir: string;
let registry: StaticServer;
let app: StaticServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotlens-static-'));
  mkdirSync(join(dir, 'blobs'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'manifest.json'), '{"schema":1}');
  writeFileSync(join(dir, 'blobs', 'sha256-ab.onnx'), new Uint8Array([1, 2, 3]));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'export {}');
  registry = await startStaticServer({ root: dir, profile: 'registry' });
  app = await startStaticServer({ root: dir, profile: 'app' });
});

afterAll(async () => {
  await registry.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registry profile', () => {
  it('serves manifest.json with no-cache and validators, and answers 304 to a conditional request', async () => {
    const res = await fetch(`${registry.url}manifest.json`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"schema":1}');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, Last-Modified, Content-Range, Accept-Ranges');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const again = await fetch(`${registry.url}manifest.json`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    const since = await fetch(`${registry.url}manifest.json`, {
      headers: { 'If-Modified-Since': res.headers.get('last-modified')! },
    });
    expect(since.status).toBe(304);
    expect(registry.requests.slice(-3).map((r) => `${r.path} ${r.status} ${r.bytes}`)).toEqual([
      '/manifest.json 200 12',
      '/manifest.json 304 0',
      '/manifest.json 304 0',
    ]);
  });

  it('serves blobs as immutable, answers preflights, 404s and never leaves its folder', async () => {
    const blob = await fetch(`${registry.url}blobs/sha256-ab.onnx`);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(blob.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const preflight = await fetch(`${registry.url}manifest.json`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/If-None-Match.*Range/);
    expect((await fetch(`${registry.url}blobs/missing.onnx`)).status).toBe(404);
    expect((await fetch(`${registry.url}..%2f..%2fetc%2fpasswd`)).status).toBe(403);
  });

  it('never follows a symlink out of its folder (file or directory), but serves one that stays inside', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'hotlens-outside-'));
    try {
      writeFileSync(join(outside, 'secret.txt'), 'SECRET');
      mkdirSync(join(outside, 'dir'));
      writeFileSync(join(outside, 'dir', 'secret.txt'), 'SECRET');
      writeFileSync(join(outside, 'dir', 'index.html'), 'SECRET');
      symlinkSync(join(outside, 'secret.txt'), join(dir, 'leak.txt'));
      symlinkSync(join(outside, 'dir'), join(dir, 'leak-dir'), 'dir');
      // Relative links resolve from the link's folder: this one climbs out with `..`.
      symlinkSync('../' + outside.split('/').pop()! + '/secret.txt', join(dir, 'relative-leak.txt'));
      symlinkSync('manifest.json', join(dir, 'alias.json'));
      for (const path of ['leak.txt', 'leak-dir/secret.txt', 'leak-dir/', 'leak-dir', 'relative-leak.txt']) {
        for (const method of ['GET', 'HEAD']) {
          const res = await fetch(`${registry.url}${path}`, { method });
          expect(`${method} /${path} ${res.status}`).toBe(`${method} /${path} 403`);
          expect(await res.text()).not.toContain('SECRET');
        }
      }
      const inside = await fetch(`${registry.url}alias.json`);
      expect([inside.status, await inside.text()]).toEqual([200, '{"schema":1}']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('serves a root that is itself reached through a symlink', async () => {
    const link = join(tmpdir(), `hotlens-root-link-${process.pid}`);
    symlinkSync(dir, link, 'dir');
    const server = await startStaticServer({ root: link, profile: 'registry' });
    try {
      const res = await fetch(`${server.url}manifest.json`);
      expect([res.status, await res.text()]).toEqual([200, '{"schema":1}']);
    } finally {
      await server.close();
      rmSync(link, { force: true });
    }
  });
});

describe('app profile', () => {
  it('sends COOP/COEP everywhere, no-cache on the HTML, immutable on hashed assets', async () => {
    const page = await fetch(app.url);
    expect(await page.text()).toBe('<!doctype html>');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${app.url}assets/app-1.js`);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('sends the production Content-Security-Policy on every file, workers included', async () => {
    for (const path of ['', 'assets/app-1.js'])
      expect((await fetch(`${app.url}${path}`)).headers.get('content-security-policy')).toBe(contentSecurityPolicy());
  });
});

describe('request log', () => {
  it('records the bytes a request uploads (none for a GET)', async () => {
    await fetch(`${registry.url}manifest.json`);
    await fetch(`${registry.url}manifest.json`, { method: 'POST', body: 'twelve bytes' });
    await new Promise((done) => setTimeout(done, 50));
    expect(registry.requests.slice(-2).map((r) => `${r.method} ${r.status} ${r.requestBytes}`)).toEqual([
      'GET 200 0',
      'POST 405 12',
    ]);
  });
});
