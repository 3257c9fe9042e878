/**
 * @file Fault injection for the registry server, so e2e tests can prove the update path survives
 * what real CDNs and networks do: HTTP errors, corrupted or replaced bodies, a short body sent as
 * a complete response, a connection dropped mid-body, a response that stalls. A test arms a fault
 * for a path pattern and the next `times` matching GETs get it; everything else is served as usual.
 * Faulted responses carry no validators and `Cache-Control: no-store`, so the browser's HTTP
 * cache never keeps a faulted body and later requests see the real file. A fault replaces the
 * whole answer: it wins over 304 and 404, and a `Range` in the request is ignored (a resume that
 * meets a fault gets a 200 for the whole file, which the client must take as a restart).
 */
import type { ServerResponse } from 'node:http';

/** What goes wrong with a response (exactly one kind per fault). */
export type FaultKind =
  /** Answer with this HTTP status (e.g. 404, 500) and a short text body. */
  | { status: number }
  /** Serve these bytes instead of the file, as a normal 200. */
  | { body: string | Uint8Array }
  /** Serve the file with one bit flipped at this byte offset (bit 0 of that byte). */
  | { flipBit: number }
  /** A complete 200 whose body and Content-Length stop after this many bytes (a broken CDN). */
  | { truncate: number }
  /**
   * Send headers with the full Content-Length and this many bytes, then destroy the socket
   * {@link DROP_DELAY_MS} later (a link that dies mid-transfer; reset at once, Chromium may
   * discard bytes it had received but not yet handed to the page).
   */
  | { dropAfter: number }
  /** Send this many bytes, then hang until the client aborts or the server closes. */
  | { stallAfter: number }
  /** Serve the file whole, but only after this many ms (a slow origin or CDN). */
  | { delay: number };

/** A fault armed for requests whose path matches `path`. */
export type Fault = FaultKind & {
  /** A substring of the request path (e.g. "manifest.json", "/blobs/"), or a RegExp. */
  path: string | RegExp;
  /** How many matching requests get it (default 1). */
  times?: number;
};

/** How long a `dropAfter` connection stays open after its last byte, ms. */
export const DROP_DELAY_MS = 200;

/** An armed fault with its remaining count. */
interface Armed {
  fault: Fault;
  left: number;
}

/** The fault name recorded on a {@link ServedRequest}-like entry. */
export function faultName(fault: FaultKind): string {
  if ('status' in fault) return `status ${fault.status}`;
  if ('body' in fault) return 'body';
  if ('flipBit' in fault) return `flipBit ${fault.flipBit}`;
  if ('truncate' in fault) return `truncate ${fault.truncate}`;
  if ('dropAfter' in fault) return `dropAfter ${fault.dropAfter}`;
  if ('delay' in fault) return `delay ${fault.delay}`;
  return `stallAfter ${fault.stallAfter}`;
}

/** Armed faults, consumed by GET requests in arrival order. */
export class FaultTable {
  private readonly armed: Armed[] = [];

  /** Arms a fault for the next `times` matching GETs. */
  add(fault: Fault): void {
    const left = fault.times ?? 1;
    if (!Number.isInteger(left) || left < 1) throw new Error(`fault "times" must be a positive integer, got ${left}`);
    this.armed.push({ fault, left });
  }

  /** Disarms everything. */
  clear(): void {
    this.armed.length = 0;
  }

  /** Faults still armed (remaining counts). */
  pending(): Array<{ fault: Fault; left: number }> {
    return this.armed.map((a) => ({ ...a }));
  }

  /** The first armed fault matching `path`, consumed by one use; undefined when none. */
  take(path: string): FaultKind | undefined {
    const i = this.armed.findIndex(({ fault }) =>
      typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path),
    );
    const hit = this.armed[i];
    if (!hit) return undefined;
    if (--hit.left === 0) this.armed.splice(i, 1);
    return hit.fault;
  }
}

/** Drops validators and caching from a faulted response's headers. */
function uncached(headers: Record<string, string>): Record<string, string> {
  const { ETag: _etag, 'Last-Modified': _lastModified, 'Accept-Ranges': _ranges, ...rest } = headers;
  return { ...rest, 'Cache-Control': 'no-store' };
}

/**
 * Answers a GET with `fault` applied to `file` (the full file bytes). Resolves with the status
 * sent and the body bytes actually written, once the response ended, broke or was abandoned.
 */
export function sendFaulted(
  res: ServerResponse,
  fault: FaultKind,
  file: Uint8Array,
  headers: Record<string, string>,
  stalls: Set<ServerResponse>,
): Promise<{ status: number; bytes: number }> {
  const h = uncached(headers);
  if ('status' in fault) {
    const body = `fault injected: HTTP ${fault.status}`;
    res.writeHead(fault.status, { ...h, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(body);
    return Promise.resolve({ status: fault.status, bytes: 0 });
  }
  if ('body' in fault || 'flipBit' in fault || 'truncate' in fault) {
    let body: Uint8Array;
    if ('body' in fault) body = typeof fault.body === 'string' ? Buffer.from(fault.body) : fault.body;
    else if ('truncate' in fault) body = file.subarray(0, Math.min(fault.truncate, file.byteLength));
    else {
      if (fault.flipBit < 0 || fault.flipBit >= file.byteLength)
        throw new Error(`flipBit offset ${fault.flipBit} is outside the ${file.byteLength}-byte file`);
      body = Uint8Array.from(file);
      body[fault.flipBit]! ^= 1;
    }
    res.writeHead(200, { ...h, 'Content-Length': String(body.byteLength) });
    res.end(body);
    return Promise.resolve({ status: 200, bytes: body.byteLength });
  }
  if ('delay' in fault) {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        res.writeHead(200, { ...h, 'Content-Length': String(file.byteLength) });
        res.end(file, () => done({ status: 200, bytes: file.byteLength }));
      }, fault.delay);
      // The client gave up (or the server closed) before the answer went out.
      res.once('close', () => {
        clearTimeout(timer);
        done({ status: 200, bytes: 0 });
      });
    });
  }
  const n = Math.min('dropAfter' in fault ? fault.dropAfter : fault.stallAfter, file.byteLength);
  res.writeHead(200, { ...h, 'Content-Length': String(file.byteLength) });
  return new Promise((done) => {
    const finish = () => done({ status: 200, bytes: n });
    res.write(file.subarray(0, n), () => {
      if ('dropAfter' in fault) {
        setTimeout(() => {
          res.destroy();
          finish();
        }, DROP_DELAY_MS);
        return;
      }
      // Hang: keep the socket open until the client gives up or the server closes.
      stalls.add(res);
      res.once('close', () => {
        stalls.delete(res);
        finish();
      });
    });
  });
}
