/**
 * @file Test fixtures for the model-update path: schema-valid manifests over real bytes (their
 * sha256 computed with node:crypto, independently of the WebCrypto code under test), a fake
 * static registry that speaks conditional HTTP with real `Response` objects, an in-memory
 * BroadcastChannel stand-in, a Web Locks stand-in with real mutual exclusion, and a
 * byte-quota wrapper around the real (fake-indexeddb) backend.
 */
import { createHash } from 'node:crypto';
import { facePreprocess } from '../../src/features/faces/preprocess.ts';
import type { Manifest, ModelVersion } from '../../src/shared/manifest-types.ts';
import type { ModelsMessage } from '../../src/shared/update-messages.ts';
import { blobPathFor } from '../../src/shared/manifest-validate.ts';
import { idbKvBackend, type KvBackend } from '../../src/models/cache/kv-backend.ts';
import { createModelStore } from '../../src/models/cache/idb-model-store.ts';
import type { ModelStore } from '../../src/models/cache/model-store.ts';
import type { BlobSource, LockManagerLike } from '../../src/models/common/ensure-blob.ts';
import type { FetchInit } from '../../src/models/common/http.ts';
import { runUpdateCheck, type UpdateCheckDeps } from '../../src/models/common/update-check.ts';

/** Deterministic pseudo-random bytes (xorshift32), standing in for an ONNX file. */
export function blobBytes(seed: number, size = 4096): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(size));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** SHA-256 by node:crypto (the independent reference for WebCrypto results). */
export function nodeSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A schema-valid face-detection version over `bytes`. */
export function detectorVersion(bytes: Uint8Array, sha256 = nodeSha256(bytes)): ModelVersion {
  return {
    blob: blobPathFor(sha256),
    sha256,
    bytes: bytes.byteLength,
    encoding: 'uint8',
    inputs: [{ name: 'image', type: 'float32', dims: [1, 3, 416, 416] }],
    outputs: [
      { name: 'boxes', type: 'float32', dims: ['n', 4] },
      { name: 'scores', type: 'float32', dims: ['n'] },
    ],
    preprocess: facePreprocess('face-detection', 416),
    labels: null,
    probe: { image: 'probe/face-detection.png', expect: { scores: [0.9] }, tolerance: 0.001 },
    source: 'test fixture bytes',
  };
}

/** Description of one model for {@link makeManifest}: version → bytes. */
export interface ModelFixture {
  stable: string;
  canary?: { version: string; percent: number };
  versions: Record<string, Uint8Array>;
  /** Override the sha256 the manifest states for a version (to simulate a bad publish). */
  claimedSha?: Record<string, string>;
}

/** A schema-1 manifest of face-detection models. */
export function makeManifest(serial: number, models: Record<string, ModelFixture>): Manifest {
  const out: Manifest = { schema: 1, serial, published: '2026-11-21T12:00:00Z', models: {} };
  for (const [id, m] of Object.entries(models)) {
    const versions: Record<string, ModelVersion> = {};
    for (const [v, bytes] of Object.entries(m.versions)) versions[v] = detectorVersion(bytes, m.claimedSha?.[v]);
    out.models[id] = { task: 'face-detection', stable: m.stable, versions, ...(m.canary ? { canary: m.canary } : {}) };
  }
  return out;
}

let dbCounter = 0;

/** A fresh database name per call, so tests never share IndexedDB state. */
export function freshDbName(): string {
  return `hotlens-test-${process.pid}-${++dbCounter}`;
}

/** A model store over a fresh fake-indexeddb database (import 'fake-indexeddb/auto' first). */
export function freshStore(options: { dbName?: string; backend?: KvBackend } = {}): ModelStore {
  return createModelStore({ backend: options.backend ?? idbKvBackend(options.dbName ?? freshDbName()) });
}

/** One recorded request to the fake registry. */
export interface RecordedRequest {
  url: string;
  init: FetchInit;
}

/** A static registry in memory, served through a fetch function returning real Responses. */
export class FakeRegistry {
  readonly base = 'https://registry.test/models/';
  readonly requests: RecordedRequest[] = [];
  private manifestText: string | null = null;
  private etag: string | null = null;
  private lastModified: string | null = null;
  private readonly blobs = new Map<string, Uint8Array>();
  /** Override answers for a path (relative to base): return a Response, or throw to simulate network errors. */
  readonly overrides = new Map<string, () => Response>();

  /** Publishes a manifest (as JSON) and stores the bytes of every version it lists. */
  publish(manifest: Manifest, blobs: Uint8Array[] = []): void {
    this.publishText(JSON.stringify(manifest, null, 2));
    for (const b of blobs) this.blobs.set(blobPathFor(nodeSha256(b)), b);
  }

  /** Publishes raw text as manifest.json (for invalid manifests). */
  publishText(text: string): void {
    this.manifestText = text;
    this.etag = `"${nodeSha256(new TextEncoder().encode(text)).slice(0, 16)}"`;
    this.lastModified = new Date(Date.UTC(2026, 10, 21, 12, 0, this.requests.length)).toUTCString();
  }

  /** Puts bytes at a blob path without touching the manifest. */
  putBlobAt(path: string, bytes: Uint8Array): void {
    this.blobs.set(path, bytes);
  }

