/**
 * @file The page's model manager against the real cache (fake-indexeddb), a fake registry and
 * a fake worker pool: start-up from the registry and offline from the cache, the staged swap
 * on model-ready (and waiting for the service worker's download), rejection and no retry,
 * transient failures retried later (a crashed host, a probe image that cannot be had), proven
 * versions not probed again at start-up, manual and automatic (K=3) rollback without network, pins,
 * and the storage status (full, or unavailable with swaps that no longer wait for a download).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ModelManager, type ManagerDeps } from '../../../src/models/page/model-manager.ts';
import type { ManagerEvent } from '../../../src/models/page/manager-types.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import type { ModelStore } from '../../../src/models/cache/model-store.ts';
import { createModelStore } from '../../../src/models/cache/idb-model-store.ts';
import { fallbackKvBackend, idbKvBackend } from '../../../src/models/cache/kv-backend.ts';
import { ModelRuntimeError, ProbeAssetError, WorkerCrashedError } from '../../../src/shared/errors.ts';
import { MAX_LOG_REASON_CHARS } from '../../../src/shared/update-messages.ts';
import {
  FakeRegistry,
  freshDbName,
  freshStore,
  nodeSha256,
  RecordingChannel,
  withByteQuota,
  PAGE_SWAP_OK,
} from '../../helpers/model-fixtures.ts';
import { BYTES, FakePool, pipelineManifest, versionsOf } from '../../helpers/pipeline-fixtures.ts';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import type { Feature } from '../../../src/shared/feature.ts';
import { constantDetector } from '../../helpers/onnx-fixtures.ts';

const ALL_1 = ['face-attributes@1.0.0', 'face-detector@1.0.0', 'face-expression@1.0.0'];
const WITH_2 = ['face-attributes@1.0.0', 'face-detector@2.0.0', 'face-expression@1.0.0'];

interface Setup {
  manager: ModelManager;
  pool: FakePool;
  store: ModelStore;
  registry: FakeRegistry;
  channel: RecordingChannel;
  events: ManagerEvent[];
  timers: Array<() => void>;
  clock: { wall: number };
}

function setup(
  options: { store?: ModelStore; registry?: FakeRegistry; updater?: boolean; features?: readonly Feature[] } = {},
): Setup {
  const registry = options.registry ?? new FakeRegistry();
  const store = options.store ?? freshStore();
  const pool = new FakePool({ store, tasks: TASKS });
  const channel = new RecordingChannel();
  const events: ManagerEvent[] = [];
  const timers: Array<() => void> = [];
  const clock = { wall: 1_000_000 };
  const deps: ManagerDeps = {
    store,
    pool,
    features: options.features ?? FEATURES,
    tasks: TASKS,
    channel,
    registryUrl: registry.base,
    fetch: registry.fetch,
    hasUpdater: () => options.updater ?? false,
    onEvent: (e) => events.push(e),
    clock: { now: () => clock.wall, monotonic: () => clock.wall },
    setTimer: (fn) => timers.push(fn),
  };
  return { manager: new ModelManager(deps), pool, store, registry, channel, events, timers, clock };
}

async function storeBlob(store: ModelStore, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  await store.putBlob(await verifyBlob(bytes, { sha256: nodeSha256(bytes), bytes: bytes.byteLength }));
}

function publishV1(registry: FakeRegistry) {
  registry.publish(pipelineManifest(1, { stable: '1.0.0', versions: { '1.0.0': BYTES.detector1 } }));
}

/** Publishes 2.0.0 as stable and makes the manager see it (as the service worker's check would). */
async function publishV2(s: Setup, extra: Record<string, Uint8Array> = {}, stable = '2.0.0') {
  const old = (await s.store.getManifest())!;
  const serial = old.manifest.serial + 1;
  const manifest = pipelineManifest(serial, {
    stable,
    versions: { '1.0.0': BYTES.detector1, '2.0.0': BYTES.detector2, ...extra },
  });
  await s.store.putManifest({ ...old, manifest });
  s.manager.handleMessage({ type: 'manifest-accepted', serial, changed: true });
  await s.manager.idle();
}

