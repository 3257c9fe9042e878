/**
 * @file The IndexedDB model cache (idb-keyval on fake-indexeddb): CRUD per record kind,
 * persistence across reopen ("reload"), atomic concurrent updates, the bounded log, the
 * install id, eviction that never removes an active or previous blob, and quota handling.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { idbKvBackend } from '../../../src/models/cache/kv-backend.ts';
import { createModelStore } from '../../../src/models/cache/idb-model-store.ts';
import { manifestFor, MAX_LOG_ENTRIES, type StoredManifest } from '../../../src/models/cache/model-store.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import { promote, setCandidate, setPin } from '../../../src/models/common/model-state.ts';
import type { UpdateLogRecord } from '../../../src/shared/update-messages.ts';
import {
  blobBytes,
  freshDbName,
  freshStore,
  makeManifest,
  nodeSha256,
  withByteQuota,
} from '../../helpers/model-fixtures.ts';

async function verified(seed: number, size = 2048) {
  const bytes = blobBytes(seed, size);
  return verifyBlob(bytes, { sha256: nodeSha256(bytes), bytes: size });
}

function logRecord(i: number): UpdateLogRecord {
  return {
    time: i,
    model: 'face-detector',
    version: '1.0.0',
    sha256: 'a'.repeat(64),
    stage: 'found',
    outcome: 'ok',
    durationMs: i,
    source: 'sw',
  };
}

describe('model cache', () => {
  it('stores, lists and deletes blobs by sha256', async () => {
    const store = freshStore();
    const a = await verified(1);
    const b = await verified(2);
    await store.putBlob(a);
    await store.putBlob(b);
    expect(await store.hasBlob(a.sha256)).toBe(true);
    expect((await store.listBlobs()).sort()).toEqual([a.sha256, b.sha256].sort());
    const back = await store.getBlob(a.sha256);
    expect(back).toBeInstanceOf(ArrayBuffer);
    expect(nodeSha256(new Uint8Array(back!))).toBe(a.sha256);
    await store.deleteBlob(a.sha256);
    expect(await store.hasBlob(a.sha256)).toBe(false);
    expect(await store.getBlob(a.sha256)).toBeUndefined();
    expect(await store.listBlobs()).toEqual([b.sha256]);
  });

  it('keeps everything across a reopen of the same database (a page reload)', async () => {
    const dbName = freshDbName();
    const first = freshStore({ dbName });
    const blob = await verified(3);
    const manifest = makeManifest(4, {
      'face-detector': { stable: '1.0.0', versions: { '1.0.0': blobBytes(3, 2048) } },
    });
    await first.putBlob(blob);
    await first.putManifest({
      manifest,
      etag: '"e1"',
      lastModified: 'Sat, 21 Nov 2026 12:00:00 GMT',
      acceptedAt: 1,
      checkedAt: 1,
    });
    await first.updateControl((c) => promote(c, 'face-detector', { version: '1.0.0', sha256: blob.sha256 }));
    await first.appendLog(logRecord(1));
    const id = await first.getInstallId();

    const second = freshStore({ dbName });
    expect(await second.hasBlob(blob.sha256)).toBe(true);
    expect((await second.getManifest())?.manifest).toEqual(manifest);
    expect((await second.getManifest())?.etag).toBe('"e1"');
    expect((await second.getControl()).models['face-detector']?.active).toEqual({
      version: '1.0.0',
      sha256: blob.sha256,
    });
    expect(await second.getLog()).toEqual([logRecord(1)]);
    expect(await second.getInstallId()).toBe(id);
  });

  it('touchManifest updates only the given fields and does nothing without a manifest', async () => {
    const store = freshStore();
    await store.touchManifest({ checkedAt: 5 });
    expect(await store.getManifest()).toBeUndefined();
    const manifest = makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': blobBytes(1, 10) } } });
    await store.putManifest({ manifest, etag: '"a"', lastModified: null, acceptedAt: 1, checkedAt: 1 });
    await store.touchManifest({ etag: '"b"', checkedAt: 9, lastRejection: { time: 9, reason: 'bad' } });
    const rec = await store.getManifest();
    expect(rec).toMatchObject({ etag: '"b"', checkedAt: 9, acceptedAt: 1, lastRejection: { reason: 'bad' } });
    expect(rec?.manifest.serial).toBe(1);
  });

  it('applies concurrent control updates atomically (no lost writes between tabs)', async () => {
    const dbName = freshDbName();
    const tabs = [freshStore({ dbName }), freshStore({ dbName }), freshStore({ dbName })];
    const ids = Array.from({ length: 30 }, (_, i) => `model-${i}`);
    await Promise.all(ids.map((id, i) => tabs[i % 3]!.updateControl((c) => setPin(c, id, `1.0.${i}`))));
    const pins = (await tabs[0]!.getControl()).pins;
    expect(Object.keys(pins).sort()).toEqual([...ids].sort());
  });

  it('rejects a throwing transition without writing anything', async () => {
    const store = freshStore();
    await store.updateControl((c) => setPin(c, 'a', '1.0.0'));
    await expect(
      store.updateControl(() => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect((await store.getControl()).pins).toEqual({ a: '1.0.0' });
  });

  it(`keeps only the last ${MAX_LOG_ENTRIES} log entries`, async () => {
    const store = freshStore();
    for (let i = 0; i < 250; i += 10) await store.appendLog(...Array.from({ length: 10 }, (_, j) => logRecord(i + j)));
    const log = await store.getLog();
    expect(log).toHaveLength(MAX_LOG_ENTRIES);
    expect(log[0]!.time).toBe(50);
    expect(log.at(-1)!.time).toBe(249);
  });

  it('creates the install id once, even when several contexts ask at the same time', async () => {
    const dbName = freshDbName();
    const made: string[] = [];
    const stores = Array.from({ length: 4 }, (_, i) =>
      createModelStore({
        backend: idbKvBackend(dbName),
        newInstallId: () => {
          made.push(`id-${i}`);
          return `id-${i}`;
        },
      }),
    );
    const ids = await Promise.all(stores.map((s) => s.getInstallId()));
    expect(new Set(ids).size).toBe(1);
    expect(await stores[0]!.getInstallId()).toBe(ids[0]);
    // The default generator is a random UUID.
    expect(await freshStore().getInstallId()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('persists update settings', async () => {
    const dbName = freshDbName();
    await freshStore({ dbName }).updateSettings({ pollIntervalMs: 1000 });
    await freshStore({ dbName }).updateSettings({ registryUrl: 'https://r.test/models/' });
    expect(await freshStore({ dbName }).getSettings()).toEqual({
      pollIntervalMs: 1000,
      registryUrl: 'https://r.test/models/',
    });
  });

  it('evicts only blobs no model references, never an active or previous one', async () => {
    const store = freshStore();
    const [a1, a2, a3, b1, orphan1, orphan2] = await Promise.all([1, 2, 3, 4, 5, 6].map((s) => verified(s)));
    for (const b of [a1, a2, a3, b1, orphan1, orphan2]) await store.putBlob(b!);
    await store.updateControl((c) => {
      let n = promote(c, 'face-detector', { version: '1.0.0', sha256: a1!.sha256 });
      n = promote(n, 'face-detector', { version: '2.0.0', sha256: a2!.sha256 }); // a1 becomes previous
      n = setCandidate(n, 'face-detector', { version: '3.0.0', sha256: a3!.sha256 });
      return promote(n, 'face-expression', { version: '1.0.0', sha256: b1!.sha256 });
    });
    const evicted = await store.evictUnreferenced([orphan2!.sha256]);
    expect(evicted).toEqual([orphan1!.sha256]);
    expect((await store.listBlobs()).sort()).toEqual([a1, a2, a3, b1, orphan2].map((b) => b!.sha256).sort());

    // After a further promotion the old previous (a1) is no longer referenced; active/previous stay.
    await store.updateControl((c) => promote(c, 'face-detector', { version: '3.0.0', sha256: a3!.sha256 }));
    expect(await store.evictUnreferenced()).toEqual(expect.arrayContaining([a1!.sha256, orphan2!.sha256]));
    expect((await store.listBlobs()).sort()).toEqual([a2, a3, b1].map((b) => b!.sha256).sort());
  });

  it('on QuotaExceededError evicts unreferenced blobs and retries the write once', async () => {
    const quota = withByteQuota(idbKvBackend(freshDbName()), 10_000);
    const store = createModelStore({ backend: quota });
    const active = await verified(10, 3000);
    const orphan = await verified(11, 6000);
    const incoming = await verified(12, 4000);
    await store.putBlob(active);
    await store.updateControl((c) => promote(c, 'face-detector', { version: '1.0.0', sha256: active.sha256 }));
    expect(await store.putBlob(orphan)).toEqual({ evicted: [] });
    // 3000 + 6000 + 4000 > 10000: the orphan must go, and the caller is told so.
    expect(await store.putBlob(incoming)).toEqual({ evicted: [orphan.sha256] });
    expect((await store.listBlobs()).sort()).toEqual([active.sha256, incoming.sha256].sort());
    expect(quota.used()).toBeLessThanOrEqual(10_000);
  });

  it('throws a StorageFullError when eviction cannot free enough, keeping the active blob', async () => {
    const store = createModelStore({ backend: withByteQuota(idbKvBackend(freshDbName()), 10_000) });
    const active = await verified(20, 8000);
    await store.putBlob(active);
    await store.updateControl((c) => promote(c, 'face-detector', { version: '1.0.0', sha256: active.sha256 }));
    const big = await verified(21, 4000);
    const err = await store.putBlob(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('StorageFullError');
    expect((err as Error).message).toBe(
      `browser storage is full: model blob ${big.sha256.slice(0, 12)}… (0.0 MB) does not fit, even after removing ` +
        '0 unused model versions; free space for this site in the browser settings, then choose Check now',
    );
    expect(await store.listBlobs()).toEqual([active.sha256]);
  });

  it('passes other storage errors through unchanged', async () => {
    const backend = idbKvBackend(freshDbName());
    const failing = { ...backend, set: () => Promise.reject(new DOMException('disk on fire', 'UnknownError')) };
    const store = createModelStore({ backend: failing });
    await expect(store.putBlob(await verified(30))).rejects.toMatchObject({ name: 'UnknownError' });
  });

  it('keeps registry assets (probe images) by URL across a reopen', async () => {
    const dbName = freshDbName();
    const png = new Uint8Array([137, 80, 78, 71, 1, 2, 3]).buffer;
    await freshStore({ dbName }).putAsset('https://r.test/probe/face-112.png', { type: 'image/png', bytes: png });
    const reopened = freshStore({ dbName });
    const asset = await reopened.getAsset('https://r.test/probe/face-112.png');
    expect(asset?.type).toBe('image/png');
    expect(new Uint8Array(asset!.bytes)).toEqual(new Uint8Array(png));
    expect(await reopened.getAsset('https://r.test/probe/other.png')).toBeUndefined();
    expect(await reopened.listBlobs()).toEqual([]);
  });
});

describe('manifestFor', () => {
  const stored = (registryUrl?: string): StoredManifest => ({
    manifest: { schema: 1, serial: 3, published: '2026-11-21T12:00:00Z', models: {} },
    etag: '"x"',
    lastModified: null,
    acceptedAt: 0,
    checkedAt: 0,
    ...(registryUrl ? { registryUrl } : {}),
  });

  it('is the stored manifest of the same registry (or of an unknown one), never of another registry', () => {
    expect(manifestFor(stored('https://a.test/models/'), 'https://a.test/models/')?.manifest.serial).toBe(3);
    expect(manifestFor(stored(), 'https://a.test/models/')?.manifest.serial).toBe(3);
    expect(manifestFor(stored('https://b.test/models/'), 'https://a.test/models/')).toBeUndefined();
    expect(manifestFor(undefined, 'https://a.test/models/')).toBeUndefined();
  });
});
