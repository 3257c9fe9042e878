/**
 * @file A small static file server with the HTTP headers hotlens deployments need, used by the
 * e2e suite to serve a model registry it publishes into (and a copy of the built app), and
 * usable as a local CDN stand-in. Two header profiles:
 *
 * `registry` (a model registry, possibly on another origin than the app):
 *   manifest.json   Cache-Control: no-cache, ETag + Last-Modified, 304 on If-None-Match /
 *                   If-Modified-Since — a poll of an unchanged registry costs a few hundred bytes
 *   blobs/*         Cache-Control: public, max-age=31536000, immutable (content-addressed)
 *   everything      Access-Control-Allow-Origin: *, Access-Control-Expose-Headers: ETag,
 *                   Last-Modified; Cross-Origin-Resource-Policy: cross-origin (the app sends
 *                   COEP require-corp); OPTIONS preflights answered (If-None-Match is not a
 *                   CORS-safelisted header)
 * `app` (the built app shell): COOP same-origin + COEP require-corp on everything (cross-origin
 *   isolation for WASM threads), the Content-Security-Policy (tools/lib/csp.ts), no-cache on
 *   HTML / sw.js / the web manifest, immutable on assets/.
 *
 * Only files that really lie inside the root are served: the path is checked as text (no `..`)
 * and again after symlinks are resolved, so a link to /etc/passwd (or to a folder outside) is 403.
 *
 * GETs honour a single `Range` (206 + Content-Range, 416 when unsatisfiable) so interrupted
 * downloads can resume. Tests can arm faults (faults.ts) that the next matching GETs get.
 * Every request is recorded (method, path, status, bytes sent and received, Range, fault) so
 * tests can count what was fetched, assert that a download resumed, and prove that nothing was
 * uploaded.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { FaultTable, faultName, sendFaulted, type Fault } from './faults.ts';

export type { Fault, FaultKind } from './faults.ts';
import { contentSecurityPolicy } from '../lib/csp.ts';

/** Which headers to send. */
export type HeaderProfile = 'registry' | 'app';

/** One request as served. */
export interface ServedRequest {
  time: number;
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  /** Body bytes sent (0 for 304, HEAD and errors). */
  bytes: number;
  /** The request's `Range` header, when it had one. */
  range?: string;
  /** The injected fault this request got (e.g. "dropAfter 1000"). */
  fault?: string;
  /** Body bytes received with the request (an upload; 0 for every request the app should make). */
  requestBytes: number;
}

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
  root: string;
  profile: HeaderProfile;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** `app` profile: the Content-Security-Policy to send (default: the production policy, registries on the same origin only). */
  csp?: string;
}