const stagesOf = (s: Setup, sha256: string) =>
  s.events
    .flatMap((e) => (e.type === 'log' ? e.records : []))
    .filter((r) => r.sha256 === sha256)
    .map((r) => `${r.stage}:${r.outcome}`);

describe('ModelManager start-up', () => {
  it('first visit: fetches the manifest, probes and warms the stable versions, records them as active', async () => {
    const s = setup();
    publishV1(s.registry);
    const info = await s.manager.start(['faces']);
    expect(Object.keys(info.models).sort()).toEqual(['face-attributes', 'face-detector', 'face-expression']);
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    expect(s.pool.events).toEqual([
      'stage 1',
      'probe 1 face-detector',
      'probe 1 face-attributes',
      'probe 1 face-expression',
      'warm 1',
      'flip 1',
    ]);
    const control = await s.store.getControl();
    expect(control.models['face-detector']?.active).toEqual({ version: '1.0.0', sha256: nodeSha256(BYTES.detector1) });
    expect((await s.store.getManifest())?.registryUrl).toBe(s.registry.base);
    await s.manager.idle();
    const state = await s.manager.state();
    expect(state.serving['face-detector']?.version).toBe('1.0.0');
    expect(state.stages['face-detector']?.stage).toBe('idle');
  });

  it('a later start needs no network: the stored manifest and the cached active versions', async () => {
    const store = freshStore();
    const first = setup({ store });
    publishV1(first.registry);
    await first.manager.start(['faces']);
    const offline = new FakeRegistry();
    offline.overrides.set('manifest.json', () => {
      throw new TypeError('network down');
    });
    const again = setup({ store, registry: offline });
    await again.manager.start(['faces']);
    expect(versionsOf(again.pool.current)).toEqual(ALL_1);
    expect(offline.requests).toEqual([]);
  });

  it('a version that fails its probe at start-up is marked bad and the next choice starts', async () => {
    const store = freshStore();
    const first = setup({ store });
    publishV1(first.registry);
    await first.manager.start(['faces']);
    // 2.0.0 arrived while no tab was open (cached, planned), but it fails its probe here.
    const manifest = pipelineManifest(2, {
      stable: '2.0.0',
      versions: { '1.0.0': BYTES.detector1, '2.0.0': BYTES.detector2 },
    });
    await store.putManifest({ ...(await store.getManifest())!, manifest });
    await storeBlob(store, BYTES.detector2);
    const s = setup({ store, registry: first.registry });
    s.pool.probeProblems.set(nodeSha256(BYTES.detector2), ['scores[0] is 0.1, expected 0.9']);
    await s.manager.start(['faces']);
    expect(s.pool.spawned.map(versionsOf)).toEqual([WITH_2, ALL_1]);
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    expect(s.pool.spawned[0]!.released).toBe(true);
    expect((await store.getControl()).bad).toMatchObject([{ version: '2.0.0', stage: 'probed' }]);
  });

  it('fails with a clear error when there is no manifest and no network', async () => {
    const registry = new FakeRegistry();
    registry.overrides.set('manifest.json', () => {
      throw new TypeError('network down');
    });
    const s = setup({ registry });
    await expect(s.manager.start(['faces'])).rejects.toMatchObject({
      name: 'ModelLoadError',
      message: expect.stringContaining('the model manifest'),
    });
    expect(s.pool.spawned).toEqual([]);
  });
});

