/**
 * @file Downloads one content-addressed blob: streamed into a buffer of the size the manifest
 * promises (progress per chunk), bounded by a stall timeout, retried with backoff and jitter on
 * transient failures, and verified (size + SHA-256) before anyone may store it. A body longer
 * than promised stops at once; a shorter one is a truncated transfer and is retried.
 * `Content-Length` is ignored on purpose: with `Content-Encoding` it is the compressed size.
 */
import { clampTiming, STALL_TIMEOUT } from '../../shared/update-settings.ts';
import { backoffDelay, sleep as defaultSleep, type BackoffOptions } from './backoff.ts';
import { abortError, describeError, DownloadError, IntegrityError } from './errors.ts';
import { defaultFetch, type FetchInit, type FetchLike } from './http.ts';
import { verifyBlob, type VerifiedBlob } from './integrity.ts';
import { untrustedText } from '../../shared/untrusted-text.ts';

/** A blob to fetch, as the manifest describes it. */
export interface BlobRequest {
  /** Absolute URL. */
  url: string;
  sha256: string;
  bytes: number;
}

/** Progress of the current attempt. */
export interface DownloadProgress {
  loaded: number;
  total: number;
  /** 0 for the first attempt. */
  attempt: number;
}

/** What a retry is about to do (see {@link DownloadOptions.onRetry}). */
export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  /** Attempts allowed in all (first one included). */
  attempts: number;
  /** The backoff wait before it, ms. */
  delayMs: number;
  error: Error;
  /** Byte offset the retry asks for with Range (0: from the start). */
  resumeFrom: number;
}

