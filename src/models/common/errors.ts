/**
 * @file Error classes of the model-update path, told apart by `name` (Comlink and
 * BroadcastChannel keep only name/message/stack, so receivers must switch on `name`, not
 * `instanceof`). Messages say what happens next and what a user or publisher can do.
 */
import { logReason } from '../../shared/update-messages.ts';

/** A blob's size or SHA-256 differs from the manifest: never stored, version marked bad. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

/** A blob could not be downloaded; `retryable` says whether another attempt may succeed. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    message: string,
    /** True for network errors, 5xx/408/429, truncated bodies and stalls. */
    readonly retryable: boolean,
    /** HTTP status when there was a response. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What is known of a refused manifest, so the update log can tell one refusal from the next. */
export interface RejectedManifestInfo {
  /** Its serial, when it parsed far enough to have one. */
  serial?: number;
  /** The response's `ETag`: a changed file gets a new one. */
  etag?: string | null;
}

/** The registry answered with a manifest this client refuses (bad JSON or schema, replay, bad signature). */
export class ManifestRejected extends Error {
  override name = 'ManifestRejected';
  /** Why, bounded (logReason): it is stored, broadcast to every tab and shown. */
  readonly reason: string;
  constructor(
    reason: string,
    readonly info: RejectedManifestInfo = {},
  ) {
    const bounded = logReason(reason);
    super(
      `model manifest rejected: ${bounded}. The models already in use keep serving; fix and republish the manifest.`,
    );
    this.reason = bounded;
  }
}

/** The registry could not be reached or answered with an HTTP error. */
export class RegistryUnavailable extends Error {
  override name = 'RegistryUnavailable';
  /** Why, bounded (logReason): it is logged, broadcast to every tab and shown. */
  readonly reason: string;
  constructor(
    reason: string,
    readonly status?: number,
  ) {
    const bounded = logReason(reason);
    super(`model registry unavailable: ${bounded}. The models already in use keep serving; the next poll retries.`);
    this.reason = bounded;
  }
}

/** IndexedDB is out of quota even after evicting every unreferenced blob. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

/** A rollback was asked for but there is no usable previous version. */
export class NoRollbackTarget extends Error {
  override name = 'NoRollbackTarget';
}

/** The DOMException browsers and Node throw for an aborted operation, with the signal's reason kept. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const message =
    reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'the operation was aborted';
  return new DOMException(message, 'AbortError');
}

/** True for errors that mean "the caller aborted", which must never be retried or logged as failures. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** A one-line description of any thrown value, for logs and messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