describe('ModelManager hot swap', () => {
  it('keeps storage work off each stage: a swap log is stored in one write, stage moves are shown without reading storage', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    const calls = { appendLog: 0, getManifest: 0 };
    const { appendLog, getManifest } = s.store;
    s.store.appendLog = (...r) => (calls.appendLog++, appendLog.apply(s.store, r));
    s.store.getManifest = () => (calls.getManifest++, getManifest.apply(s.store));
    const stateEvents = s.events.filter((e) => e.type === 'state').length;
    await publishV2(s);
    const sha2 = nodeSha256(BYTES.detector2);
    expect(stagesOf(s, sha2)).toEqual(PAGE_SWAP_OK);
    // Every stage was shown as it happened…
    const states = s.events.slice(stateEvents).filter((e) => e.type === 'state');
    const shown = states.map((e) => (e.type === 'state' ? e.state.stages['face-detector']?.stage : undefined));
    expect(shown).toEqual(expect.arrayContaining(['compiling', 'probed', 'serving', 'draining']));
    // …and the seven records went to storage in one write. The manifest was read for the
    // manifest change, the flip and the end, not for every state shown (each stage move once
    // re-read it: a published state per read).
    expect((await s.store.getLog()).filter((r) => r.sha256 === sha2)).toHaveLength(7);
    expect(calls.appendLog).toBe(1);
    expect(calls.getManifest).toBeLessThan(states.length / 1.5);
  });

  it('swaps a published version in stages, flips, drains and releases the old worker, and promotes it', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    await publishV2(s);
    const sha2 = nodeSha256(BYTES.detector2);
    expect(versionsOf(s.pool.current)).toEqual(WITH_2);
    expect(s.pool.events.slice(6)).toEqual([
      'stage 2',
      'probe 2 face-detector',
      'warm 2',
      'flip 2',
      'drain r1',
      'release r1',
    ]);
    expect(stagesOf(s, sha2)).toEqual(PAGE_SWAP_OK);
    const control = await s.store.getControl();
    expect(control.models['face-detector']).toMatchObject({
      active: { version: '2.0.0' },
      previous: { version: '1.0.0' },
    });
    expect(s.channel.ofType('model-serving')).toMatchObject([{ id: 'face-detector', version: '2.0.0' }]);
    expect((await s.store.getLog()).filter((r) => r.sha256 === sha2)).toHaveLength(7);
    expect(s.events.filter((e) => e.type === 'serving')).toHaveLength(2);
  });

  it('with a service worker, waits until the blob is stored (model-ready) before swapping', async () => {
    const s = setup({ updater: true });
    publishV1(s.registry);
    await s.manager.start(['faces']);
    await publishV2(s);
    expect(s.pool.spawned).toHaveLength(1);
    await storeBlob(s.store, BYTES.detector2);
    s.manager.handleMessage({
      type: 'model-ready',
      id: 'face-detector',
      version: '2.0.0',
      sha256: nodeSha256(BYTES.detector2),
    });
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(WITH_2);
  });

  it('shows the service worker’s stages and download progress for the model being fetched', async () => {
    const s = setup({ updater: true });
    publishV1(s.registry);
    await s.manager.start(['faces']);
    const ref2 = { id: 'face-detector', version: '2.0.0', sha256: nodeSha256(BYTES.detector2) };
    s.manager.handleMessage({ type: 'model-found', ...ref2, channel: 'stable', bytes: 2500 });
    expect((await s.manager.state()).stages['face-detector']).toMatchObject({ stage: 'found', version: '2.0.0' });
    s.manager.handleMessage({ type: 'model-progress', ...ref2, loaded: 1000, total: 2500 });
    expect((await s.manager.state()).stages['face-detector']).toMatchObject({
      stage: 'downloading',
      progress: { loaded: 1000, total: 2500 },
    });
    s.manager.handleMessage({
      type: 'log',
      record: { time: 1, model: 'face-detector', ...ref2, stage: 'stored', outcome: 'ok', durationMs: 3, source: 'sw' },
    });
    expect((await s.manager.state()).stages['face-detector']).toMatchObject({ stage: 'stored', progress: null });
    expect(s.events.some((e) => e.type === 'log' && e.records[0]?.stage === 'stored')).toBe(true);
  });

  it('reports an unreachable registry until it answers again', async () => {
    const s = setup({ updater: true });
    publishV1(s.registry);
    await s.manager.start(['faces']);
    s.manager.handleMessage({ type: 'registry-unavailable', reason: 'could not fetch manifest.json (offline)' });
    expect((await s.manager.state()).registryProblem).toBe('could not fetch manifest.json (offline)');
    s.manager.handleMessage({ type: 'manifest-accepted', serial: 1, changed: false });
    expect((await s.manager.state()).registryProblem).toBeNull();
  });

  it('rejects a candidate that fails its probe: the old worker keeps serving and the bytes are not retried', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    const sha2 = nodeSha256(BYTES.detector2);
    s.pool.probeProblems.set(sha2, ['output "scores"[0] is 0.1, expected 0.9 ± 0.001']);
    await publishV2(s);
    expect(s.pool.routes['face-detector']!.set).toBe(1);
    expect(s.pool.spawned[1]!.released).toBe(true);
    expect(stagesOf(s, sha2)).toEqual(['compat-checked:ok', 'compiling:ok', 'probed:rejected']);
    expect(s.channel.ofType('model-rejected')).toMatchObject([{ version: '2.0.0', stage: 'probed' }]);
    const state = await s.manager.state();
    expect(state.stages['face-detector']).toMatchObject({ stage: 'rejected', version: '2.0.0' });
    s.manager.handleMessage({ type: 'manifest-accepted', serial: 2, changed: false });
    await s.manager.idle();
    expect(s.pool.spawned).toHaveLength(2);
  });

  it('rejects an incompatible signature before any worker is started', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    const manifest = pipelineManifest(2, {
      stable: '2.0.0',
      versions: { '1.0.0': BYTES.detector1, '2.0.0': BYTES.detector2 },
    });
    manifest.models['face-detector']!.versions['2.0.0']!.outputs = [{ name: 'boxes', type: 'float32', dims: ['n', 4] }];
    await s.store.putManifest({ ...(await s.store.getManifest())!, manifest });
    s.manager.reconcile();
    await s.manager.idle();
    expect(s.pool.spawned).toHaveLength(1);
    expect(stagesOf(s, nodeSha256(BYTES.detector2))).toEqual(['compat-checked:rejected']);
  });

  it('rejects a stored file whose own signature does not fit, before any worker is started', async () => {
    const s = setup({ updater: true });
    publishV1(s.registry);
    await s.manager.start(['faces']);
    // The manifest declares a fitting detector; the file has a one-channel input.
    const file = new Uint8Array(
      constantDetector({ size: 416, boxes: [[0, 0, 1, 1]], scores: [1], inputDims: [1, 1, 416, 416] }),
    );
    const manifest = pipelineManifest(2, { stable: '2.0.0', versions: { '1.0.0': BYTES.detector1, '2.0.0': file } });
    await s.store.putManifest({ ...(await s.store.getManifest())!, manifest });
    await storeBlob(s.store, file);
    s.manager.reconcile();
    await s.manager.idle();
    expect(s.pool.spawned).toHaveLength(1);
    const sha = nodeSha256(file);
    expect(stagesOf(s, sha)).toEqual(['compat-checked:rejected']);
    expect((await s.manager.state()).stages['face-detector']?.reason).toMatch(
      /the model file: input "image" \(image\) dimension 1 is 1, expected 3/,
    );
    expect((await s.store.getControl()).bad).toEqual([
      expect.objectContaining({ sha256: sha, stage: 'compat-checked' }),
    ]);
  });

  it('a crashed standby is a transient failure: logged, not condemned, retried after a backoff', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    s.pool.spawnErrors.push(new WorkerCrashedError('out of memory'));
    await publishV2(s);
    const sha2 = nodeSha256(BYTES.detector2);
    expect(stagesOf(s, sha2)).toEqual(['compat-checked:ok', 'compiling:failed']);
    expect((await s.store.getControl()).bad).toEqual([]);
    expect(s.timers).toHaveLength(1);
    s.clock.wall += 120_000;
    s.timers[0]!();
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(WITH_2);
  });

  it('a probe image that cannot be had is a transient failure: failed at probed, not condemned, retried', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    const sha2 = nodeSha256(BYTES.detector2);
    s.pool.probeErrors.set(sha2, new ProbeAssetError('probe/face-detection.png', 'sha256 mismatch: got 00…'));
    await publishV2(s);
    expect(stagesOf(s, sha2)).toEqual(['compat-checked:ok', 'compiling:ok', 'probed:failed']);
    const failed = (await s.store.getLog()).find((r) => r.sha256 === sha2 && r.stage === 'probed');
    expect(failed?.reason).toMatch(/probe image probe\/face-detection\.png could not be used/);
    expect((await s.store.getControl()).bad).toEqual([]);
    expect(s.channel.ofType('model-rejected')).toEqual([]);
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    expect(s.pool.spawned[1]!.released).toBe(true);
    // Backoff: not before its time, then again once the image is right.
    expect(s.timers).toHaveLength(1);
    s.manager.reconcile();
    await s.manager.idle();
    expect(s.pool.spawned).toHaveLength(2);
    s.pool.probeErrors.clear();
    s.clock.wall += 120_000;
    s.timers[0]!();
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(WITH_2);
    expect(stagesOf(s, sha2).slice(3)).toContain('serving:ok');
  });
});

