/**
 * @file The service worker's update service as sw.ts wires it, run in Node with the real
 * cache: page messages (check, configure, SKIP_WAITING, junk), settings that survive a
 * service-worker restart, polling started on demand, and the download stall timeout a page sets.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createUpdateService, type UpdateServiceDeps } from '../../../src/update/sw/update-service.ts';
import {
  blobBytes,
  chunked,
  FakeRegistry,
  freshDbName,
  freshStore,
  makeManifest,
  nodeSha256,
  RecordingChannel,
} from '../../helpers/model-fixtures.ts';

function service(dbName: string, registry: FakeRegistry, extra: Partial<UpdateServiceDeps> = {}) {
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let skipped = 0;
  const channel = new RecordingChannel();
  const svc = createUpdateService({
    isWanted: () => true,
    store: freshStore({ dbName }),
    channel,
    defaultRegistryUrl: registry.base,
    fetch: registry.fetch,
    skipWaiting: async () => void skipped++,
    scheduler: { setTimer: (fn, ms) => timers.push({ fn, ms }), clearTimer: () => {}, random: () => 0.5 },
    ...extra,
  });
  return { svc, channel, timers, skipped: () => skipped };
}

describe('update service', () => {
  const b1 = blobBytes(7, 3000);

  it('answers check-for-updates with the check summary', async () => {
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const { svc, channel } = service(freshDbName(), registry);
    const reply = await svc.handleMessage({ type: 'check-for-updates', reason: 'user' });
    expect(reply).toMatchObject({
      ok: true,
      serial: 1,
      changed: true,
      ready: [{ id: 'face-detector', sha256: nodeSha256(b1) }],
    });
    expect(channel.ofType('model-ready')).toHaveLength(1);
  });

  it('ignores messages it does not understand and only skips waiting when asked', async () => {
    const registry = new FakeRegistry();
    const { svc, skipped } = service(freshDbName(), registry);
    expect(await svc.handleMessage({ type: 'reload-everything' })).toBeUndefined();
    expect(await svc.handleMessage('check')).toBeUndefined();
    expect(await svc.handleMessage({ type: 'check-for-updates', reason: 'because' })).toBeUndefined();
    expect(skipped()).toBe(0);
    expect(await svc.handleMessage({ type: 'SKIP_WAITING' })).toBeUndefined();
    expect(skipped()).toBe(1);
    expect(registry.requests).toHaveLength(0);
  });

  it('persists poll interval and registry URL across a service-worker restart', async () => {
    const dbName = freshDbName();
    const registry = new FakeRegistry();
    const other = 'https://cdn.test/hotlens/models/';
    const first = service(dbName, registry);
    const reply = await first.svc.handleMessage({ type: 'configure', pollIntervalMs: 1000, registryUrl: other });
    expect(reply).toEqual({ ok: true, settings: { pollIntervalMs: 1000, registryUrl: other } });
    expect(first.svc.scheduler?.intervalMs).toBe(1000);

    const asked: string[] = [];
    const restarted = service(dbName, registry, {
      fetch: async (url, init) => {
        asked.push(url);
        return registry.fetch(url.replace(other, registry.base), init);
      },
    });
    await restarted.svc.start();
    expect(restarted.svc.scheduler?.intervalMs).toBe(1000);
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    expect(await restarted.svc.handleMessage({ type: 'check-for-updates', reason: 'user' })).toMatchObject({
      serial: 1,
      ready: [{ version: '1.0.0' }],
    });
    expect(asked).toEqual([`${other}manifest.json`, `${other}blobs/sha256-${nodeSha256(b1)}.onnx`]);
  });

  it('uses the stall timeout a page configured, and logs each retry with its backoff and resume offset', async () => {
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const path = `blobs/sha256-${nodeSha256(b1)}.onnx`;
    registry.overrides.set(path, () => {
      registry.overrides.delete(path);
      return new Response(chunked(b1, 1000, { hangAfter: 1 }));
    });
    const { svc, channel } = service(freshDbName(), registry, { download: { baseDelayMs: 40, random: () => 0.5 } });
    expect(await svc.handleMessage({ type: 'configure', stallTimeoutMs: 600 })).toEqual({
      ok: true,
      settings: { stallTimeoutMs: 600 },
    });
    const started = Date.now();
    expect(await svc.handleMessage({ type: 'check-for-updates', reason: 'user' })).toMatchObject({
      ready: [{ version: '1.0.0' }],
    });
    // The default (30 s) would have outlived the test.
    expect(Date.now() - started).toBeLessThan(10_000);
    const downloading = channel
      .ofType('log')
      .map((m) => m.record)
      .filter((r) => r.stage === 'downloading');
    expect(downloading.map((r) => r.outcome)).toEqual(['failed', 'ok']);
    expect(downloading[0]!.reason).toMatch(
      /^attempt 1 of 5 failed: no data for 600 ms from .* after 1000 of 3000 bytes; retrying in 20 ms \(backoff\), resuming at byte 1000$/,
    );
    expect(registry.requestsFor(path).map((r) => r.init.headers?.Range)).toEqual([undefined, 'bytes=1000-']);
  });

  it('arms the poll timer on start and skips ticks that are not due', async () => {
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const { svc, timers } = service(freshDbName(), registry);
    await svc.start();
    expect(timers).toHaveLength(1);
    expect(await svc.handleMessage({ type: 'check-for-updates', reason: 'tick' })).toMatchObject({
      ok: true,
      serial: 1,
    });
    expect(await svc.handleMessage({ type: 'check-for-updates', reason: 'tick' })).toMatchObject({ skipped: true });
    await svc.periodicSync();
    expect(registry.requestsFor('manifest.json')).toHaveLength(1);
  });

  it('a fresh install does not poll before a page configured it; a configured one resumes polling', async () => {
    const dbName = freshDbName();
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const fresh = service(dbName, registry);
    await fresh.svc.resume();
    expect(fresh.svc.scheduler).toBeNull();
    expect(fresh.timers).toHaveLength(0);
    await fresh.svc.handleMessage({ type: 'configure', registryUrl: registry.base, pollIntervalMs: 1000 });
    const restarted = service(dbName, registry);
    await restarted.svc.resume();
    expect(restarted.svc.scheduler?.intervalMs).toBe(1000);
    expect(restarted.timers).toHaveLength(1);
  });

  it('a configured registry is in force for a poll that fires before the settings are saved', async () => {
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const other = 'https://cdn.test/hotlens/models/';
    const asked: string[] = [];
    const { svc, timers } = service(freshDbName(), registry, {
      defaultRegistryUrl: 'https://default.test/models/',
      fetch: async (url, init) => {
        asked.push(url);
        return registry.fetch(url.replace(other, registry.base), init);
      },
    });
    const configuring = svc.handleMessage({ type: 'configure', registryUrl: other });
    await new Promise((r) => setTimeout(r, 0));
    // The timer armed at start fires while the settings are still being written.
    timers.at(-1)?.fn();
    await configuring;
    await new Promise((r) => setTimeout(r, 50));
    expect(asked.every((u) => u.startsWith(other))).toBe(true);
  });
});
