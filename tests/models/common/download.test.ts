/**
 * @file Blob downloads with real Response bodies: streamed progress, size and SHA-256
 * verification before storing (mismatch and truncation never reach the cache), retries with
 * exponential backoff + full jitter, permanent errors not retried, stall timeout, abort,
 * resuming with HTTP Range (and starting over when the answer cannot continue the bytes kept),
 * and several tabs sharing one download through Web Locks.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from '../../../src/models/common/backoff.ts';
import { downloadBlob, rangeProblem, type BlobRequest, type RetryInfo } from '../../../src/models/common/download.ts';
import { createBlobEnsurer, downloadLockName } from '../../../src/models/common/ensure-blob.ts';
import type { FetchInit, FetchLike } from '../../../src/models/common/http.ts';
import { sha256Hex, verifyBlob } from '../../../src/models/common/integrity.ts';
import { blobBytes, chunked, FakeLocks, freshStore, nodeSha256 } from '../../helpers/model-fixtures.ts';

const bytes = blobBytes(42, 10_000);
const req: BlobRequest = {
  url: 'https://registry.test/models/blobs/x.onnx',
  sha256: nodeSha256(bytes),
  bytes: bytes.length,
};

/** A fetch that answers with the given responders in turn (the last one repeats). */
function scripted(...responders: Array<() => Response | Promise<Response>>): FetchLike & { calls: number } {
  const f = Object.assign(
    async () => {
      const r = responders[Math.min(f.calls, responders.length - 1)]!;
      f.calls++;
      return r();
    },
    { calls: 0 },
  );
  return f;
}

const ok =
  (body: Uint8Array = bytes, chunk = 1000) =>
  () =>
    new Response(chunked(body, chunk));
const noWait = (delays: number[]) => async (ms: number) => void delays.push(ms);

describe('integrity', () => {
  it('computes SHA-256 with WebCrypto equal to node:crypto', async () => {
    expect(await sha256Hex(bytes)).toBe(nodeSha256(bytes));
    expect(await sha256Hex(bytes.subarray(10, 20).slice())).toBe(nodeSha256(bytes.subarray(10, 20)));
  });

  it('refuses wrong sizes and hashes with an IntegrityError', async () => {
    await expect(verifyBlob(bytes, { sha256: req.sha256, bytes: 9_999 })).rejects.toMatchObject({
      name: 'IntegrityError',
    });
    await expect(verifyBlob(bytes, { sha256: 'f'.repeat(64), bytes: bytes.length })).rejects.toThrow(/sha256 mismatch/);
  });
});

