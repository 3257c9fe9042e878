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
 * Several folders can share one origin: each URL-prefix mount (mounts.ts) has its own folder,
 * header profile, CSP and cache policy — the bench serves the app at `/`, a registry copy at
 * `/models/` and its own pages and fixtures beside them. `root` + `profile` is the one-mount case.
 *
 * Only files that really lie inside a mount's folder are served: the path is checked as text (no
 * `..`) and again after symlinks are resolved, so a link to /etc/passwd (or to a folder outside)
 * is 403 — serve a copy, not a link.
 *
 * GETs honour a single `Range` (206 + Content-Range, 416 when unsatisfiable) so interrupted
 * downloads can resume. Tests can arm faults (faults.ts) that the next matching GETs get.
 * Every request is recorded (method, path, status, body and header bytes sent, bytes received,
 * who asked, Range, fault) so tests can count what was fetched, assert that a download resumed,
 * and prove that nothing was uploaded, and the bench can count the bytes a visit costs.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { FaultTable, faultName, sendFaulted, type Fault } from './faults.ts';
import {
  CONTENT_TYPES,
  initiatorOf,
  matchMount,
  mountHeaders,
  orderMounts,
  type HeaderProfile,
  type Mount,
} from './mounts.ts';

export type { Fault, FaultKind } from './faults.ts';
export { CONTENT_TYPES, IMMUTABLE, REVALIDATE, headersFor, type HeaderProfile, type Mount } from './mounts.ts';

/** One request as served. */
export interface ServedRequest {
  time: number;
  method: string;
  /** Path without the query string (the full URL path, mount prefix included). */
  path: string;
  status: number;
  /** Body bytes sent (0 for 304, HEAD and errors; what was written when the client went away mid-body). */
  bytes: number;
  /** Everything else the connection carried for this response: status line, headers (and the short text of an error). */
  headerBytes: number;
  /** Who asked: `sw-script`, or `Sec-Fetch-Dest/Sec-Fetch-Mode` such as `document/navigate` (see mounts.ts). */
  initiator: string;
  /** The request's `Range` header, when it had one. */
  range?: string;
  /** The injected fault this request got (e.g. "dropAfter 1000"). */
  fault?: string;
  /** Body bytes received with the request (an upload; 0 for every request the app should make). */
  requestBytes: number;
}

/** Options of {@link startStaticServer}: one folder (`root` + `profile`) or several `mounts`. */
export interface StaticServerOptions {
  /** One folder served at `/` (with `profile`); or give `mounts`. */
  root?: string;
  profile?: HeaderProfile;
  /** Several folders on one origin, by URL prefix. */
  mounts?: Mount[];
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** `app` profile with `root`: the Content-Security-Policy to send (default: the production policy, registries on the same origin only). */
  csp?: string;
}

/** A running server. */
export interface StaticServer {
  /** Base URL ending in "/". */
  url: string;
  port: number;
  /** Every request so far, oldest first (recorded once its response ended or broke off). */
  readonly requests: ServedRequest[];
  /** Requests being answered now (not in `requests` yet). */
  inFlight(): number;
  /** Arms a fault for the next matching GET(s); see faults.ts. */
  fault(fault: Fault): void;
  /** Disarms every fault not used yet. */
  clearFaults(): void;
  /** Armed faults and how many uses each has left. */
  pendingFaults(): Array<{ fault: Fault; left: number }>;
  close(): Promise<void>;
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
  /** Longest prefix first; roots are real paths. */
  mounts: Mount[];
  faults: FaultTable;
  stalls: Set<ServerResponse>;
}

/** Streams bytes start..end of `file`; resolves with the bytes written once done or abandoned by the client. */
function streamFile(res: ServerResponse, file: string, start: number, end: number): Promise<number> {
  return new Promise((done) => {
    let written = 0;
    const stream = createReadStream(file, { start, end });
    const finish = () => done(written);
    stream.on('data', (chunk) => (written += chunk.length));
    stream.on('error', () => {
      res.destroy();
      finish();
    });
    stream.on('end', finish);
    // A client that goes away mid-body (navigation, abort) ends the stream too: no open file, no lost record.
    res.once('close', () => {
      if (stream.readableEnded) return;
      stream.destroy();
      finish();
    });
    stream.pipe(res);
  });
}

async function serve(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): Promise<Served> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const match = matchMount(ctx.mounts, path);
  if (!match) {
    send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'not found');
    return { path, status: 404, bytes: 0 };
  }
  const { mount } = match;
  const root = mount.root;
  const base = mountHeaders(mount, match.path);
  if (req.method === 'OPTIONS' && mount.profile === 'registry') {
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
  let file = normalize(join(root, match.path));
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
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
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
  return { path, status, bytes: await streamFile(res, file, start, end) };
}

/** The mounts `options` describe, roots resolved to real paths. */
async function resolveMounts(options: StaticServerOptions): Promise<Mount[]> {
  if (options.mounts && options.root !== undefined) throw new Error('give either `root` or `mounts`, not both');
  const mounts: Mount[] = options.mounts ?? [
    {
      prefix: '/',
      root: options.root ?? '',
      profile: options.profile ?? 'registry',
      ...(options.csp !== undefined ? { csp: options.csp } : {}),
    },
  ];
  if (mounts.some((m) => m.root === '')) throw new Error('every mount needs a root folder');
  // The real path, so that files under a root reached through a symlink still count as inside.
  const real = await Promise.all(
    mounts.map(async (m) => ({ ...m, root: await realpath(resolve(m.root)).catch(() => resolve(m.root)) })),
  );
  return orderMounts(real);
}

/** Serves `root` (or each of `mounts`) until closed. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const requests: ServedRequest[] = [];
  const ctx: ServeContext = { mounts: await resolveMounts(options), faults: new FaultTable(), stalls: new Set() };
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    const time = Date.now();
    const method = req.method ?? 'GET';
    const range = req.headers.range !== undefined ? { range: req.headers.range } : {};
    const initiator = initiatorOf(req.headers);
    // HTTP/1.1 without pipelining (what browsers do): the connection carries one response at a
    // time, so what it wrote meanwhile is this response, headers included.
    const socket = req.socket;
    const wrote = () => socket.bytesWritten ?? 0;
    const wroteBefore = wrote();
    let requestBytes = 0;
    const received = new Promise<void>((done) => {
      req.on('data', (chunk: Buffer) => (requestBytes += chunk.length));
      req.once('end', done);
      req.once('close', done);
    });
    const record = (r: Served) =>
      received.then(() => {
        const headerBytes = Math.max(0, wrote() - wroteBefore - r.bytes);
        requests.push({ time, method, ...r, headerBytes, initiator, ...range, requestBytes });
        inFlight -= 1;
      });
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
    inFlight: () => inFlight,
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