/** A running server. */
export interface StaticServer {
  /** Base URL ending in "/". */
  url: string;
  port: number;
  /** Every request so far, oldest first. */
  readonly requests: ServedRequest[];
  /** Arms a fault for the next matching GET(s); see faults.ts. */
  fault(fault: Fault): void;
  /** Disarms every fault not used yet. */
  clearFaults(): void;
  /** Armed faults and how many uses each has left. */
  pendingFaults(): Array<{ fault: Fault; left: number }>;
  close(): Promise<void>;
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

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The headers a file gets under a profile (besides Content-Type, ETag, Last-Modified). */
export function headersFor(profile: HeaderProfile, path: string): Record<string, string> {
  if (profile === 'registry') {
    return {
      'Cache-Control': path.startsWith('/blobs/') ? IMMUTABLE : 'no-cache',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, Last-Modified, Content-Range, Accept-Ranges',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
  }
  return {
    'Cache-Control': path.startsWith('/assets/') ? IMMUTABLE : 'no-cache',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body = ''): number {
  res.writeHead(status, headers);
  res.end(body);
  return 0;
}

/** A byte range of a file, inclusive. */
interface ByteRange {
  start: number;
  end: number;
}

/**
 * The single range a `Range` header asks for: a range, `'unsatisfiable'`, or null to serve the
 * whole file (no header, a unit other than bytes, or several ranges, which servers may ignore).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const m = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'unsatisfiable' : { start, end };
}

/** True when `path` is `root` or lies below it (both absolute and normalised). */
function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

interface Served {
  path: string;
  status: number;
  bytes: number;
  fault?: string;
}

interface ServeContext {
  root: string;
  profile: HeaderProfile;
  faults: FaultTable;
  stalls: Set<ServerResponse>;
  /** `app` profile: the Content-Security-Policy to send. */
  csp?: string;
}

async function serve(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): Promise<Served> {
  const { root, profile } = ctx;
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const base = headersFor(profile, path);
  if (profile === 'app') base['Content-Security-Policy'] = ctx.csp ?? contentSecurityPolicy();
  if (req.method === 'OPTIONS' && profile === 'registry') {
    const status = send(res, 204, {
      ...base,
      'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, Cache-Control, Range',
      'Access-Control-Max-Age': '600',
    });
    return { path, status: 204, bytes: status };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { ...base, Allow: 'GET, HEAD' });
    return { path, status: 405, bytes: 0 };
  }
  let file = normalize(join(root, path));
  const forbidden = (): Served => {
    send(res, 403, base, 'forbidden');
    return { path, status: 403, bytes: 0 };
  };
  if (!isInside(root, file)) return forbidden();
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (info) {
    // A symlink may point anywhere: judge (and serve) the file it resolves to.
    const real = await realpath(file).catch(() => null);
    if (real === null || !isInside(root, real)) return forbidden();
    file = real;
  }
  // An armed fault wins over 404 and 304: a broken CDN answers whatever the client asked.
  const fault = req.method === 'GET' ? ctx.faults.take(path) : undefined;
  if (fault && ('status' in fault || 'body' in fault)) {
    const type = { 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' };
    const sent = await sendFaulted(res, fault, new Uint8Array(0), { ...base, ...type }, ctx.stalls);
    return { path, ...sent, fault: faultName(fault) };
  }
  if (!info?.isFile()) {
    send(res, 404, base, 'not found');
    return { path, status: 404, bytes: 0 };
  }
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
  const headers = {
    ...base,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    ETag: etag,
    'Last-Modified': lastModified,
    'Accept-Ranges': 'bytes',
  };
  if (fault) {
    const sent = await sendFaulted(res, fault, await readFile(file), headers, ctx.stalls);
    return { path, ...sent, fault: faultName(fault) };
  }
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const notModified =
    inm !== undefined ? inm.split(/\s*,\s*/).includes(etag) : ims !== undefined && ims === lastModified;
  if (notModified) {
    send(res, 304, headers);
    return { path, status: 304, bytes: 0 };
  }
  // If-Range: resume only from the same version of the file, else send it whole.
  const ifRange = req.headers['if-range'];
  const sameVersion = ifRange === undefined || ifRange === etag || ifRange === lastModified;
  const range = req.method === 'GET' && sameVersion ? parseRange(req.headers.range, info.size) : null;
  if (range === 'unsatisfiable') {
    send(res, 416, { ...headers, 'Content-Range': `bytes */${info.size}` });
    return { path, status: 416, bytes: 0 };
  }
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  const length = Math.max(0, end - start + 1);
  const status = range ? 206 : 200;
  const rangeHeaders: Record<string, string> = range ? { 'Content-Range': `bytes ${start}-${end}/${info.size}` } : {};
  res.writeHead(status, { ...headers, ...rangeHeaders, 'Content-Length': String(length) });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return { path, status, bytes: 0 };
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', done);
    stream.pipe(res);
  });
  return { path, status, bytes: length };
}

/** Serves `root` until closed. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  // The real path, so that files under a root reached through a symlink still count as inside.
  const root = await realpath(resolve(options.root)).catch(() => resolve(options.root));
  const requests: ServedRequest[] = [];
  const ctx: ServeContext = {
    root,
    profile: options.profile,
    faults: new FaultTable(),
    stalls: new Set(),
    csp: options.csp,
  };
  const server: Server = createServer((req, res) => {
    const time = Date.now();
    const method = req.method ?? 'GET';
    const range = req.headers.range !== undefined ? { range: req.headers.range } : {};
    let requestBytes = 0;
    const received = new Promise<void>((done) => {
      req.on('data', (chunk: Buffer) => (requestBytes += chunk.length));
      req.once('end', done);
      req.once('close', done);
    });
    const record = (r: Served) => received.then(() => requests.push({ time, method, ...r, ...range, requestBytes }));
    serve(ctx, req, res).then(record, () => {
      if (!res.headersSent) send(res, 500, {}, 'internal error');
      else res.destroy();
      return record({ path: req.url ?? '', status: 500, bytes: 0 });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    port,
    requests,
    fault: (fault) => ctx.faults.add(fault),
    clearFaults: () => ctx.faults.clear(),
    pendingFaults: () => ctx.faults.pending(),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