describe('ModelManager probe images and proven versions', () => {
  const sha1 = nodeSha256(BYTES.detector1);

  it('a probe image that cannot be had fails the start with ProbeAssetError and condemns nothing; a retry serves', async () => {
    const store = freshStore();
    const s = setup({ store });
    publishV1(s.registry);
    s.pool.probeErrors.set(sha1, new ProbeAssetError('probe/face-detection.png', 'HTTP 404'));
    await expect(s.manager.start(['faces'])).rejects.toMatchObject({
      name: 'ProbeAssetError',
      message: expect.stringContaining('probe/face-detection.png'),
    });
    expect(s.pool.spawned).toHaveLength(1);
    expect(s.pool.spawned[0]!.released).toBe(true);
    const control = await store.getControl();
    expect(control.bad).toEqual([]);
    expect(control.models['face-detector']?.active ?? null).toBeNull();
    expect((await store.getLog()).filter((r) => r.outcome === 'rejected')).toEqual([]);

    const retry = setup({ store, registry: s.registry });
    await retry.manager.start(['faces']);
    expect(versionsOf(retry.pool.current)).toEqual(ALL_1);
  });

  it('remembers which content passed its probe on which runtime; a later start skips those probes, keeps the warm-up', async () => {
    const store = freshStore();
    const first = setup({ store });
    publishV1(first.registry);
    await first.manager.start(['faces']);
    expect((await store.getControl()).proven).toEqual(
      ['face-detector', 'face-attributes', 'face-expression'].map((id) => ({
        id,
        sha256: expect.any(String),
        runtime: 'fake-runtime 1.0 wasm',
        time: first.clock.wall,
      })),
    );

    // Proven here: no probe (so no probe image is needed), but still warmed before it serves.
    const again = setup({ store, registry: first.registry });
    again.pool.probeErrors.set(sha1, new ProbeAssetError('probe/face-detection.png', 'offline'));
    await again.manager.start(['faces']);
    expect(again.pool.events).toEqual(['stage 1', 'warm 1', 'flip 1']);

    // Another runtime (an app update brought a new onnxruntime-web, or another backend): probed again.
    const updated = setup({ store, registry: first.registry });
    updated.pool.runtime = 'fake-runtime 2.0 wasm';
    await updated.manager.start(['faces']);
    expect(updated.pool.events.filter((e) => e.startsWith('probe'))).toHaveLength(3);
  });

  it('a version that passes its probe in a swap is remembered as proven', async () => {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    await publishV2(s);
    const sha2 = nodeSha256(BYTES.detector2);
    expect((await s.store.getControl()).proven).toContainEqual(
      expect.objectContaining({ id: 'face-detector', sha256: sha2, runtime: 'fake-runtime 1.0 wasm' }),
    );
  });
});

