/**
 * @file Several folders on one origin, as the bench serves the app, its registry copy and its own
 * pages: the longest URL prefix wins, each mount keeps its profile's headers (paths judged inside
 * the mount, so `/models/blobs/` is immutable), its own CSP and cache policy, and its own folder
 * (a link into a sibling mount is refused like any other). The request log counts what went
 * over the connection — body and header bytes, a body cut short by the client — and who asked.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../tools/lib/csp.ts';
import { initiatorOf, matchMount, MountError, orderMounts } from '../../../tools/registry-server/mounts.ts';
import { startStaticServer, type StaticServer } from '../../../tools/registry-server/static-server.ts';

const BIG = 4 * 1024 * 1024;
let dir: string;
let server: StaticServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotlens-mounts-'));
  for (const sub of ['app/assets', 'app/models/blobs', 'registry/blobs', 'pages/assets', 'photos'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'app', 'index.html'), '<!doctype html>app');
  writeFileSync(join(dir, 'app', 'assets', 'a-1.js'), 'export {}');
  writeFileSync(join(dir, 'app', 'models', 'manifest.json'), '{"from":"app"}');
  writeFileSync(join(dir, 'registry', 'manifest.json'), '{"from":"registry"}');
  writeFileSync(join(dir, 'registry', 'blobs', 'sha256-ab.onnx'), new Uint8Array([1, 2, 3]));
  writeFileSync(join(dir, 'pages', 'models.html'), '<!doctype html>bench');
  writeFileSync(join(dir, 'photos', 'big.jpg'), new Uint8Array(BIG));
  // A link from the pages folder into the registry folder: inside the server's files, outside its mount.
  symlinkSync(join(dir, 'registry', 'manifest.json'), join(dir, 'pages', 'sibling.json'));
  server = await startStaticServer({
    mounts: [
      { prefix: '/', root: join(dir, 'app'), profile: 'app' },
      { prefix: '/models/', root: join(dir, 'registry'), profile: 'registry' },
      { prefix: '/bench/', root: join(dir, 'pages'), profile: 'app', csp: "default-src 'self'; worker-src blob:" },
      { prefix: '/photos/', root: join(dir, 'photos'), profile: 'app', cacheControl: () => 'max-age=60' },
    ],
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mount table', () => {
  it('wants prefixes that start and end with "/", each once, and orders the longest first', () => {
    const m = (prefix: string) => ({ prefix, root: '/tmp', profile: 'app' as const });
    expect(orderMounts([m('/'), m('/a/b/'), m('/a/')]).map((x) => x.prefix)).toEqual(['/a/b/', '/a/', '/']);
    expect(() => orderMounts([m('/models')])).toThrow(MountError);
    expect(() => orderMounts([m('models/')])).toThrow(/must start and end with "\/"/);
    expect(() => orderMounts([m('/a/'), m('/a/')])).toThrow(/given twice/);
    expect(() => orderMounts([])).toThrow(/at least one mount/);
    const ordered = orderMounts([m('/'), m('/models/')]);
    expect(matchMount(ordered, '/models/blobs/x.onnx')).toMatchObject({
      mount: { prefix: '/models/' },
      path: '/blobs/x.onnx',
    });
    expect(matchMount(ordered, '/models')).toMatchObject({ mount: { prefix: '/models/' }, path: '/' });
    expect(matchMount(ordered, '/modelsx')).toMatchObject({ mount: { prefix: '/' }, path: '/modelsx' });
    expect(matchMount(orderMounts([m('/a/')]), '/b')).toBeNull();
  });

  it('refuses `root` and `mounts` together', async () => {
    await expect(startStaticServer({ root: dir, mounts: [] })).rejects.toThrow(/either `root` or `mounts`/);
  });
});

describe('several mounts on one origin', () => {
  it('serves each prefix from its own folder, the longest prefix first', async () => {
    expect(await (await fetch(server.url)).text()).toBe('<!doctype html>app');
    expect(await (await fetch(`${server.url}models/manifest.json`)).text()).toBe('{"from":"registry"}');
    expect(await (await fetch(`${server.url}bench/models.html`)).text()).toBe('<!doctype html>bench');
  });

  it("gives each mount its profile's headers, judged on the path inside the mount", async () => {
    const blob = await fetch(`${server.url}models/blobs/sha256-ab.onnx`);
    expect(blob.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(blob.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(blob.headers.get('content-security-policy')).toBeNull();
    const manifest = await fetch(`${server.url}models/manifest.json`);
    expect(manifest.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${server.url}assets/a-1.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(asset.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('sends the production CSP on the app and a mount’s own policy on its files', async () => {
    expect((await fetch(server.url)).headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    const page = await fetch(`${server.url}bench/models.html`);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'; worker-src blob:");
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('applies a mount’s cache policy', async () => {
    const res = await fetch(`${server.url}photos/big.jpg`, { method: 'HEAD' });
    expect(res.headers.get('cache-control')).toBe('max-age=60');
    expect(res.headers.get('content-length')).toBe(String(BIG));
  });

  it('keeps each mount in its own folder: a link into a sibling mount is 403, a missing prefix 404', async () => {
    const res = await fetch(`${server.url}bench/sibling.json`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('registry');
    expect((await fetch(`${server.url}bench/..%2fmodels%2fmanifest.json`)).status).toBe(403);
    const only = await startStaticServer({
      mounts: [{ prefix: '/models/', root: join(dir, 'registry'), profile: 'registry' }],
    });
    try {
      expect((await fetch(`${only.url}index.html`)).status).toBe(404);
      expect((await fetch(`${only.url}models/manifest.json`)).status).toBe(200);
    } finally {
      await only.close();
    }
  });
});

/** A raw HTTP/1.1 GET: every byte the server sent back. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra.join('')}\r\n`),
    );
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

const settle = () => new Promise((done) => setTimeout(done, 50));

describe('request log', () => {
  it('counts body and header bytes exactly as they went over the connection', async () => {
    const wire = await rawGet(server.port, '/models/manifest.json');
    await settle();
    const last = server.requests.at(-1)!;
    expect(last).toMatchObject({ path: '/models/manifest.json', status: 200, bytes: 19 });
    expect(last.headerBytes + last.bytes).toBe(wire.byteLength);
    expect(wire.subarray(0, last.headerBytes).toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
  });

  it('records who asked: Sec-Fetch-Dest/Mode, a service worker’s update check, or "?" when unsaid', async () => {
    await rawGet(server.port, '/', { 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate' });
    await rawGet(server.port, '/assets/a-1.js', { 'Service-Worker': 'script', 'Sec-Fetch-Dest': 'serviceworker' });
    await rawGet(server.port, '/models/manifest.json');
    await settle();
    expect(server.requests.slice(-3).map((r) => r.initiator)).toEqual(['document/navigate', 'sw-script', '?/?']);
    expect(initiatorOf({ 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' })).toBe('empty/cors');
  });

  it('records a response the client abandoned mid-body, with the bytes actually written', async () => {
    const before = server.requests.length;
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}photos/big.jpg`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.end();
    });
    await expect.poll(() => server.requests.length, { timeout: 5000 }).toBe(before + 1);
    expect(server.inFlight()).toBe(0);
    const cut = server.requests.at(-1)!;
    expect(cut.path).toBe('/photos/big.jpg');
    expect(cut.status).toBe(200);
    expect(cut.bytes).toBeGreaterThan(0);
    expect(cut.bytes).toBeLessThan(BIG);
  });
});