describe('downloadBlob', () => {
  it('streams with progress and returns the verified bytes', async () => {
    const progress: number[] = [];
    const f = scripted(ok());
    const blob = await downloadBlob(req, { fetch: f, onProgress: (p) => progress.push(p.loaded) });
    expect(blob.sha256).toBe(req.sha256);
    expect(nodeSha256(new Uint8Array(blob.bytes))).toBe(req.sha256);
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(f.calls).toBe(1);
  });

  it('asks for blobs with cache: no-store (IndexedDB keeps them; no second copy in the HTTP cache)', async () => {
    const inits: unknown[] = [];
    await downloadBlob(req, { fetch: async (_u, init) => (inits.push(init), new Response(chunked(bytes, 5000))) });
    expect(inits[0]).toMatchObject({ cache: 'no-store' });
  });

  it('rejects a sha256 mismatch without retrying, and nothing is stored', async () => {
    const other = blobBytes(43, 10_000);
    const f = scripted(ok(other));
    const store = freshStore();
    const ensure = createBlobEnsurer({ store, fetchVerified: (r) => downloadBlob(r, { fetch: f, sleep: noWait([]) }) });
    await expect(ensure(req)).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringMatching(/sha256 mismatch/),
    });
    expect(f.calls).toBe(1);
    expect(await store.listBlobs()).toEqual([]);
  });

  it('retries a truncated body, and gives up after the retries without storing anything', async () => {
    const delays: number[] = [];
    const f = scripted(() => new Response(chunked(bytes, 1000, { stopAfter: 7 })));
    const store = freshStore();
    const ensure = createBlobEnsurer({
      store,
      fetchVerified: (r) =>
        downloadBlob(r, { fetch: f, retries: 2, sleep: noWait(delays), random: () => 0.5, baseDelayMs: 100 }),
    });
    const err = await ensure(req).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DownloadError', retryable: true });
    expect((err as Error).message).toMatch(/gave up after 3 attempts: truncated: got 7000 of 10000 bytes/);
    expect(f.calls).toBe(3);
    expect(delays).toEqual([50, 100]);
    expect(await store.listBlobs()).toEqual([]);
  });

  it('stops at once when the body is longer than the manifest says', async () => {
    const longer = new Uint8Array(11_000);
    longer.set(bytes);
    const f = scripted(ok(longer));
    await expect(downloadBlob(req, { fetch: f })).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringMatching(/more than the 10000 bytes/),
    });
    expect(f.calls).toBe(1);
  });

  it('retries network errors and 5xx with exponential backoff and full jitter, then succeeds', async () => {
    const delays: number[] = [];
    const retries: number[] = [];
    const f = scripted(
      () => Promise.reject(new TypeError('fetch failed')),
      () => new Response('busy', { status: 503 }),
      () => new Response('slow down', { status: 429 }),
      ok(),
    );
    const blob = await downloadBlob(req, {
      fetch: f,
      sleep: noWait(delays),
      random: () => 0.25,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      onRetry: (r) => retries.push(r.attempt),
    });
    expect(blob.sha256).toBe(req.sha256);
    expect(f.calls).toBe(4);
    expect(delays).toEqual([0.25 * 1000, 0.25 * 2000, 0.25 * 4000]);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('does not retry a 404', async () => {
    const f = scripted(() => new Response('gone', { status: 404 }));
    await expect(downloadBlob(req, { fetch: f, sleep: noWait([]) })).rejects.toMatchObject({
      name: 'DownloadError',
      status: 404,
      retryable: false,
    });
    expect(f.calls).toBe(1);
  });

  it('abandons a stalled attempt after the stall timeout and retries', async () => {
    const retried: string[] = [];
    const f = scripted(() => new Response(chunked(bytes, 1000, { hangAfter: 3 })), ok());
    const blob = await downloadBlob(req, {
      fetch: f,
      stallTimeoutMs: 50,
      sleep: noWait([]),
      onRetry: (r) => retried.push(r.error.message),
    });
    expect(blob.sha256).toBe(req.sha256);
    expect(retried).toEqual([expect.stringMatching(/no data for 50 ms .* after 3000 of 10000 bytes/)]);
  });

  it('aborts mid-stream with an AbortError and no retry', async () => {
    const ctrl = new AbortController();
    const f = scripted(() => new Response(chunked(bytes, 1000, { hangAfter: 2 })));
    const p = downloadBlob(req, {
      fetch: f,
      signal: ctrl.signal,
      onProgress: (pr) => pr.loaded === 2000 && ctrl.abort(),
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.calls).toBe(1);
  });

  it('aborts during the backoff wait', async () => {
    const ctrl = new AbortController();
    const f = scripted(() => new Response('busy', { status: 503 }));
    const p = downloadBlob(req, { fetch: f, signal: ctrl.signal, baseDelayMs: 10_000, random: () => 1 });
    setTimeout(() => ctrl.abort(), 20);
    const started = Date.now();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(f.calls).toBe(1);
  });
});

/** A body that sends `chunks` chunks of 1000 bytes, then breaks like a dropped connection. */
function dropping(body: Uint8Array, chunks: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.error(new TypeError('network error: connection reset'));
      controller.enqueue(body.slice(sent * 1000, ++sent * 1000));
    },
  });
}

/** A 206 for `bytes` from `from`, with the Content-Range given (default: the honest one). */
const partial =
  (from: number, contentRange = `bytes ${from}-${bytes.length - 1}/${bytes.length}`, body = bytes.subarray(from)) =>
  () =>
    new Response(chunked(body, 1000), { status: 206, headers: { 'Content-Range': contentRange } });

