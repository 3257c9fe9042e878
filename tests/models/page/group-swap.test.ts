/**
 * @file The model manager with a group (manifest-groups.ts): a generation published as one
 * group is staged as ONE set, each member probed, warmed together and flipped in ONE step (so
 * no analysis sees half of it), logged per member; one rollback of any member returns the whole
 * set; a member that fails its probe keeps the whole group out and alone is marked bad; runtime
 * failures of a member roll the group back and mark only that member. Real cache
 * (fake-indexeddb), fake registry, fake engine pool (pipeline-fixtures.ts).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import type { ModelStore } from '../../../src/models/cache/model-store.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import type { ManagerEvent } from '../../../src/models/page/manager-types.ts';
import { ModelManager } from '../../../src/models/page/model-manager.ts';
import { ModelRuntimeError } from '../../../src/shared/errors.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { FakeRegistry, freshStore, nodeSha256, RecordingChannel } from '../../helpers/model-fixtures.ts';
import { BYTES, FakePool, GEN2, GENERATION, groupManifest, versionsOf } from '../../helpers/pipeline-fixtures.ts';

interface Setup {
  manager: ModelManager;
  pool: FakePool;
  store: ModelStore;
  channel: RecordingChannel;
  events: ManagerEvent[];
}

async function onGeneration1(): Promise<Setup> {
  const registry = new FakeRegistry();
  registry.publish(groupManifest(1, { stable: 1 }));
  const store = freshStore();
  const pool = new FakePool({ store, tasks: TASKS });
  const channel = new RecordingChannel();
  const events: ManagerEvent[] = [];
  let wall = 1_000_000;
  const manager = new ModelManager({
    store,
    pool,
    features: FEATURES,
    tasks: TASKS,
    channel,
    registryUrl: registry.base,
    fetch: registry.fetch,
    hasUpdater: () => true,
    onEvent: (e) => events.push(e),
    clock: { now: () => wall++, monotonic: () => wall },
    setTimer: () => undefined,
  });
  for (const bytes of [BYTES.detector1, BYTES.attributes1, BYTES.expression1]) await storeBlob(store, bytes);
  await manager.start(['faces']);
  expect(versionsOf(pool.current)).toEqual(GENERATION[1]);
  return { manager, pool, store, channel, events };
}

async function storeBlob(store: ModelStore, bytes: Uint8Array): Promise<void> {
  const copy = new Uint8Array(bytes);
  await store.putBlob(await verifyBlob(copy, { sha256: nodeSha256(copy), bytes: copy.byteLength }));
}

/** Publishes a manifest as the service worker would accept it (stored + announced). */
async function accept(s: Setup, manifest: Manifest): Promise<void> {
  const old = (await s.store.getManifest())!;
  await s.store.putManifest({ ...old, manifest });
  s.manager.handleMessage({ type: 'manifest-accepted', serial: manifest.serial, changed: true });
  await s.manager.idle();
}

const GEN2_BYTES = [BYTES.detector3, BYTES.attributes2, BYTES.expression2];
const logOf = (s: Setup) => s.events.flatMap((e) => (e.type === 'log' ? e.records : []));