describe('ModelManager rollback, pins and health', () => {
  async function onV2(): Promise<Setup> {
    const s = setup();
    publishV1(s.registry);
    await s.manager.start(['faces']);
    await publishV2(s);
    return s;
  }

  it('rolls back by hand to the previous version without network and keeps it from re-upgrading', async () => {
    const s = await onV2();
    const requests = s.registry.requests.length;
    const result = await s.manager.rollback('face-detector');
    expect(result.to.version).toBe('1.0.0');
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    expect(s.registry.requests).toHaveLength(requests);
    const log = await s.store.getLog();
    expect(log.at(-1)).toMatchObject({
      outcome: 'rolled-back',
      version: '2.0.0',
      reason: expect.stringMatching(/^manual/),
    });
    s.manager.handleMessage({ type: 'manifest-accepted', serial: 2, changed: false });
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    await expect(s.manager.rollback('face-attributes')).rejects.toMatchObject({ name: 'NoRollbackTarget' });
  });

  it('logs and broadcasts a long rollback reason cut to MAX_LOG_REASON_CHARS', async () => {
    const s = await onV2();
    await s.manager.rollback('face-detector', 'runtime', `\u202e${'e'.repeat(2_000_000)}`);
    const row = (await s.store.getLog()).at(-1)!;
    expect(row).toMatchObject({
      outcome: 'rolled-back',
      reason: expect.stringMatching(/^runtime rollback to 1\.0\.0: e+…$/),
    });
    expect(row.reason!.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);
    const sent = s.channel.ofType('log').at(-1)!.record;
    expect(sent.reason).toBe(row.reason);
    const shown = s.events.filter((e) => e.type === 'log').at(-1);
    expect(shown?.type === 'log' && shown.records[0]!.reason).toBe(row.reason);
  });

  it('rolls back automatically after 3 consecutive failures of the model flipped last, and marks it bad', async () => {
    const s = await onV2();
    const fail = (id: string, version: string) =>
      s.manager.reportRun({ ok: false, error: new ModelRuntimeError(id, version, 'non-finite output') });
    fail('face-detector', '2.0.0');
    fail('face-detector', '2.0.0');
    s.manager.reportRun({ ok: true });
    fail('face-detector', '2.0.0');
    fail('face-attributes', '1.0.0'); // another model's failure does not condemn the new detector
    fail('face-detector', '2.0.0');
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(WITH_2);
    fail('face-detector', '2.0.0');
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    const control = await s.store.getControl();
    expect(control.bad).toMatchObject([{ version: '2.0.0', stage: 'runtime' }]);
    expect((await s.store.getLog()).at(-1)?.reason).toMatch(/^runtime rollback to 1\.0\.0: 3 consecutive failures/);
  });

  it('a pin moves to a cached version and holds across a published update; unpinning follows stable again', async () => {
    const s = await onV2();
    await s.manager.pin('face-detector', '1.0.0');
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    await publishV2(s, { '3.0.0': BYTES.detector3 }, '3.0.0');
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    expect((await s.manager.state()).plans['face-detector']?.channel).toBe('pinned');
    await s.manager.pin('face-detector', null);
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual([
      'face-attributes@1.0.0',
      'face-detector@3.0.0',
      'face-expression@1.0.0',
    ]);
  });
});