/** A scripted fetch that also records each request's Range header. */
function recording(...responders: Array<() => Response | Promise<Response>>) {
  const ranges: Array<string | undefined> = [];
  const inner = scripted(...responders);
  const f: FetchLike = (url: string, init: FetchInit) => {
    ranges.push(init.headers?.Range);
    return inner(url, init);
  };
  return { f, ranges, calls: () => inner.calls };
}

describe('resuming with HTTP Range', () => {
  it('keeps the bytes of a dropped connection and asks only for the rest', async () => {
    const retries: RetryInfo[] = [];
    const progress: number[] = [];
    const { f, ranges } = recording(() => new Response(dropping(bytes, 3)), partial(3000));
    const blob = await downloadBlob(req, {
      fetch: f,
      sleep: noWait([]),
      onRetry: (r) => retries.push(r),
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(blob.sha256).toBe(req.sha256);
    expect(ranges).toEqual([undefined, 'bytes=3000-']);
    expect(retries).toMatchObject([{ attempt: 1, attempts: 5, resumeFrom: 3000 }]);
    expect(retries[0]!.error.message).toMatch(/connection lost after 3000 of 10000 bytes/);
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
  });

  it('resumes after a short "complete" body and after a stall', async () => {
    const short = recording(() => new Response(chunked(bytes, 1000, { stopAfter: 6 })), partial(6000));
    expect((await downloadBlob(req, { fetch: short.f, sleep: noWait([]) })).sha256).toBe(req.sha256);
    expect(short.ranges).toEqual([undefined, 'bytes=6000-']);

    const stall = recording(() => new Response(chunked(bytes, 1000, { hangAfter: 4 })), partial(4000));
    const blob = await downloadBlob(req, { fetch: stall.f, sleep: noWait([]), stallTimeoutMs: 50 });
    expect(blob.sha256).toBe(req.sha256);
    expect(stall.ranges).toEqual([undefined, 'bytes=4000-']);
  });

  it('resumes more than once, always from the bytes kept so far', async () => {
    const { f, ranges } = recording(
      () => new Response(dropping(bytes, 2)),
      partial(2000, undefined, bytes.subarray(2000, 5000)),
      partial(5000),
    );
    expect((await downloadBlob(req, { fetch: f, sleep: noWait([]) })).sha256).toBe(req.sha256);
    expect(ranges).toEqual([undefined, 'bytes=2000-', 'bytes=5000-']);
  });

  it('takes a 200 to a Range request as the whole file (a server without ranges)', async () => {
    const { f, ranges } = recording(() => new Response(dropping(bytes, 3)), ok());
    expect((await downloadBlob(req, { fetch: f, sleep: noWait([]) })).sha256).toBe(req.sha256);
    expect(ranges).toEqual([undefined, 'bytes=3000-']);
  });

  it.each([
    ['another start', `bytes 2000-9999/10000`, /bytes from 2000 instead of 3000/],
    ['another total', `bytes 3000-10999/11000`, /a total of 11000 bytes instead of the manifest's 10000/],
    ['an unknown total', `bytes 3000-9999/*`, /a total of \* bytes/],
    ['no Content-Range', null, /no readable Content-Range/],
  ])('starts again from byte 0 when a 206 has %s', async (_what, contentRange, why) => {
    const retries: RetryInfo[] = [];
    const answer = () =>
      new Response(chunked(bytes.subarray(3000), 1000), {
        status: 206,
        headers: contentRange === null ? {} : { 'Content-Range': contentRange },
      });
    const { f, ranges } = recording(() => new Response(dropping(bytes, 3)), answer, ok());
    const blob = await downloadBlob(req, { fetch: f, sleep: noWait([]), onRetry: (r) => retries.push(r) });
    expect(blob.sha256).toBe(req.sha256);
    expect(ranges).toEqual([undefined, 'bytes=3000-', undefined]);
    expect(retries.map((r) => r.resumeFrom)).toEqual([3000, 0]);
    expect(retries[1]!.error.message).toMatch(why);
    expect(retries[1]!.error.message).toMatch(/starting again from byte 0/);
  });

  it('starts again from byte 0 after a 416', async () => {
    const { f, ranges } = recording(
      () => new Response(dropping(bytes, 3)),
      () => new Response('', { status: 416, headers: { 'Content-Range': 'bytes */10000' } }),
      ok(),
    );
    expect((await downloadBlob(req, { fetch: f, sleep: noWait([]) })).sha256).toBe(req.sha256);
    expect(ranges).toEqual([undefined, 'bytes=3000-', undefined]);
  });

  it('never stores a resumed download whose bytes do not verify', async () => {
    const corrupt = Uint8Array.from(bytes);
    corrupt[500]! ^= 1;
    const { f } = recording(() => new Response(dropping(corrupt, 3)), partial(3000));
    const store = freshStore();
    const ensure = createBlobEnsurer({ store, fetchVerified: (r) => downloadBlob(r, { fetch: f, sleep: noWait([]) }) });
    await expect(ensure(req)).rejects.toMatchObject({ name: 'IntegrityError' });
    expect(await store.listBlobs()).toEqual([]);
  });

  it('rangeProblem quotes an unreadable Content-Range briefly and without control characters', () => {
    const header = `\u202ebytes \u001b[2J${'9'.repeat(1_000_000)}`;
    const problem = rangeProblem(header, 0, 10)!;
    expect(problem).toMatch(/^an unreadable Content-Range "bytes \[2J9+…"$/);
    expect(problem.length).toBeLessThan(120);
  });

  it('rangeProblem accepts exactly the rest of the file', () => {
    expect(rangeProblem('bytes 3000-9999/10000', 3000, 10_000)).toBeNull();
    expect(rangeProblem('bytes 3000-8999/10000', 3000, 10_000)).toMatch(/ending at byte 8999/);
    expect(rangeProblem('garbage', 3000, 10_000)).toMatch(/unreadable/);
  });
});

describe('backoff', () => {
  it('draws from [0, min(cap, base·2^attempt)) (full jitter)', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const bound = Math.min(30_000, 500 * 2 ** attempt);
      expect(backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000, random: () => 0 })).toBe(0);
      expect(backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000, random: () => 0.999999 })).toBeLessThan(
        bound,
      );
      expect(backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000, random: () => 0.999999 })).toBeGreaterThan(
        bound * 0.999,
      );
    }
  });

  it('sleep resolves after the delay and rejects on abort', async () => {
    await expect(sleep(5)).resolves.toBeUndefined();
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(sleep(1000, ctrl.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('shared downloads (Web Locks)', () => {
  it('downloads a blob once when several tabs want it at the same time', async () => {
    const store = freshStore();
    const locks = new FakeLocks();
    const f = scripted(ok());
    const tabs = [1, 2, 3].map(() =>
      createBlobEnsurer({ store, locks, fetchVerified: (r) => downloadBlob(r, { fetch: f }) }),
    );
    const sources = await Promise.all(tabs.map((ensure) => ensure(req)));
    expect(f.calls).toBe(1);
    expect(sources.sort()).toEqual(['cached', 'cached', 'downloaded']);
    expect(locks.granted).toEqual([
      downloadLockName(req.sha256),
      downloadLockName(req.sha256),
      downloadLockName(req.sha256),
    ]);
    expect(await store.listBlobs()).toEqual([req.sha256]);
  });

  it('shares one promise within a thread and forgets a failure so the next call retries', async () => {
    const store = freshStore();
    const f = scripted(() => new Response('gone', { status: 404 }), ok());
    const ensure = createBlobEnsurer({ store, fetchVerified: (r) => downloadBlob(r, { fetch: f }) });
    const [a, b] = await Promise.allSettled([ensure(req), ensure(req)]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(f.calls).toBe(1);
    await expect(ensure(req)).resolves.toBe('downloaded');
    await expect(ensure(req)).resolves.toBe('cached');
    expect(f.calls).toBe(2);
  });
});
