/**
 * @file The model cache as an interface: a few verbs per record kind, so the service worker,
 * the inference worker and the tests depend on what is stored, not on IndexedDB. The one
 * implementation is {@link createModelStore} in idb-model-store.ts.
 */
import type { Manifest } from '../../shared/manifest-types.ts';
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import type { VerifiedBlob } from '../common/integrity.ts';
import type { ControlState } from '../common/model-state.ts';

/** The last manifest this client accepted, with what the next conditional request needs. */
export interface StoredManifest {
  manifest: Manifest;
  /** `ETag` of the response it came from (sent back as `If-None-Match`). */
  etag: string | null;
  /** `Last-Modified` of that response (sent back as `If-Modified-Since`). */
  lastModified: string | null;
  /** When it was accepted (ms since the epoch). */
  acceptedAt: number;
  /** When the registry was last asked, whatever the answer (drives the poll schedule across SW restarts). */
  checkedAt: number;
  /**
   * The refusal in force (cleared when the registry serves an accepted manifest again), for the
   * UI's alert; `serial` and `etag` tell a repeat of the same refused file from a new one.
   */
  lastRejection?: { time: number; reason: string; serial?: number; etag?: string | null };
  /**
   * The registry folder it came from. A manifest from another registry is not a predecessor:
   * its serial and ETag say nothing about this one (see {@link manifestFor}).
   */
  registryUrl?: string;
}

/** A registry asset as stored (bytes, not a Blob: every IndexedDB implementation clones an ArrayBuffer). */
export interface StoredAsset {
  type: string;
  bytes: ArrayBuffer;
}

/** Settings a page sends to the service worker; persisted because the browser stops idle service workers. */
export interface UpdateSettings {
  pollIntervalMs?: number;
  /** Absolute URL of the registry folder (the one holding manifest.json), ending in "/". */
  registryUrl?: string;
  /** Model-download stall timeout (ms); undefined = the downloader's default. */
  stallTimeoutMs?: number;
}

/**
 * The stored manifest when it belongs to `registryUrl` (or predates the field), else undefined:
 * switching registries must not compare serials or ETags across them.
 */
export function manifestFor(stored: StoredManifest | undefined, registryUrl: string): StoredManifest | undefined {
  if (!stored) return undefined;
  return stored.registryUrl === undefined || stored.registryUrl === registryUrl ? stored : undefined;
}

/** Update-log entries kept; older ones are dropped first. */
export const MAX_LOG_ENTRIES = 200;

/** The model cache. Every write that runs out of quota evicts unreferenced blobs and retries once. */
export interface ModelStore {
  /** The bytes of a blob, or undefined when it is not cached. */
  getBlob(sha256: string): Promise<ArrayBuffer | undefined>;
  hasBlob(sha256: string): Promise<boolean>;
  /**
   * Stores verified bytes (only {@link VerifiedBlob}s are accepted, so nothing unverified gets
   * in). When the quota ran out it evicted unreferenced blobs and retried: `evicted` lists them.
   * Throws StorageFullError when even that was not enough (nothing of the blob is kept).
   */
  putBlob(blob: VerifiedBlob): Promise<PutBlobResult>;
  deleteBlob(sha256: string): Promise<void>;
  /** The sha256 of every cached blob. */
  listBlobs(): Promise<string[]>;

  getManifest(): Promise<StoredManifest | undefined>;
  putManifest(record: StoredManifest): Promise<void>;
  /** Records an answer that did not change the manifest (304, same serial, or a refusal). */
  touchManifest(
    change: Partial<Pick<StoredManifest, 'etag' | 'lastModified' | 'checkedAt' | 'lastRejection'>>,
  ): Promise<void>;

  /** Active/previous/candidate per model, pins and bad versions. */
  getControl(): Promise<ControlState>;
  /** Applies a transition atomically (see model-state.ts) and returns the new state; `fn` may throw to abort. */
  updateControl(fn: (control: ControlState) => ControlState): Promise<ControlState>;

  /** Appends to the update log, keeping the last {@link MAX_LOG_ENTRIES}. */
  appendLog(...records: UpdateLogRecord[]): Promise<void>;
  getLog(): Promise<UpdateLogRecord[]>;

  /** A random id created on first use and kept forever; the canary bucket derives from it. */
  getInstallId(): Promise<string>;

  /** A small registry asset (a probe image) by absolute URL, cached so probes run offline. */
  getAsset(url: string): Promise<StoredAsset | undefined>;
  putAsset(url: string, asset: StoredAsset): Promise<void>;

  getSettings(): Promise<UpdateSettings>;
  updateSettings(change: UpdateSettings): Promise<UpdateSettings>;

  /**
   * Deletes every blob not referenced by a model's active, previous or candidate version (nor
   * listed in `keep`); returns the deleted sha256s. Never touches an active or previous blob.
   */
  evictUnreferenced(keep?: Iterable<string>): Promise<string[]>;

  /**
   * Why this cache keeps nothing beyond the current page or worker (IndexedDB could not be
   * opened, e.g. site data blocked: it then lives in memory), or null when it persists.
   */
  storageProblem(): Promise<string | null>;
}

/** What {@link ModelStore.putBlob} had to do to make room. */
export interface PutBlobResult {
  /** The sha256 of unreferenced blobs removed because the quota ran out (empty when it fitted). */
  evicted: string[];
}
