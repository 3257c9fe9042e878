/**
 * @file Asks the static registry for `manifest.json` cheaply and safely: a conditional request
 * (`If-None-Match` / `If-Modified-Since` → 304 costs a few hundred bytes, which is what keeps a
 * CDN in front of millions of clients cheap), a size cap (the body is streamed and refused once
 * it passes {@link MAX_MANIFEST_BYTES}, or at once when Content-Length says so, so a hostile
 * registry cannot make every client buffer and parse hundreds of MB), a time limit of its own
 * (MANIFEST_TIMEOUT, independent of the download stall timeout), replay protection (a serial
 * below the floor of the manifest's signed registry identity is refused, whatever URL it came
 * from, and one at the floor must be the content accepted then), an optional signature check and schema
 * validation through parseManifest. Cheapest and most telling first: after the size cap and
 * JSON.parse only the envelope is checked (top-level fields, the signature's form, nesting
 * depth), then the serial, then the signature over the document as received; only a signed
 * manifest is validated in depth, so unsigned input never reaches the deep validator or its
 * messages. Nothing here writes to the cache: the caller keeps the last good manifest.
 *
 * Headers a registry deployment should send (tools/registry-server sends all of them):
 *   manifest.json : `Cache-Control: no-cache` and an `ETag` (or `Last-Modified`)
 *   blobs/*       : `Cache-Control: public, max-age=31536000, immutable` (content-addressed)
 *                   and `Range` support (206 + Content-Range) so downloads resume (download.ts)
 *   both          : `Cross-Origin-Resource-Policy: cross-origin` when the registry is on
 *                   another origin than a COEP `require-corp` app, plus CORS `Access-Control-Allow-Origin`
 *                   and `Access-Control-Expose-Headers: ETag, Last-Modified, Content-Range, Accept-Ranges`.
 * Cross-origin, the conditional request is left to the browser's HTTP cache (no explicit
 * headers, so no CORS preflight per poll): one 304 per unchanged poll either way.
 */
import type { TaskRegistry } from '../../shared/tasks.ts';
import type { Manifest, ManifestDocument } from '../../shared/manifest-types.ts';
import { parseEnvelope, parseManifest, type ManifestEnvelope } from '../../shared/manifest-validate.ts';
import { untrustedText } from '../../shared/untrusted-text.ts';
import { clampTiming, MANIFEST_TIMEOUT } from '../../shared/update-settings.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { floorOf, type ReplayFloor, type StoredManifest } from '../cache/model-store.ts';
import { describeError, isAbortError, ManifestRejected, RegistryUnavailable } from './errors.ts';
import { defaultFetch, type FetchLike } from './http.ts';
import { sha256Hex } from './integrity.ts';

/**
 * The largest manifest a client reads (1 MiB). The shipped registry's manifest is about 10 KB;
 * even hundreds of models with several versions each stay far below this.
 */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const TOO_LARGE = 'manifest is larger than 1 MiB';

/**
 * The body as text, read as a stream and abandoned (cancelled, not buffered) once it passes
 * {@link MAX_MANIFEST_BYTES}; returns null then. Decoded as `Response.text()` does (UTF-8, BOM
 * dropped, bad bytes replaced).
 */
async function readCapped(res: Response): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_MANIFEST_BYTES) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** True when `url` is on another origin than the running context (never in Node, which has no location). */
function isCrossOrigin(url: string): boolean {
  const here = (globalThis as { location?: { origin?: string } }).location?.origin;
  return here !== undefined && new URL(url).origin !== here;
}

/** Options of {@link fetchManifest}. */
export interface ManifestFetchOptions {
  /** Absolute URL of manifest.json. */
  url: string;
  fetch?: FetchLike;
  signal?: AbortSignal;
  /**
   * Checks the signature of the manifest as received (before schema validation); throws (any
   * error) to refuse it. See manifest-signature.ts.
   */
  verifySignature?: (manifest: ManifestDocument) => Promise<void>;
  /** The task contracts this app serves: models of known tasks are checked against them. */
  tasks?: TaskRegistry;
  /**
   * How long the whole answer may take (ms; default and bounds MANIFEST_TIMEOUT in
   * update-settings.ts): a manifest that has not fully arrived by then reads as an unreachable
   * registry, so a stalled response cannot hold a check, and every later poll, forever.
   */
  timeoutMs?: number;
  /**
   * The replay floors of this trust domain (ModelStore.getReplayFloors): a manifest whose serial
   * is below the floor of its signed `registry` identity is a replay, whatever URL it came from,
   * and one at the floor must have the content accepted then.
   */
  floors?: Record<string, ReplayFloor>;
}

/** The registry's answer (`digest`: SHA-256 of the accepted content, for the replay floor). */
export type ManifestCheck =
  | { status: 'unchanged'; serial: number; etag: string | null; lastModified: string | null }
  | { status: 'updated'; manifest: Manifest; digest: string; etag: string | null; lastModified: string | null };

/** SHA-256 of what the signature covers: the canonical JSON of the manifest without `signature`. */
export async function contentDigest(document: ManifestDocument | Manifest): Promise<string> {
  const { signature: _signature, ...unsigned } = document;
  return sha256Hex(new TextEncoder().encode(canonicalJson(unsigned)));
}

/**
 * Fetches the manifest relative to the last accepted one. Throws {@link ManifestRejected}
 * (invalid JSON or schema, bad signature, replayed serial) or {@link RegistryUnavailable}
 * (network or HTTP error); aborts propagate as AbortError.
 */