  /** Requests whose URL ends with `suffix`. */
  requestsFor(suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.endsWith(suffix));
  }

  readonly fetch = async (url: string, init: FetchInit): Promise<Response> => {
    this.requests.push({ url, init });
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const path = url.slice(this.base.length);
    const override = this.overrides.get(path);
    if (override) return override();
    if (path === 'manifest.json') {
      if (this.manifestText === null) return new Response('not found', { status: 404 });
      const h = init.headers ?? {};
      if (h['If-None-Match'] !== undefined && h['If-None-Match'] === this.etag) {
        return new Response(null, { status: 304, headers: { ETag: this.etag } });
      }
      return new Response(this.manifestText, {
        status: 200,
        headers: {
          'Content-Type': 'application/json',
          ETag: this.etag ?? '',
          'Last-Modified': this.lastModified ?? '',
        },
      });
    }
    const blob = this.blobs.get(path);
    if (!blob) return new Response('not found', { status: 404 });
    return new Response(chunked(blob, 1000), { status: 200 });
  };
}

/** A body stream delivering `bytes` in chunks of `size`. */
export function chunked(
  bytes: Uint8Array,
  size: number,
  options: { stopAfter?: number; hangAfter?: number } = {},
): ReadableStream<Uint8Array> {
  let offset = 0;
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (options.hangAfter !== undefined && sent >= options.hangAfter) return new Promise<void>(() => {});
      if (offset >= bytes.length || (options.stopAfter !== undefined && sent >= options.stopAfter)) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
      sent++;
    },
  });
}

/** Collects what would be posted on the models channel. */
export class RecordingChannel {
  readonly messages: ModelsMessage[] = [];
  post(message: ModelsMessage): void {
    // Structured clone, as BroadcastChannel does: catches non-cloneable payloads.
    this.messages.push(structuredClone(message));
  }
  ofType<T extends ModelsMessage['type']>(type: T): Array<Extract<ModelsMessage, { type: T }>> {
    return this.messages.filter((m): m is Extract<ModelsMessage, { type: T }> => m.type === type);
  }
}

/** Web Locks stand-in: exclusive locks by name, granted in request order. */
export class FakeLocks implements LockManagerLike {
  private readonly tails = new Map<string, Promise<unknown>>();
  readonly granted: string[] = [];
  request(name: string, callback: () => Promise<BlobSource>): Promise<BlobSource> {
    const prev = this.tails.get(name) ?? Promise.resolve();
    const run = prev.then(() => {
      this.granted.push(name);
      return callback();
    });
    this.tails.set(
      name,
      run.catch(() => {}),
    );
    return run;
  }
}

/**
 * Wraps a backend with a byte quota: writes that would exceed it throw QuotaExceededError like
 * IndexedDB. The quota may be a function, so a test can shrink or grow it later.
 */
export function withByteQuota(inner: KvBackend, quota: number | (() => number)): KvBackend & { used(): number } {
  const quotaOf = typeof quota === 'number' ? () => quota : quota;
  const sizes = new Map<string, number>();
  const sizeOf = (v: unknown) => (v instanceof ArrayBuffer ? v.byteLength : JSON.stringify(v ?? null).length);
  const used = () => [...sizes.values()].reduce((a, b) => a + b, 0);
  const guard = (key: string, value: unknown) => {
    const next = used() - (sizes.get(key) ?? 0) + sizeOf(value);
    const quotaBytes = quotaOf();
    if (next > quotaBytes) throw new DOMException(`quota of ${quotaBytes} bytes exceeded`, 'QuotaExceededError');
    sizes.set(key, sizeOf(value));
  };
  return {
    used,
    get: (k) => inner.get(k),
    async set(k, v) {
      guard(k, v);
      await inner.set(k, v);
    },
    update<T>(k: string, fn: (old: T | undefined) => T): Promise<T> {
      return inner.update<T>(k, (old) => {
        const v = fn(old);
        guard(k, v);
        return v;
      });
    },
    async del(k) {
      sizes.delete(k);
      await inner.del(k);
    },
    keys: () => inner.keys(),
  };
}

/** A fake registry, a store and a recording channel wired into update-check deps. */
export interface UpdateCheckRig {
  registry: FakeRegistry;
  store: ModelStore;
  channel: RecordingChannel;
  deps: UpdateCheckDeps;
  check: () => ReturnType<typeof runUpdateCheck>;
}

/**
 * The update check against a fresh fake registry: every model counts as served (these tests are
 * about the download machinery), no retries or sleeps unless `overrides` say otherwise.
 */
export function updateCheckRig(overrides: Partial<UpdateCheckDeps> = {}): UpdateCheckRig {
  const registry = new FakeRegistry();
  const store = overrides.store ?? freshStore();
  const channel = new RecordingChannel();
  const deps: UpdateCheckDeps = {
    isWanted: () => true,
    store,
    channel,
    registryUrl: registry.base,
    fetch: registry.fetch,
    locks: new FakeLocks(),
    download: { retries: 0, sleep: async () => {} },
    ...overrides,
  };
  return { registry, store, channel, deps, check: () => runUpdateCheck(deps) };
}

/** The page's stages of one successful swap, in order, as `stage:outcome`. */
export const PAGE_SWAP_OK = [
  'compat-checked:ok',
  'compiling:ok',
  'probed:ok',
  'warmed:ok',
  'serving:ok',
  'draining:ok',
  'released:ok',
] as const;