/** Options of {@link downloadBlob} / {@link fetchBlobBytes}. */
export interface DownloadOptions extends BackoffOptions {
  fetch?: FetchLike;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called before each retry with the delay about to be waited. */
  onRetry?: (info: RetryInfo) => void;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** An attempt that receives no data for this long is abandoned and retried (default 30 s). */
  stallTimeoutMs?: number;
  /** Waits between retries; injectable so tests need not sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const DEFAULT_RETRIES = 4;
/** Default stall timeout (see update-settings.ts). */
export const DEFAULT_STALL_MS = STALL_TIMEOUT.defaultMs;

/** Clamps a requested stall timeout to the range in update-settings.ts. */
export function clampStallTimeout(ms: number): number {
  return clampTiming(ms, STALL_TIMEOUT);
}

/** Bytes received so far, kept across attempts so a retry can resume after them. */
interface Received {
  buf: Uint8Array<ArrayBuffer>;
  loaded: number;
}

/** Why a 206 cannot continue a download from `from` of `total` bytes, or null when it can. */
export function rangeProblem(contentRange: string | null, from: number, total: number): string | null {
  if (contentRange === null) return 'no readable Content-Range header';
  const m = contentRange.trim().match(/^bytes (\d+)-(\d+)\/(\d+|\*)$/);
  if (!m) return `an unreadable Content-Range "${untrustedText(contentRange)}"`;
  const [start, end, size] = [Number(m[1]), Number(m[2]), m[3] === '*' ? NaN : Number(m[3])];
  if (start !== from) return `bytes from ${start} instead of ${from}`;
  if (size !== total) return `a total of ${m[3]} bytes instead of the manifest's ${total}`;
  if (end !== total - 1) return `a range ending at byte ${end} instead of ${total - 1}`;
  return null;
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function attemptOnce(
  req: BlobRequest,
  options: DownloadOptions,
  attempt: number,
  got: Received,
): Promise<Uint8Array<ArrayBuffer>> {
  const outer = options.signal;
  if (outer?.aborted) throw abortError(outer);
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS;
  const ctrl = new AbortController();
  const onOuterAbort = () => ctrl.abort(abortError(outer));
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      ctrl.abort(new DownloadError(`stalled`, true));
    }, stallMs);
  };
  let reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } | undefined;
  const total = req.bytes;
  const from = got.loaded;
  const init: FetchInit = { cache: 'no-store', signal: ctrl.signal };
  if (from > 0) init.headers = { Range: `bytes=${from}-` };
  const restart = async (res: Response, why: string): Promise<never> => {
    await res.body?.cancel().catch(() => {});
    got.loaded = 0;
    throw new DownloadError(
      `${req.url} answered a resume from byte ${from} with ${why}; starting again from byte 0`,
      true,
      res.status,
    );
  };
  try {
    arm();
    let res: Response;
    try {
      res = await raceAbort((options.fetch ?? defaultFetch)(req.url, init), ctrl.signal);
    } catch (err) {
      if (stalled || outer?.aborted) throw err;
      throw new DownloadError(`network error fetching ${req.url} (${describeError(err)})`, true);
    }
    if (from > 0 && res.status === 416) await restart(res, 'HTTP 416 (range not satisfiable)');
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new DownloadError(`${req.url} answered HTTP ${res.status}`, retryableStatus(res.status), res.status);
    }
    if (res.status === 206) {
      const problem =
        from > 0 ? rangeProblem(res.headers.get('Content-Range'), from, total) : 'a range nobody asked for';
      if (problem) await restart(res, problem);
    } else {
      // A 200 is the whole file, whatever was asked: the server does not do ranges.
      got.loaded = 0;
    }
    if (!res.body) throw new DownloadError(`${req.url} answered without a body`, true, res.status);
    reader = res.body.getReader();
    for (;;) {
      const { done, value } = await raceAbort(reader.read(), ctrl.signal);
      if (done) break;
      if (!value || value.byteLength === 0) continue;
      arm();
      if (got.loaded + value.byteLength > total) {
        got.loaded = 0;
        throw new IntegrityError(
          `size mismatch: ${req.url} sent more than the ${total} bytes the manifest says; the blob was not stored`,
        );
      }
      got.buf.set(value, got.loaded);
      got.loaded += value.byteLength;
      options.onProgress?.({ loaded: got.loaded, total, attempt });
    }
    if (got.loaded < total)
      throw new DownloadError(`truncated: got ${got.loaded} of ${total} bytes from ${req.url}`, true);
    return got.buf;
  } catch (err) {
    void reader?.cancel().catch(() => {});
    if (outer?.aborted) throw abortError(outer);
    if (stalled)
      throw new DownloadError(`no data for ${stallMs} ms from ${req.url} after ${got.loaded} of ${total} bytes`, true);
    if (err instanceof DownloadError || err instanceof IntegrityError) throw err;
    throw new DownloadError(
      `connection lost after ${got.loaded} of ${total} bytes from ${req.url} (${describeError(err)})`,
      true,
    );
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Fetches the bytes of a blob with retries (exponential backoff, full jitter, resuming with
 * Range after bytes arrived) and a stall timeout. Throws {@link DownloadError} when retries run
 * out or the failure is permanent, {@link IntegrityError} when the body is longer than the
 * manifest says, AbortError on abort.
 */
export async function fetchBlobBytes(
  req: BlobRequest,
  options: DownloadOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const wait = options.sleep ?? defaultSleep;
  const got: Received = { buf: new Uint8Array(new ArrayBuffer(req.bytes)), loaded: 0 };
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(req, options, attempt, got);
    } catch (err) {
      if (!(err instanceof DownloadError) || !err.retryable) throw err;
      if (attempt >= retries) {
        throw new DownloadError(`gave up after ${attempt + 1} attempts: ${err.message}`, true, err.status);
      }
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.({ attempt: attempt + 1, attempts: retries + 1, delayMs, error: err, resumeFrom: got.loaded });
      await wait(delayMs, options.signal);
    }
  }
}

/** Fetches and verifies a blob; the result may be stored. A mismatch throws IntegrityError and nothing is kept. */
export async function downloadBlob(req: BlobRequest, options: DownloadOptions = {}): Promise<VerifiedBlob> {
  return verifyBlob(await fetchBlobBytes(req, options), req);
}
