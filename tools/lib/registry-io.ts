/**
 * @file Reading and writing a registry directory (manifest.json + blobs/ + probe/). Writes
 * are atomic (temp file in the same directory, fsync, rename, fsync the directory) so a
 * crash or a concurrent reader never sees a half-written manifest or blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Manifest } from '../../src/shared/manifest-types.ts';
import { blobPathFor, parseManifest, PROBE_IMAGE_PATTERN } from '../../src/shared/manifest-validate.ts';

export { blobPathFor };

/** The manifest's file name inside a registry directory. */
export const MANIFEST_FILE = 'manifest.json';

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function fsyncDir(dir: string): void {
  // Directory fsync makes the rename durable; some filesystems refuse it, which is harmless.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported here */
  }
}

/** Writes `bytes` to `path` atomically: temp file beside it, fsync, rename over, fsync the directory. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

function pretty(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    // Dims, probe values and labels read best on one line.
    if (value.every((v) => v === null || typeof v !== 'object'))
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** Serialises a manifest as the registry stores it: indented JSON with flat arrays inline, trailing newline. */
export function manifestText(manifest: Manifest): string {
  return `${pretty(manifest, '')}\n`;
}

/** Reads and validates `<dir>/manifest.json`; null when the file does not exist. Throws ManifestError when invalid. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${join(dir, MANIFEST_FILE)} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parseManifest(json);
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fills in the `probe.sha256` and `probe.bytes` that a manifest written before probe images were
 * signed lacks, from the probe images in `dir` (parsed JSON, changed in place; parseManifest
 * validates the result). Returns true when it added any: the manifest then needs a new serial
 * and signature.
 */
export async function addProbeDigests(json: unknown, dir: string): Promise<boolean> {
  let changed = false;
  const models = isJson(json) && isJson(json.models) ? Object.values(json.models) : [];
  for (const entry of models) {
    const versions = isJson(entry) && isJson(entry.versions) ? Object.values(entry.versions) : [];
    for (const version of versions) {
      if (!isJson(version)) continue;
      const files = [version, ...(isJson(version.variants) ? Object.values(version.variants) : [])];
      for (const file of files) {
        const probe = isJson(file) ? file.probe : undefined;
        if (!isJson(probe) || probe.sha256 !== undefined || typeof probe.image !== 'string') continue;
        if (!PROBE_IMAGE_PATTERN.test(probe.image)) continue;
        const png = await readFile(join(dir, probe.image)).catch(() => null);
        if (!png) continue;
        probe.sha256 = sha256Hex(png);
        probe.bytes = png.byteLength;
        changed = true;
      }
    }
  }
  return changed;
}

/** Validates and writes `<dir>/manifest.json` atomically. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), manifestText(parseManifest(manifest)));
}

/** Stores `bytes` content-addressed under `<dir>/blobs/`; returns its registry-relative path and digest. */
export async function writeBlob(
  dir: string,
  bytes: Uint8Array,
): Promise<{ blob: string; sha256: string; created: boolean }> {
  const sha256 = sha256Hex(bytes);
  const blob = blobPathFor(sha256);
  const path = join(dir, blob);
  if (await exists(path)) {
    // Content-addressed: an existing blob of this name must already hold these bytes.
    if (sha256Hex(await readFile(path)) === sha256) return { blob, sha256, created: false };
  }
  await writeFileAtomic(path, bytes);
  return { blob, sha256, created: true };
}

/** Reads a blob and checks it against the manifest's size and digest before anyone loads it. */
export async function readVerifiedBlob(
  dir: string,
  file: { blob: string; sha256: string; bytes: number },
): Promise<Uint8Array> {
  const path = join(dir, file.blob);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new Error(`${path} is missing; rebuild the registry (npm run models)`);
  }
  if (bytes.length !== file.bytes) {
    throw new Error(
      `${path} has ${bytes.length} bytes, the manifest says ${file.bytes}; rebuild the registry (npm run models)`,
    );
  }
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new Error(
      `${path} has sha256 ${actual}, the manifest says ${file.sha256}; rebuild the registry (npm run models)`,
    );
  }
  return bytes;
}
