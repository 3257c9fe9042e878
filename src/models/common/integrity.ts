/**
 * @file Integrity checks done BEFORE anything is stored: size and SHA-256 (WebCrypto) against
 * the manifest. A {@link VerifiedBlob} can only come out of {@link verifyBlob}, and the cache
 * only accepts VerifiedBlobs, so an unverified or partial download cannot reach IndexedDB.
 */
import { IntegrityError } from './errors.ts';

declare const verified: unique symbol;

/** Bytes whose size and SHA-256 matched the manifest. */
export interface VerifiedBlob {
  readonly sha256: string;
  readonly bytes: ArrayBuffer;
  readonly [verified]: true;
}

/** What the manifest promises about a blob. */
export interface BlobExpectation {
  sha256: string;
  bytes: number;
}

/** Lowercase hex SHA-256 of `data` (WebCrypto; works in windows, workers, service workers and Node 20). */
export async function sha256Hex(data: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Checks size then SHA-256; throws {@link IntegrityError} naming both values on a mismatch. */
export async function verifyBlob(
  data: ArrayBuffer | Uint8Array<ArrayBuffer>,
  expected: BlobExpectation,
): Promise<VerifiedBlob> {
  const bytes =
    data instanceof ArrayBuffer
      ? data
      : data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
        ? data.buffer
        : data.slice().buffer;
  if (bytes.byteLength !== expected.bytes) {
    throw new IntegrityError(
      `size mismatch: got ${bytes.byteLength} bytes, the manifest says ${expected.bytes}; the blob was not stored`,
    );
  }
  const actual = await sha256Hex(bytes);
  if (actual !== expected.sha256.toLowerCase()) {
    throw new IntegrityError(
      `sha256 mismatch: got ${actual}, the manifest says ${expected.sha256}; the blob was not stored`,
    );
  }
  return { sha256: actual, bytes } as VerifiedBlob;
}
