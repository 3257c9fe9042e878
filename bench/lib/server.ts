/**
 * @file The bench's server as the sections see it: an origin, URLs on it, and the responses
 * sent since they last looked. The serving itself is the registry server's
 * (tools/registry-server/static-server.ts) with one URL-prefix mount per folder — the same
 * headers, caching and CSP code the e2e suite and deployments rely on, not a second server.
 * Its response log counts body and header bytes as they went over the connection, and who
 * asked (the page, a worker, the service worker's update check), for the bytes figures.
 */
import {
  startStaticServer,
  type Mount,
  type ServedRequest,
  type StaticServer,
} from '../../tools/registry-server/static-server.ts';

export { IMMUTABLE, REVALIDATE, type Mount } from '../../tools/registry-server/static-server.ts';

/** One response as the server sent it. */
export interface Transfer {
  path: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** Status line + headers. */
  headerBytes: number;
  /** Epoch ms the request arrived. */
  at: number;
  /** Who asked: Sec-Fetch-Dest/Sec-Fetch-Mode (e.g. document/navigate, empty/cors), or "sw-script" for update checks. */
  by: string;
}

const transfer = (r: ServedRequest): Transfer => ({
  path: r.path,
  status: r.status,
  bytes: r.bytes,
  headerBytes: r.headerBytes,
  at: r.time,
  by: r.initiator,
});

/** A running bench server. */
export class BenchServer {
  private seen = 0;

  private constructor(
    private readonly server: StaticServer,
    /** Origin, e.g. http://127.0.0.1:41234 */
    readonly origin: string,
  ) {}

  /** Starts serving `mounts` (longest matching prefix wins) on a free port of 127.0.0.1. */
  static async start(mounts: Mount[]): Promise<BenchServer> {
    const server = await startStaticServer({ mounts });
    return new BenchServer(server, server.url.replace(/\/$/, ''));
  }

  /** Absolute URL for a path on this server. */
  url(path: string): string {
    return new URL(path, this.origin).href;
  }

  /** Responses finished since the last call (a response is logged once its body ended or broke off). */
  take(): Transfer[] {
    const out = this.server.requests.slice(this.seen).map(transfer);
    this.seen = this.server.requests.length;
    return out;
  }

  /** Every response since the server started (take() does not forget them here). */
  all(): Transfer[] {
    return this.server.requests.map(transfer);
  }

  /** Waits until no response is in progress (false when `timeoutMs` passed first), so take() misses none. */
  async quiet(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.server.inFlight() > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** Stops the server (open keep-alive sockets are closed). */
  close(): Promise<void> {
    return this.server.close();
  }
}