export async function fetchManifest(
  previous: StoredManifest | undefined,
  options: ManifestFetchOptions,
): Promise<ManifestCheck> {
  const deadline = manifestDeadline(clampTiming(options.timeoutMs, MANIFEST_TIMEOUT), options.signal);
  try {
    return await fetchWithin(previous, { ...options, signal: deadline.signal });
  } finally {
    deadline.clear();
  }
}

/**
 * A signal that also fires when `ms` have passed. Its reason is a TimeoutError, not an
 * AbortError, so the request or the body read fails as an unreachable registry ("no complete
 * answer within N ms") rather than a cancelled check.
 */
function manifestDeadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; clear: () => void } {
  const ctrl = new AbortController();
  const timer = setTimeout(
    () => ctrl.abort(new DOMException(`no complete answer within ${ms} ms`, 'TimeoutError')),
    ms,
  );
  const signal = outer ? AbortSignal.any([outer, ctrl.signal]) : ctrl.signal;
  return { signal, clear: () => clearTimeout(timer) };
}

async function fetchWithin(
  previous: StoredManifest | undefined,
  options: ManifestFetchOptions,
): Promise<ManifestCheck> {
  const headers: Record<string, string> = {};
  // Cross-origin, explicit conditional headers would cost a CORS preflight on every poll; there
  // `cache: 'no-cache'` makes the browser's HTTP cache revalidate (its own If-None-Match → 304)
  // and hand back the cached body, whose unchanged serial reads as `unchanged` below.
  if (!isCrossOrigin(options.url)) {
    if (previous?.etag) headers['If-None-Match'] = previous.etag;
    if (previous?.lastModified) headers['If-Modified-Since'] = previous.lastModified;
  }
  let res: Response;
  try {
    res = await (options.fetch ?? defaultFetch)(options.url, { cache: 'no-cache', headers, signal: options.signal });
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new RegistryUnavailable(`could not fetch ${options.url} (${describeError(err)})`);
  }
  const etag = res.headers.get('ETag');
  const lastModified = res.headers.get('Last-Modified');
  if (res.status === 304) {
    if (!previous)
      throw new RegistryUnavailable(`${options.url} answered 304 Not Modified to an unconditional request`, 304);
    return {
      status: 'unchanged',
      serial: previous.manifest.serial,
      etag: etag ?? previous.etag,
      lastModified: lastModified ?? previous.lastModified,
    };
  }
  if (!res.ok) throw new RegistryUnavailable(`${options.url} answered HTTP ${res.status}`, res.status);

  const declared = Number(res.headers.get('Content-Length') ?? NaN);
  if (declared > MAX_MANIFEST_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new ManifestRejected(`${TOO_LARGE} (Content-Length: ${declared} bytes)`, { etag });
  }
  let text: string | null;
  try {
    text = await readCapped(res);
  } catch (err) {
    // A body that broke off or stalled is the network's fault, not the manifest's.
    if (isAbortError(err)) throw err;
    throw new RegistryUnavailable(`${options.url} broke off mid-answer (${describeError(err)})`, res.status);
  }
  if (text === null) throw new ManifestRejected(`${TOO_LARGE}; it was not read further`, { etag });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error: that is the registry's text.
    throw new ManifestRejected(`${options.url} is not valid JSON (${untrustedText(describeError(err), 160)})`, {
      etag,
    });
  }
  let envelope: ManifestEnvelope;
  try {
    envelope = parseEnvelope(json);
  } catch (err) {
    throw new ManifestRejected(describeError(err), { etag });
  }
  const { serial, registry } = envelope;
  // The floor of the identity the manifest claims: checked before its signature because it is
  // cheap, and safe because a false claim fails the signature check anyway.
  const floor = registry !== undefined && options.floors ? floorOf(options.floors, registry) : undefined;
  if (floor && serial !== undefined && serial < floor.serial) {
    throw new ManifestRejected(
      `serial ${serial} is lower than the last accepted serial ${floor.serial} of registry "${untrustedText(registry!)}" (a replayed or rolled-back registry, whatever its URL); publish with a higher serial`,
      { serial, etag },
    );
  }
  if (previous && serial !== undefined && serial < previous.manifest.serial) {
    throw new ManifestRejected(
      `serial ${serial} is lower than the last accepted serial ${previous.manifest.serial} (a replayed or rolled-back registry); publish with a higher serial`,
      { serial, etag },
    );
  }
  if (options.verifySignature) {
    try {
      await options.verifySignature(envelope.document);
    } catch (err) {
      throw new ManifestRejected(`signature check failed: ${describeError(err)}`, { serial, etag });
    }
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(json, options.tasks);
  } catch (err) {
    throw new ManifestRejected(describeError(err), { serial, etag });
  }
  const digest = await contentDigest(envelope.document);
  if (floor?.digest !== undefined && manifest.serial === floor.serial && digest !== floor.digest) {
    throw new ManifestRejected(
      `serial ${manifest.serial} of registry "${manifest.registry}" was accepted before with other content (a replay, or a serial used twice); publish with a higher serial`,
      { serial, etag },
    );
  }
  // Same serial (and registry) = same manifest by the registry's contract; keep the copy already accepted.
  const sameRegistry = previous?.manifest.registry === undefined || previous.manifest.registry === manifest.registry;
  if (previous && sameRegistry && manifest.serial === previous.manifest.serial)
    return { status: 'unchanged', serial: manifest.serial, etag, lastModified };
  return { status: 'updated', manifest, digest, etag, lastModified };
}
