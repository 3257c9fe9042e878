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
 * Every request is recorded (method, path, status, bytes sent and received) so tests can count
 * what was fetched and prove that nothing was uploaded.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
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
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The headers a file gets under a profile (besides Content-Type, ETag, Last-Modified). */
export function headersFor(profile: HeaderProfile, path: string): Record<string, string> {
  if (profile === 'registry') {
    return {
      'Cache-Control': path.startsWith('/blobs/') ? IMMUTABLE : 'no-cache',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, Last-Modified',
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

async function serve(options: StaticServerOptions & { root: string }, req: IncomingMessage, res: ServerResponse) {
  const { root, profile } = options;
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const base = headersFor(profile, path);
  if (profile === 'app') base['Content-Security-Policy'] = options.csp ?? contentSecurityPolicy();
  if (req.method === 'OPTIONS' && profile === 'registry') {
    const status = send(res, 204, {
      ...base,
      'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, Cache-Control',
      'Access-Control-Max-Age': '600',
    });
    return { path, status: 204, bytes: status };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { ...base, Allow: 'GET, HEAD' });
    return { path, status: 405, bytes: 0 };
  }
  let file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) {
    send(res, 403, base, 'forbidden');
    return { path, status: 403, bytes: 0 };
  }
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) {
    send(res, 404, base, 'not found');
    return { path, status: 404, bytes: 0 };
  }
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
  const headers = {
    ...base,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    ETag: etag,
    'Last-Modified': lastModified,
  };
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const notModified =
    inm !== undefined ? inm.split(/\s*,\s*/).includes(etag) : ims !== undefined && ims === lastModified;
  if (notModified) {
    send(res, 304, headers);
    return { path, status: 304, bytes: 0 };
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(info.size) });
  if (req.method === 'HEAD') {
    res.end();
    return { path, status: 200, bytes: 0 };
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', done);
    stream.pipe(res);
  });
  return { path, status: 200, bytes: info.size };
}

/** Serves `root` until closed. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const requests: ServedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const time = Date.now();
    let requestBytes = 0;
    const received = new Promise<void>((done) => {
      req.on('data', (chunk: Buffer) => (requestBytes += chunk.length));
      req.once('end', done);
      req.once('close', done);
    });
    const record = (r: { path: string; status: number; bytes: number }) =>
      received.then(() => requests.push({ time, method: req.method ?? 'GET', ...r, requestBytes }));
    serve({ ...options, root }, req, res).then(record, () => {
      if (!res.headersSent) send(res, 500, {}, 'internal error');
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
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
