/**
 * @file The service worker's check cycle against a fake registry and the real cache
 * (fake-indexeddb): first download with progress and stage log, 304 on repeat, publish of a
 * new version, eviction, last good manifest kept on invalid/replayed manifests, integrity
 * rejection not retried until the sha256 changes, transient failures retried, canary and pin.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { commitServing } from '../../../src/models/common/control-actions.ts';
import type { FetchLike } from '../../../src/models/common/http.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import { setPin } from '../../../src/models/common/model-state.ts';
import { runUpdateCheck } from '../../../src/models/common/update-check.ts';
import type { FakeRegistry } from '../../helpers/model-fixtures.ts';
import { blobBytes, FakeLocks, makeManifest, nodeSha256, updateCheckRig } from '../../helpers/model-fixtures.ts';

const ID = 'face-detector';
const b1 = blobBytes(1, 5000);
const b2 = blobBytes(2, 5000);
const b3 = blobBytes(3, 5000);
const v = (version: string, bytes: Uint8Array) => ({ version, sha256: nodeSha256(bytes) });

function setup() {
  return updateCheckRig({
    progressIntervalMs: 0,
    download: { retries: 1, sleep: async () => {}, stallTimeoutMs: 5000 },
  });
}

describe('runUpdateCheck', () => {
  it('by default keeps only models this device has served up to date (a feature never turned on downloads nothing)', async () => {
    const { registry, store, deps } = setup();
    const check = () => runUpdateCheck({ ...deps, isWanted: undefined });
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    expect(await check()).toMatchObject({ ok: true, ready: [] });
    expect(registry.requestsFor('.onnx')).toHaveLength(0);
    // The page served 1.0.0 (it downloaded it itself); from now on updates come through here.
    await commitServing(store, { id: ID, ...v('1.0.0', b1) });
    registry.publish(makeManifest(2, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } }), [b1, b2]);
    expect(await check()).toMatchObject({ ok: true, ready: [{ id: ID, ...v('2.0.0', b2) }] });
  });

  it('downloads, verifies and stores the stable version, logging each stage, then announces it', async () => {
    const { registry, store, channel, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const result = await check();
    expect(result).toEqual({
      ok: true,
      serial: 1,
      changed: true,
      ready: [{ id: ID, ...v('1.0.0', b1) }],
      rejected: [],
    });
    expect(await store.hasBlob(nodeSha256(b1))).toBe(true);
    expect((await store.getControl()).models[ID]?.candidate).toEqual(v('1.0.0', b1));
    expect(channel.messages.map((m) => m.type)).toEqual(
      expect.arrayContaining(['manifest-accepted', 'model-found', 'model-progress', 'model-ready']),
    );
    const progress = channel.ofType('model-progress');
    expect(progress.at(-1)).toMatchObject({ loaded: 5000, total: 5000 });
    const log = await store.getLog();
    expect(log.map((r) => `${r.stage}:${r.outcome}`)).toEqual([
      'found:ok',
      'downloading:ok',
      'verifying:ok',
      'stored:ok',
    ]);
    expect(log.at(-1)!.durations).toHaveProperty('downloading');
    expect(channel.ofType('log').map((m) => m.record)).toEqual(log);
  });

  it('costs one 304 and no blob request when nothing changed', async () => {
    const { registry, store, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    await check();
    await commitServing(store, { id: ID, ...v('1.0.0', b1) });
    const before = registry.requests.length;
    const result = await check();
    expect(result).toMatchObject({ ok: true, serial: 1, changed: false, ready: [] });
    expect(registry.requests.slice(before).map((r) => r.url)).toEqual([`${registry.base}manifest.json`]);
  });

  it('fetches only the new version after a publish and evicts what no longer serves', async () => {
    const { registry, store, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    await check();
    await commitServing(store, { id: ID, ...v('1.0.0', b1) });
    registry.publish(makeManifest(2, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } }), [b2]);
    expect((await check()).ready).toEqual([{ id: ID, ...v('2.0.0', b2) }]);
    await commitServing(store, { id: ID, ...v('2.0.0', b2) });
    registry.publish(makeManifest(3, { [ID]: { stable: '3.0.0', versions: { '3.0.0': b3 } } }), [b3]);
    await check();
    await commitServing(store, { id: ID, ...v('3.0.0', b3) });
    await check();
    expect((await store.listBlobs()).sort()).toEqual([nodeSha256(b2), nodeSha256(b3)].sort());
    expect(registry.requestsFor(`sha256-${nodeSha256(b1)}.onnx`)).toHaveLength(1);
  });

  it.each([
    ['invalid JSON', (r: FakeRegistry) => r.publishText('{ nope'), /not valid JSON/],
    ['a schema error', (r: FakeRegistry) => r.publishText(JSON.stringify({ schema: 2 })), /schema must be 1/],
    [
      'a replayed serial',
      (r: FakeRegistry) => r.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } })),
      /lower than the last accepted serial 5/,
    ],
  ])('keeps the last good manifest when the registry serves %s', async (_what, breakIt, reason) => {
    const { registry, store, channel, check } = setup();
    const good = makeManifest(5, { [ID]: { stable: '2.0.0', versions: { '2.0.0': b2 } } });
    registry.publish(good, [b2]);
    await check();
    breakIt(registry);
    const result = await check();
    expect(result.ok).toBe(false);
    expect(result.serial).toBe(5);
    expect(result.error).toMatch(reason);
    expect((await store.getManifest())?.manifest).toEqual(good);
    expect((await store.getManifest())?.lastRejection?.reason).toMatch(reason);
    expect(channel.ofType('manifest-rejected').at(-1)?.reason).toMatch(reason);
  });

  it('rejects a blob whose sha256 does not match, stores nothing, and does not retry it until the sha256 changes', async () => {
    const { registry, store, channel, check } = setup();
    const claimed = nodeSha256(b2);
    const m = makeManifest(1, { [ID]: { stable: '2.0.0', versions: { '2.0.0': b2 } } });
    registry.publish(m);
    registry.putBlobAt(`blobs/sha256-${claimed}.onnx`, b3); // the file is not what the manifest says
    const result = await check();
    expect(result.rejected).toEqual([{ id: ID, ...v('2.0.0', b2), reason: expect.stringMatching(/sha256 mismatch/) }]);
    expect(await store.listBlobs()).toEqual([]);
    expect((await store.getControl()).bad).toEqual([
      expect.objectContaining({ id: ID, sha256: claimed, stage: 'verifying' }),
    ]);
    expect((await store.getControl()).models[ID]?.candidate).toBeNull();
    expect(channel.ofType('model-rejected')[0]).toMatchObject({ stage: 'verifying' });
    expect((await store.getLog()).at(-1)).toMatchObject({ stage: 'verifying', outcome: 'rejected' });

    await check();
    await check();
    expect(registry.requestsFor(`sha256-${claimed}.onnx`)).toHaveLength(1);

    // A fixed publish (new content, new sha256) is picked up.
    registry.publish(makeManifest(2, { [ID]: { stable: '2.0.0', versions: { '2.0.0': b1 } } }), [b1]);
    expect((await check()).ready).toEqual([{ id: ID, version: '2.0.0', sha256: nodeSha256(b1) }]);
  });

  it('treats an unreachable registry as a failed check without touching the cache', async () => {
    const { registry, store, channel, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    await check();
    registry.overrides.set('manifest.json', () => {
      throw new TypeError('Failed to fetch');
    });
    const result = await check();
    expect(result).toMatchObject({ ok: false, serial: 1, changed: false });
    expect(channel.ofType('registry-unavailable')).toHaveLength(1);
    expect(await store.hasBlob(nodeSha256(b1))).toBe(true);
  });

  it('gives up on a manifest that stalls after the stall timeout, so later polls are not held', async () => {
    const { store, channel } = setup();
    // Like fetch: the body hangs after a few bytes, and aborting the request's signal errors it.
    const stalling: FetchLike = async (_url, init) =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"schema"'));
            init.signal?.addEventListener('abort', () => c.error(init.signal?.reason));
          },
        }),
      );
    const started = Date.now();
    const result = await runUpdateCheck({
      store,
      channel,
      registryUrl: 'https://registry.test/models/',
      fetch: stalling,
      download: { stallTimeoutMs: 300 },
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ ok: false, serial: null });
    expect(channel.ofType('registry-unavailable')[0]?.reason).toMatch(
      /broke off mid-answer \(no complete answer within 300 ms\)/,
    );
  });

  it('logs an unreachable registry once per outage, with the reason', async () => {
    const { registry, store, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    await check();
    const manifestRecords = async () => (await store.getLog()).filter((r) => r.model === 'manifest.json');
    registry.overrides.set('manifest.json', () => new Response('nope', { status: 404 }));
    await check();
    await check();
    registry.overrides.set('manifest.json', () => new Response('down', { status: 500 }));
    await check();
    expect(await manifestRecords()).toMatchObject([
      { version: 'serial 1', stage: 'downloading', outcome: 'failed', reason: expect.stringMatching(/HTTP 404$/) },
      { version: 'serial 1', stage: 'downloading', outcome: 'failed', reason: expect.stringMatching(/HTTP 500$/) },
    ]);
    expect((await manifestRecords())[0]!.reason).toMatch(/^manifest not fetched, the last accepted one stays in force/);
    registry.overrides.delete('manifest.json');
    expect(await check()).toMatchObject({ ok: true, serial: 1 });
    expect(await manifestRecords()).toHaveLength(2);
  });

  it('reports a transient download failure without condemning the version, and retries next time', async () => {
    const { registry, store, channel, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const path = `blobs/sha256-${nodeSha256(b1)}.onnx`;
    registry.overrides.set(path, () => new Response('down', { status: 502 }));
    const first = await check();
    expect(first).toMatchObject({ ready: [], rejected: [] });
    expect(channel.ofType('model-failed')[0]?.reason).toMatch(/gave up after 2 attempts: .*HTTP 502/);
    expect((await store.getControl()).bad).toEqual([]);
    expect((await store.getLog()).at(-1)).toMatchObject({ stage: 'downloading', outcome: 'failed' });
    registry.overrides.delete(path);
    expect((await check()).ready).toHaveLength(1);
  });

  it('downloads the canary only for clients in it', async () => {
    const inCanary = setup();
    inCanary.registry.publish(
      makeManifest(1, {
        [ID]: { stable: '1.0.0', canary: { version: '2.0.0', percent: 100 }, versions: { '1.0.0': b1, '2.0.0': b2 } },
      }),
      [b1, b2],
    );
    expect((await inCanary.check()).ready).toEqual([{ id: ID, ...v('2.0.0', b2) }]);
    expect(inCanary.channel.ofType('model-found')[0]).toMatchObject({ channel: 'canary' });

    const outOfCanary = setup();
    outOfCanary.registry.publish(
      makeManifest(1, {
        [ID]: { stable: '1.0.0', canary: { version: '2.0.0', percent: 0 }, versions: { '1.0.0': b1, '2.0.0': b2 } },
      }),
      [b1, b2],
    );
    expect((await outOfCanary.check()).ready).toEqual([{ id: ID, ...v('1.0.0', b1) }]);
    expect(outOfCanary.registry.requestsFor(`sha256-${nodeSha256(b2)}.onnx`)).toHaveLength(0);
  });

  it('downloads nothing for a pinned model when a new version is published', async () => {
    const { registry, store, check } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    await check();
    await commitServing(store, { id: ID, ...v('1.0.0', b1) });
    await store.updateControl((c) => setPin(c, ID, '1.0.0'));
    registry.publish(makeManifest(2, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } }), [b2]);
    expect(await check()).toMatchObject({ changed: true, ready: [] });
    expect(registry.requestsFor(`sha256-${nodeSha256(b2)}.onnx`)).toHaveLength(0);
  });

  it('treats a manifest stored from another registry as no predecessor (serials are per registry)', async () => {
    const { registry, store, check } = setup();
    await store.putManifest({
      manifest: makeManifest(9, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }),
      etag: '"other"',
      lastModified: null,
      acceptedAt: 0,
      checkedAt: 0,
      registryUrl: 'https://elsewhere.test/models/',
    });
    registry.publish(makeManifest(2, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const result = await check();
    expect(result).toMatchObject({ ok: true, serial: 2, changed: true });
    expect(registry.requests[0]!.init.headers).toEqual({});
    expect((await store.getManifest())?.registryUrl).toBe(registry.base);
  });

  it('logs the blob as stored when another context stored it while this check waited for the lock', async () => {
    const { registry, store, deps } = setup();
    registry.publish(makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    // A tab's worker holds the download lock and stores the blob first.
    const locks = new FakeLocks();
    let release: () => void = () => undefined;
    const held = locks.request(`hotlens-download-${nodeSha256(b1)}`, async () => {
      await new Promise<void>((r) => (release = r));
      await store.putBlob(await verifyBlob(b1, { sha256: nodeSha256(b1), bytes: b1.byteLength }));
      return 'downloaded';
    });
    const result = runUpdateCheck({ ...deps, locks });
    await new Promise((r) => setTimeout(r, 20));
    release();
    await held;
    expect((await result).ready).toMatchObject([{ version: '1.0.0' }]);
    const log = await store.getLog();
    expect(log.map((r) => `${r.stage}:${r.outcome}`)).toEqual(['found:ok', 'stored:ok']);
    expect(log.at(-1)!.reason).toMatch(/already stored by another tab/);
    expect(registry.requestsFor('.onnx')).toEqual([]);
  });
});