describe('ModelManager storage status', () => {
  const ref2 = { model: 'face-detector', version: '2.0.0', sha256: nodeSha256(BYTES.detector2) };
  const storedRecord = (outcome: 'ok' | 'failed', reason?: string) => ({
    type: 'log' as const,
    record: { time: 1, ...ref2, stage: 'stored' as const, outcome, durationMs: 3, source: 'sw' as const, reason },
  });

  it('is full after the service worker could not store a version, and ok again once one is stored', async () => {
    const s = setup({ updater: true });
    publishV1(s.registry);
    await s.manager.start(['faces']);
    expect((await s.manager.state()).storage).toEqual({ state: 'ok' });
    s.manager.handleMessage(
      storedRecord(
        'failed',
        'browser storage is full: model blob abc… (5.8 MB) does not fit, even after removing 0 unused model versions; ' +
          'free space for this site in the browser settings, then choose Check now',
      ),
    );
    expect((await s.manager.state()).storage).toEqual({
      state: 'full',
      reason:
        'face-detector 2.0.0 could not be saved: browser storage is full: model blob abc… (5.8 MB) does not fit, ' +
        'even after removing 0 unused model versions',
    });
    expect((await s.manager.state()).serving['face-detector']?.version).toBe('1.0.0');
    s.manager.handleMessage(storedRecord('ok'));
    expect((await s.manager.state()).storage).toEqual({ state: 'ok' });
  });

  it('starts and serves on a disk with no room left at all, and says storage is full', async () => {
    const store = createModelStore({ backend: withByteQuota(idbKvBackend(freshDbName()), 0) });
    const s = setup({ store });
    publishV1(s.registry);
    const info = await s.manager.start(['faces']);
    expect(Object.keys(info.models)).toHaveLength(3);
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    await s.manager.idle();
    const state = await s.manager.state();
    expect(state.serving['face-detector']?.version).toBe('1.0.0');
    expect(state.storage).toMatchObject({ state: 'full', reason: expect.stringMatching(/^browser storage is full: /) });
    const started = s.events.flatMap((e) => (e.type === 'log' ? e.records : []));
    expect(started.map((r) => r.reason)).toEqual(
      Array(3).fill(expect.stringMatching(/^loaded at start-up; not recorded as active: browser storage is full/)),
    );
  });

  it('is unavailable when IndexedDB is refused, and then swaps without waiting for a service worker download', async () => {
    const denied = () =>
      Promise.reject(new DOMException('The user denied permission to access the database.', 'UnknownError'));
    const store = createModelStore({
      backend: fallbackKvBackend(() => ({ get: denied, set: denied, update: denied, del: denied, keys: denied })),
    });
    const s = setup({ store, updater: true });
    publishV1(s.registry);
    await s.manager.start(['faces']);
    expect((await s.manager.state()).storage).toEqual({
      state: 'unavailable',
      reason: 'IndexedDB cannot be opened (UnknownError: The user denied permission to access the database.)',
    });
    await publishV2(s);
    expect(versionsOf(s.pool.current)).toEqual(WITH_2);
  });
});

