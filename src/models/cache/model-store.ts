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
   * The registry folder it came from. A manifest fetched under another URL is not a predecessor
   * for conditional requests: its ETag says nothing about that URL (see {@link manifestFor}).
   * Replay protection does not depend on it: see {@link ReplayFloor}.
   */
  registryUrl?: string;
  /** SHA-256 of its content (canonical JSON without `signature`): what its serial was accepted with. */
  digest?: string;
}

/**
 * The last serial accepted from one registry identity (the manifest's signed `registry`), kept
 * per identity in this origin's storage, i.e. per trust domain: whatever URL spelling a manifest
 * is fetched under, one with a lower serial is a replay, and one with the same serial must be the
 * same content ({@link StoredManifest.digest}).
 */
export interface ReplayFloor {
  serial: number;
  digest?: string;
}

/**
 * A registry asset (a probe image) as stored, by its SHA-256: bytes, not a Blob (every
 * IndexedDB implementation clones an ArrayBuffer).
 */
export interface StoredAsset {
  type: string;
  bytes: ArrayBuffer;
}

/**
 * What the service worker keeps of the pages' settings across its restarts: only that a page
 * configured it (so a re-activated worker resumes polling). A page's settings themselves (poll
 * interval, registry, stall timeout) hold for that page's visit only and are never stored; older
 * builds stored them here, and those values are ignored.
 */
export interface UpdateSettings {
  configured?: boolean;
}

/**
 * The stored manifest when it was fetched from `registryUrl` (or predates the field), else
 * undefined: an ETag or a "same serial, keep what we have" says nothing across URLs. (Serials are
 * compared per registry identity instead, through the replay floors.)
 */
export function manifestFor(stored: StoredManifest | undefined, registryUrl: string): StoredManifest | undefined {
  if (!stored) return undefined;
  return stored.registryUrl === undefined || stored.registryUrl === registryUrl ? stored : undefined;
}

/** The floor of `registry` (own keys only: an identity like "constructor" must not find Object.prototype members). */
export function floorOf(floors: Record<string, ReplayFloor>, registry: string): ReplayFloor | undefined {
  return Object.hasOwn(floors, registry) ? floors[registry] : undefined;
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
  /** Stores the accepted manifest and raises the replay floor of its registry identity (never lowers it). */
  putManifest(record: StoredManifest): Promise<void>;
  /** The replay floors by registry identity. */
  getReplayFloors(): Promise<Record<string, ReplayFloor>>;
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

  /**
   * A small registry asset (a probe image) by the SHA-256 the signed manifest states, cached so
   * probes run offline. Keyed by content, not URL: only verified bytes get in (a
   * {@link VerifiedBlob}), and a file replaced on the server can never shadow them.
   */
  getAsset(sha256: string): Promise<StoredAsset | undefined>;
  putAsset(asset: VerifiedBlob, type: string): Promise<void>;

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
