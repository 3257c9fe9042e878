/**
 * @file The update check under storage faults, against a fake registry and the real cache
 * code over fake-indexeddb with a byte quota: a blob that does not fit even after eviction is
 * logged as `stored` failed with the reason, nothing of it is kept, the old version stays, and
 * it is not downloaded again until its wait is over or the user asks; an unused blob is
 * evicted to make room; with no persistent storage nothing is downloaded by the check.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createModelStore } from '../../../src/models/cache/idb-model-store.ts';
import { fallbackKvBackend, idbKvBackend, type KvBackend } from '../../../src/models/cache/kv-backend.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import { promote } from '../../../src/models/common/model-state.ts';
import { StorageFullBackoff } from '../../../src/models/common/storage-full-backoff.ts';
import type { UpdateLogRecord } from '../../../src/shared/update-messages.ts';
import { runUpdateCheck } from '../../../src/models/common/update-check.ts';
import {
  blobBytes,
  FakeRegistry,
  freshDbName,
  makeManifest,
  nodeSha256,
  RecordingChannel,
  withByteQuota,
  updateCheckRig,
} from '../../helpers/model-fixtures.ts';

const ID = 'face-detector';
const b1 = blobBytes(1, 5000);
const b2 = blobBytes(2, 5000);
const sha = (bytes: Uint8Array) => nodeSha256(bytes);

/** A registry serving 1.0.0 and a cache where 1.0.0 is stored and active, under a quota the test moves. */
async function setup(backend?: KvBackend) {
  let quota = Infinity;
  const limited = withByteQuota(idbKvBackend(freshDbName()), () => quota);
  const store = createModelStore({ backend: backend ?? limited });
  const { registry, channel, deps } = updateCheckRig({ store, storageFull: new StorageFullBackoff() });
  registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
  await runUpdateCheck(deps);
  await store.updateControl((c) => promote(c, ID, { version: '1.0.0', sha256: sha(b1) }));
  const publish2 = () =>
    registry.publish(makeManifest(2, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } }), [b1, b2]);
  const records = (bytes: Uint8Array): UpdateLogRecord[] =>
    channel.ofType('log').flatMap((m) => (m.record.sha256 === sha(bytes) ? [m.record] : []));
  return {
    store,
    registry,
    channel,
    deps,
    publish2,
    records,
    limited,
    setQuota: (bytes: number) => (quota = bytes),
  };
}

describe('runUpdateCheck with a full disk', () => {
  it('logs why a blob that does not fit was not stored, keeps nothing of it, and waits before downloading it again', async () => {
    const { store, registry, channel, deps, publish2, records, limited, setQuota } = await setup();
    setQuota(limited.used() + 3000); // room for records, not for 5000 bytes
    publish2();
    const summary = await runUpdateCheck(deps);
    expect(summary.ready).toEqual([]);
    const stored = records(b2).filter((r) => r.stage === 'stored');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ outcome: 'failed', source: 'sw' });
    expect(stored[0]!.reason).toBe(
      `browser storage is full: model blob ${sha(b2).slice(0, 12)}… (0.0 MB) does not fit, even after removing 0 ` +
        'unused model versions; free space for this site in the browser settings, then choose Check now; ' +
        'not downloaded again for 2 min unless you choose Check now',
    );
    expect(await store.listBlobs()).toEqual([sha(b1)]);
    const control = await store.getControl();
    expect(control.models[ID]).toMatchObject({ active: { version: '1.0.0' }, candidate: null });
    expect(control.bad).toEqual([]); // not the version's fault
    expect(channel.ofType('model-failed').map((m) => m.version)).toEqual(['2.0.0']);

    // A poll right after: no download. The user asks: downloaded again (and fails again).
    const blobPath = `sha256-${sha(b2)}.onnx`;
    expect(registry.requestsFor(blobPath)).toHaveLength(1);
    await runUpdateCheck(deps);
    expect(registry.requestsFor(blobPath)).toHaveLength(1);
    await runUpdateCheck({ ...deps, userAsked: true });
    expect(registry.requestsFor(blobPath)).toHaveLength(2);

    // Space freed: the next user check stores it and forgets the wait.
    setQuota(Infinity);
    const after = await runUpdateCheck({ ...deps, userAsked: true });
    expect(after.ready.map((r) => r.version)).toEqual(['2.0.0']);
    expect(
      records(b2)
        .filter((r) => r.stage === 'stored')
        .map((r) => r.outcome),
    ).toEqual(['failed', 'failed', 'ok']);
    expect(deps.storageFull!.waiting(sha(b2), Date.now())).toBe(false);
  });

  it('evicts an unused blob to make room, retries, and says so in the log', async () => {
    const { store, deps, publish2, records, limited, setQuota } = await setup();
    const orphanBytes = blobBytes(9, 6000);
    await store.putBlob(await verifyBlob(orphanBytes, { sha256: sha(orphanBytes), bytes: orphanBytes.byteLength }));
    setQuota(limited.used() + 3000); // 5000 fit only once the 6000-byte orphan is gone
    publish2();
    const summary = await runUpdateCheck(deps);
    expect(summary.ready.map((r) => r.version)).toEqual(['2.0.0']);
    expect(records(b2).find((r) => r.stage === 'stored')).toMatchObject({
      outcome: 'ok',
      reason: 'storage was full: removed 1 unused model version and retried',
    });
    expect((await store.listBlobs()).sort()).toEqual([sha(b1), sha(b2)].sort());
  });
});

describe('runUpdateCheck without persistent storage', () => {
  it('downloads nothing: it notes the version and leaves download and verification to the inference worker', async () => {
    const denied: KvBackend = {
      get: () => Promise.reject(new DOMException('The user denied permission to access the database.', 'UnknownError')),
      set: () => Promise.reject(new Error('unreachable')),
      update: () => Promise.reject(new Error('unreachable')),
      del: () => Promise.reject(new Error('unreachable')),
      keys: () =>
        Promise.reject(new DOMException('The user denied permission to access the database.', 'UnknownError')),
    };
    const registry = new FakeRegistry();
    const channel = new RecordingChannel();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const summary = await runUpdateCheck({
      store: createModelStore({ backend: fallbackKvBackend(() => denied) }),
      channel,
      registryUrl: registry.base,
      fetch: registry.fetch,
      isWanted: () => true,
    });
    expect(summary).toMatchObject({ ok: true, serial: 1, ready: [{ id: ID, version: '1.0.0' }] });
    expect(registry.requests.map((r) => r.url.slice(registry.base.length))).toEqual(['manifest.json']);
    const found = channel.ofType('log').map((m) => m.record);
    expect(found.map((r) => `${r.stage}:${r.outcome}`)).toEqual(['found:ok']);
    expect(found[0]!.reason).toBe(
      'stable channel; not downloaded here because IndexedDB cannot be opened (UnknownError: The user denied ' +
        'permission to access the database.): the inference worker downloads and verifies it',
    );
    expect(channel.ofType('model-ready').map((m) => m.version)).toEqual(['1.0.0']);
  });
});