describe('ModelManager features', () => {
  /** A second feature using its own detector model (the fixture detector under another id). */
  const extra = {
    ...FEATURES[0]!,
    id: 'extra',
    label: 'Extra',
    models: { detector: { id: 'extra-detector', task: 'face-detection' } },
  } as Feature;

  function publishWithExtra(registry: FakeRegistry) {
    const manifest = pipelineManifest(1, { stable: '1.0.0', versions: { '1.0.0': BYTES.detector1 } });
    manifest.models['extra-detector'] = structuredClone(manifest.models['face-detector']!);
    registry.publish(manifest);
  }

  it('loads only the models of the enabled features, loads a feature turned on and retires one turned off', async () => {
    const s = setup({ features: [...FEATURES, extra] });
    publishWithExtra(s.registry);
    await s.manager.start(['faces']);
    expect(versionsOf(s.pool.current)).toEqual(ALL_1);
    expect((await s.manager.state()).stages['extra-detector']?.stage).toBe('idle');

    await s.manager.setFeatures(['faces', 'extra']);
    expect(versionsOf(s.pool.current)).toEqual([...ALL_1, 'extra-detector@1.0.0'].sort());
    // The new model was staged alone: the serving face models were not touched.
    expect(s.pool.spawned.map((h) => Object.keys(h.models))).toEqual([
      ['face-detector', 'face-attributes', 'face-expression'],
      ['extra-detector'],
    ]);
    expect((await s.store.getControl()).models['extra-detector']?.active?.version).toBe('1.0.0');

    await s.manager.setFeatures(['extra']);
    expect(versionsOf(s.pool.current)).toEqual(['extra-detector@1.0.0']);
    expect(s.pool.events.slice(-3)).toEqual([
      'retire face-detector,face-attributes,face-expression',
      'drain retired-face-detector,face-attributes,face-expression',
      'release retired-face-detector,face-attributes,face-expression',
    ]);
    expect(s.manager.features).toEqual(['extra']);
  });
});
