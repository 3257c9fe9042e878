import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  manifestText,
  readManifest,
  readVerifiedBlob,
  sha256Hex,
  writeBlob,
  writeFileAtomic,
  writeManifest,
} from '../../../tools/lib/registry-io.ts';
import { ManifestError } from '../../../src/shared/manifest-validate.ts';
import { validManifest } from '../../helpers/manifest-fixture.ts';
import { tempDir } from '../../helpers/fs.ts';

describe('registry-io', () => {
  const dir = tempDir();

  it('writes atomically and leaves no temp files behind', async () => {
    const path = join(dir, 'sub', 'file.txt');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['file.txt']);
  });

  it('stores blobs by content and verifies them before use', async () => {
    const bytes = new TextEncoder().encode('model bytes');
    const first = await writeBlob(dir, bytes);
    expect(first).toEqual({ blob: `blobs/sha256-${sha256Hex(bytes)}.onnx`, sha256: sha256Hex(bytes), created: true });
    expect((await writeBlob(dir, bytes)).created).toBe(false);
    const entry = { blob: first.blob, sha256: first.sha256, bytes: bytes.length };
    expect(Buffer.from(await readVerifiedBlob(dir, entry)).toString()).toBe('model bytes');
    await expect(readVerifiedBlob(dir, { ...entry, bytes: 3 })).rejects.toThrow(/has 11 bytes, the manifest says 3/);
    writeFileSync(join(dir, first.blob), 'model bytez');
    await expect(readVerifiedBlob(dir, entry)).rejects.toThrow(/has sha256 [0-9a-f]{64}, the manifest says/);
    await expect(readVerifiedBlob(dir, { ...entry, blob: `blobs/sha256-${'1'.repeat(64)}.onnx` })).rejects.toThrow(
      /is missing/,
    );
    // A damaged blob is replaced when the right bytes are written again.
    expect((await writeBlob(dir, bytes)).created).toBe(true);
    expect(Buffer.from(await readVerifiedBlob(dir, entry)).toString()).toBe('model bytes');
  });

  it('round-trips manifests, validating on write and read', async () => {
    const m = validManifest();
    await writeManifest(dir, m);
    expect(await readManifest(dir)).toEqual(m);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(manifestText(m));
    expect(JSON.parse(manifestText(m))).toEqual(m);
    await expect(writeManifest(dir, { ...m, serial: 0 })).rejects.toThrow(ManifestError);
    writeFileSync(join(dir, 'manifest.json'), '{ not json');
    await expect(readManifest(dir)).rejects.toThrow(/is not valid JSON/);
    expect(await readManifest(join(dir, 'nowhere'))).toBeNull();
  });
});