describe('a group swaps as one set', () => {
  it('waits for every member’s download, then stages, probes, warms and flips them together', async () => {
    const s = await onGeneration1();
    const before = s.pool.events.length;
    await storeBlob(s.store, BYTES.detector3); // the service worker has stored one member so far
    await accept(s, groupManifest(2, { stable: 2 }));
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[1]);
    for (const bytes of GEN2_BYTES) await storeBlob(s.store, bytes);
    s.manager.handleMessage({
      type: 'model-ready',
      id: 'face-expression',
      version: GEN2.expression,
      sha256: nodeSha256(BYTES.expression2),
    });
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[2]);
    expect(s.pool.events.slice(before)).toEqual([
      'stage 2',
      'probe 2 face-attributes',
      'probe 2 face-detector',
      'probe 2 face-expression',
      'warm 2',
      'flip 2',
      'drain r1',
      'release r1',
    ]);
    // Each member's log reads as a full swap; the flip is one moment for all three.
    for (const bytes of GEN2_BYTES) {
      const mine = logOf(s).filter((r) => r.sha256 === nodeSha256(bytes));
      expect(mine.map((r) => `${r.stage}:${r.outcome}`)).toEqual([
        'compat-checked:ok',
        'compiling:ok',
        'probed:ok',
        'warmed:ok',
        'serving:ok',
        'draining:ok',
        'released:ok',
      ]);
    }
    const flips = new Set(
      logOf(s)
        .filter((r) => r.stage === 'serving' && r.outcome === 'ok' && r.source === 'worker')
        .map((r) => r.time),
    );
    expect(flips.size).toBe(1);
    const control = await s.store.getControl();
    expect(
      Object.values(control.models)
        .map((m) => `${m.id} ${m.previous?.version}→${m.active?.version}`)
        .sort(),
    ).toEqual(['face-attributes 1.0.0→2.0.0', 'face-detector 1.0.0→3.0.0', 'face-expression 1.0.0→2.0.0']);
  });

  it('rolls the whole group back with one action, from the cache, and does not re-upgrade', async () => {
    const s = await onGeneration1();
    for (const bytes of GEN2_BYTES) await storeBlob(s.store, bytes);
    await accept(s, groupManifest(2, { stable: 2 }));
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[2]);
    const before = s.pool.spawned.length;
    const result = await s.manager.rollback('face-attributes');
    expect(result.to.version).toBe('1.0.0');
    expect(
      Object.fromEntries(Object.entries(result.group!).map(([id, r]) => [id, `${r.from.version}→${r.to.version}`])),
    ).toEqual({
      'face-attributes': '2.0.0→1.0.0',
      'face-detector': '3.0.0→1.0.0',
      'face-expression': '2.0.0→1.0.0',
    });
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[1]);
    expect(s.pool.spawned).toHaveLength(before + 1); // one staged set for the three
    expect(
      s.channel
        .ofType('model-rolled-back')
        .map((m) => m.id)
        .sort(),
    ).toEqual(['face-attributes', 'face-detector', 'face-expression']);
    await accept(s, groupManifest(3, { stable: 2 }));
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[1]);
  });

  it('a member that fails its probe keeps the group out; only that member is marked bad', async () => {
    const s = await onGeneration1();
    for (const bytes of GEN2_BYTES) await storeBlob(s.store, bytes);
    s.pool.probeProblems.set(nodeSha256(BYTES.attributes2), ['age is 12, expected 30']);
    await accept(s, groupManifest(2, { stable: 2 }));
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[1]);
    const bad = (await s.store.getControl()).bad.map((b) => `${b.id} ${b.version} ${b.stage}`);
    expect(bad).toEqual(['face-attributes 2.0.0 probed']);
    const rejected = logOf(s).filter((r) => r.outcome === 'rejected');
    expect(rejected.map((r) => r.model).sort()).toEqual(['face-attributes', 'face-detector', 'face-expression']);
    expect(rejected[0]!.reason).toMatch(/face-attributes 2\.0\.0: age is 12, expected 30/);
    // Nothing retries the group while a member is bad.
    const spawned = s.pool.spawned.length;
    s.manager.reconcile();
    await s.manager.idle();
    expect(s.pool.spawned).toHaveLength(spawned);
  });

  it('runtime failures of one member roll the group back and mark only that member', async () => {
    const s = await onGeneration1();
    for (const bytes of GEN2_BYTES) await storeBlob(s.store, bytes);
    await accept(s, groupManifest(2, { stable: 2 }));
    for (let i = 0; i < 3; i++)
      s.manager.reportRun({
        ok: false,
        error: new ModelRuntimeError('face-expression', GEN2.expression, 'non-finite output'),
      });
    await s.manager.idle();
    expect(versionsOf(s.pool.current)).toEqual(GENERATION[1]);
    const bad = (await s.store.getControl()).bad.map((b) => `${b.id} ${b.version} ${b.stage}`);
    expect(bad).toEqual(['face-expression 2.0.0 runtime']);
  });
});
