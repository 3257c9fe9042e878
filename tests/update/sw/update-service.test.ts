/**
 * @file The service worker's update service as sw.ts wires it, run in Node with the real
 * cache: page messages (check, configure, SKIP_WAITING, junk), settings that hold for one visit
 * (not stored, restored to the defaults by a visit without them, followed again after a
 * restart from the page's next check), the poll floor of a deployed origin, polling started on
 * demand, and the download stall timeout a page sets.
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
    // The build's allowlist: the CDN some tests point the service at.
    allowedRegistryOrigins: ['https://cdn.test'],
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

  it('follows a page’s settings for its visit only: a visit without overrides, or a restart, restores the defaults', async () => {
    const dbName = freshDbName();
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const other = 'https://cdn.test/hotlens/models/';
    const asked: string[] = [];
    const lastManifest = () => asked.filter((u) => u.endsWith('manifest.json')).at(-1);
    const fetch: UpdateServiceDeps['fetch'] = async (url, init) => {
      asked.push(url);
      return registry.fetch(url.replace(other, registry.base), init);
    };
    const defaults = { registryUrl: registry.base, pollIntervalMs: 60_000, stallTimeoutMs: 30_000 };
    const first = service(dbName, registry, { fetch });
    const visit = { registryUrl: other, pollIntervalMs: 45_000, stallTimeoutMs: 5000 };
    expect(await first.svc.handleMessage({ type: 'configure', ...visit })).toEqual({ ok: true, settings: visit });
    expect(first.svc.scheduler?.intervalMs).toBe(45_000);
    await first.svc.handleMessage({ type: 'check-for-updates', reason: 'user' });
    expect(lastManifest()).toBe(`${other}manifest.json`);

    // The next visit names nothing: every default is back.
    expect(await first.svc.handleMessage({ type: 'configure' })).toEqual({ ok: true, settings: defaults });
    expect(first.svc.scheduler?.intervalMs).toBe(60_000);
    await first.svc.handleMessage({ type: 'check-for-updates', reason: 'user' });
    expect(lastManifest()).toBe(`${registry.base}manifest.json`);

    // Nothing of a visit is stored: a restarted worker starts from the defaults …
    await first.svc.handleMessage({ type: 'configure', ...visit });
    expect(await freshStore({ dbName }).getSettings()).toEqual({ configured: true });
    const restarted = service(dbName, registry, { fetch });
    await restarted.svc.resume();
    expect(restarted.svc.settings).toEqual(defaults);
    expect(restarted.svc.scheduler?.intervalMs).toBe(60_000);
    // … until the open page's next check, which carries its visit's settings.
    await restarted.svc.handleMessage({ type: 'check-for-updates', reason: 'user', settings: visit });
    expect(restarted.svc.settings).toEqual(visit);
    expect(restarted.svc.scheduler?.intervalMs).toBe(45_000);
    expect(lastManifest()).toBe(`${other}manifest.json`);
  });

  it('a registry the build does not allow is not followed: the default one is', async () => {
    const registry = new FakeRegistry();
    registry.publish(makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': b1 } } }), [b1]);
    const asked: string[] = [];
    const { svc } = service(freshDbName(), registry, {
      fetch: async (url, init) => {
        asked.push(url);
        return registry.fetch(url, init);
      },
    });
    for (const registryUrl of ['https://evil.test/models/', 'https://cdn.test.evil.test/', 'javascript:alert(1)']) {
      expect(await svc.handleMessage({ type: 'configure', registryUrl })).toMatchObject({
        settings: { registryUrl: registry.base },
      });
    }
    await svc.handleMessage({
      type: 'check-for-updates',
      reason: 'user',
      settings: { registryUrl: 'https://evil.test/models/' },
    });
    expect(asked[0]).toBe(`${registry.base}manifest.json`);
    expect(asked.every((u) => u.startsWith(registry.base))).toBe(true);
    expect(svc.settings.registryUrl).toBe(registry.base);
  });

  it('a link cannot poll a deployed origin more often than every 30 s; a loopback one keeps the 500 ms test floor', async () => {
    const registry = new FakeRegistry();
    const deployed = service(freshDbName(), registry);
    expect(await deployed.svc.handleMessage({ type: 'configure', pollIntervalMs: 1 })).toMatchObject({
      settings: { pollIntervalMs: 30_000 },
    });
    expect(deployed.svc.scheduler?.intervalMs).toBe(30_000);
    const local = service(freshDbName(), registry, { defaultRegistryUrl: 'http://127.0.0.1:4173/models/' });
    expect(await local.svc.handleMessage({ type: 'configure', pollIntervalMs: 1 })).toMatchObject({
      settings: { pollIntervalMs: 500 },
    });
    expect(local.svc.scheduler?.intervalMs).toBe(500);
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
      settings: { registryUrl: registry.base, pollIntervalMs: 60_000, stallTimeoutMs: 600 },
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
    await fresh.svc.handleMessage({ type: 'configure', registryUrl: registry.base, pollIntervalMs: 45_000 });
    const restarted = service(dbName, registry);
    await restarted.svc.resume();
    // Polling resumes, at the default interval: the page's value held for its visit only.
    expect(restarted.svc.scheduler?.intervalMs).toBe(60_000);
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
