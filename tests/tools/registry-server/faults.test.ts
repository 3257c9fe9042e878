/**
 * @file The registry server's HTTP Range support and fault injection, over real HTTP: what the
 * e2e fault specs rely on to make a download resume, corrupt, truncate, drop or stall, and a
 * manifest fail, exactly once (or `times` times) and then serve the real file again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange, startStaticServer, type StaticServer } from '../../../tools/registry-server/static-server.ts';

const SIZE = 100_000;
const file = Uint8Array.from({ length: SIZE }, (_, i) => (i * 7) % 251);
let dir: string;
let server: StaticServer;
const blob = () => `${server.url}blobs/a.onnx`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotlens-faults-'));
  mkdirSync(join(dir, 'blobs'));
  writeFileSync(join(dir, 'blobs', 'a.onnx'), file);
  writeFileSync(join(dir, 'manifest.json'), '{"schema":1}');
  server = await startStaticServer({ root: dir, profile: 'registry' });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function body(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

describe('Range', () => {
  it('parses single byte ranges and refuses unsatisfiable ones', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=2-', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=2-4', 10)).toEqual({ start: 2, end: 4 });
    expect(parseRange('bytes=2-400', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
  });

  it('answers bytes=N- and bytes=N-M with 206 + Content-Range, and 416 past the end', async () => {
    const whole = await fetch(blob());
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    await whole.arrayBuffer();
    const tail = await fetch(blob(), { headers: { Range: 'bytes=40000-' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes 40000-${SIZE - 1}/${SIZE}`);
    expect(await body(tail)).toEqual(file.subarray(40_000));
    const mid = await fetch(blob(), { headers: { Range: 'bytes=10-19' } });
    expect(mid.status).toBe(206);
    expect(await body(mid)).toEqual(file.subarray(10, 20));
    const past = await fetch(blob(), { headers: { Range: `bytes=${SIZE}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${SIZE}`);
    expect(server.requests.slice(-3).map((r) => `${r.status} ${r.bytes} ${r.range}`)).toEqual([
      `206 ${SIZE - 40_000} bytes=40000-`,
      '206 10 bytes=10-19',
      `416 0 bytes=${SIZE}-`,
    ]);
  });

  it('sends the whole file when If-Range names another version', async () => {
    const res = await fetch(blob(), { headers: { Range: 'bytes=10-', 'If-Range': '"other"' } });
    expect(res.status).toBe(200);
    expect((await body(res)).byteLength).toBe(SIZE);
  });
});

describe('faults', () => {
  it('answers an HTTP status the next `times` requests, then the real file, even to a conditional request', async () => {
    const first = await fetch(`${server.url}manifest.json`);
    const etag = first.headers.get('etag')!;
    await first.text();
    server.fault({ path: 'manifest.json', status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}manifest.json`, { headers: { 'If-None-Match': etag } });
      statuses.push(res.status);
      expect(res.headers.get('etag')).toBe(i < 2 ? null : etag);
      await res.text();
    }
    expect(statuses).toEqual([500, 500, 304]);
    expect(server.requests.slice(-3).map((r) => r.fault ?? '-')).toEqual(['status 500', 'status 500', '-']);
    expect(server.pendingFaults()).toEqual([]);
  });

  it('replaces a body with no validators and no-store, so no cache keeps it', async () => {
    server.fault({ path: 'manifest.json', body: '{"schema": ' });
    const res = await fetch(`${server.url}manifest.json`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"schema": ');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
    expect(await (await fetch(`${server.url}manifest.json`)).text()).toBe('{"schema":1}');
  });

  it('flips one bit, or truncates to a complete but short 200', async () => {
    server.fault({ path: '/blobs/', flipBit: 1234 });
    const flipped = await body(await fetch(blob()));
    expect(flipped.byteLength).toBe(SIZE);
    const diff = flipped.findIndex((b, i) => b !== file[i]);
    expect(diff).toBe(1234);
    expect(flipped[1234]! ^ file[1234]!).toBe(1);
    expect(flipped.subarray(1235)).toEqual(file.subarray(1235));

    server.fault({ path: /\.onnx$/, truncate: 5000 });
    const short = await fetch(blob());
    expect(short.status).toBe(200);
    expect(short.headers.get('content-length')).toBe('5000');
    expect(await body(short)).toEqual(file.subarray(0, 5000));
  });

  it('drops the connection after N bytes of a full Content-Length', async () => {
    server.fault({ path: '/blobs/', dropAfter: 30_000 });
    const res = await fetch(blob());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    const reader = res.body!.getReader();
    let got = 0;
    const err = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return null;
        got += value.byteLength;
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(got).toBe(30_000);
  });

  it('stalls after N bytes until the client aborts', async () => {
    server.fault({ path: '/blobs/', stallAfter: 1000 });
    const ctrl = new AbortController();
    const res = await fetch(blob(), { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 1000) got += (await reader.read()).value!.byteLength;
    const next = reader.read();
    const raced = await Promise.race([
      next.then(() => 'data'),
      new Promise((r) => setTimeout(() => r('stalled'), 300)),
    ]);
    expect(raced).toBe('stalled');
    ctrl.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => server.requests.at(-1)?.fault).toBe('stallAfter 1000');
  });

  it('refuses a bad fault count', () => {
    expect(() => server.fault({ path: 'x', status: 500, times: 0 })).toThrow(/positive integer/);
  });
});
