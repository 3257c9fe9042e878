/**
 * @file The bench's own static server: the app's production build, the registry the bench may
 * publish into, the bench pages, face-api's weights and TF.js wasm binaries — all on one origin
 * with COOP/COEP (cross-origin isolation: WASM threads, measureUserAgentSpecificMemory).
 *
 * Caching follows what DESIGN.md asks of a deployment, so repeat-visit bytes mean something:
 * content-hashed shell assets and content-addressed model blobs are `immutable`, everything
 * else (index.html, sw.js, manifest.json) is `no-cache` with an ETag so a revisit costs a 304.
 * Every response is logged with its byte count: the server sees exactly what crossed the
 * network, for the page, its workers and the service worker alike.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_TYPES } from '../../tools/registry-server/static-server.ts';

/** One URL prefix served from one directory. */
export interface Mount {
  prefix: string;
  dir: string;
  /** Cache-Control for files under this mount (default `no-cache`). */
  cache?: (path: string) => string;
}

/** One response as the server sent it. */
export interface Transfer {
  path: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** Status line + headers, approximately as written. */
  headerBytes: number;
  at: number;
  /** Who asked: Sec-Fetch-Dest/Sec-Fetch-Mode (e.g. document/navigate, empty/cors), plus "sw-script" for update checks. */
  by: string;
}

/** Headers that make every page cross-origin isolated. */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Cache-Control for files whose URL changes whenever their bytes do. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cache-Control for everything else: always revalidate (a 304 when unchanged). */
export const REVALIDATE = 'no-cache';

/** A running bench server. */
export class BenchServer {
  private log: Transfer[] = [];

  private constructor(
    private readonly server: Server,
    /** Origin, e.g. http://127.0.0.1:41234 */
    readonly origin: string,
  ) {}

  /** Starts serving `mounts` (first matching prefix wins) on a free port of 127.0.0.1. */
  static async start(mounts: Mount[]): Promise<BenchServer> {
    const sorted = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
    let self: BenchServer | null = null;
    const server = createServer((req, res) => {
      handle(sorted, req, res, (t) => self?.log.push(t)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, ISOLATION);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    self = new BenchServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Absolute URL for a path on this server. */
  url(path: string): string {
    return new URL(path, this.origin).href;
  }

  /** Responses since the last call (and forgets them). */
  take(): Transfer[] {
    const out = this.log;
    this.log = [];
    return out;
  }

  /** Stops the server (open keep-alive sockets are closed). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function headerSize(status: number, headers: Record<string, string | number>): number {
  let n = `HTTP/1.1 ${status} OK\r\n`.length + 2;
  for (const [k, v] of Object.entries(headers)) n += k.length + String(v).length + 4;
  return n;
}

async function handle(
  mounts: Mount[],
  req: IncomingMessage,
  res: ServerResponse,
  record: (t: Transfer) => void,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://bench');
  let path = decodeURIComponent(url.pathname);
  if (path.endsWith('/')) path += 'index.html';
  const at = Date.now();
  const by =
    req.headers['service-worker'] === 'script'
      ? 'sw-script'
      : `${String(req.headers['sec-fetch-dest'] ?? '?')}/${String(req.headers['sec-fetch-mode'] ?? '?')}`;
  const send = (status: number, headers: Record<string, string | number>, body?: string) => {
    const all = { ...ISOLATION, ...headers };
    res.writeHead(status, all);
    res.end(body);
    record({ path, status, bytes: body ? Buffer.byteLength(body) : 0, headerBytes: headerSize(status, all), at, by });
  };
  const mount = mounts.find((m) => path.startsWith(m.prefix));
  if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) return send(404, {}, 'not found');
  const rel = normalize(path.slice(mount.prefix.length));
  if (rel.startsWith('..') || rel.includes(`${sep}..`)) return send(403, {}, 'forbidden');
  const file = join(mount.dir, rel);
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return send(404, { 'Content-Type': 'text/plain' }, 'not found');
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': mount.cache?.(rel) ?? REVALIDATE,
    ETag: etag,
    'Last-Modified': st.mtime.toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) return send(304, headers);
  headers['Content-Length'] = st.size;
  const all = { ...ISOLATION, ...headers };
  res.writeHead(200, all);
  const entry: Transfer = { path, status: 200, bytes: 0, headerBytes: headerSize(200, all), at, by };
  record(entry);
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(file);
  stream.on('data', (chunk) => {
    entry.bytes += chunk.length;
  });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
