/**
 * @file Version policy: stable, canary at 0%/100% and by bucket (stable across reloads via
 * the install id persisted in IndexedDB), pins that hold across a published update, bad
 * versions skipped (per sha256), fallbacks, and which blobs eviction must keep.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { canaryBucket } from '../../../src/models/common/canary-bucket.ts';
import {
  emptyControl,
  markBad,
  promote,
  setCandidate,
  setPin,
  type ControlState,
} from '../../../src/models/common/model-state.ts';
import { needsSwap, planVersions, referencedBlobs } from '../../../src/models/common/version-policy.ts';
import { blobBytes, freshDbName, freshStore, makeManifest, nodeSha256 } from '../../helpers/model-fixtures.ts';

const ID = 'face-detector';
const b1 = blobBytes(1, 64);
const b2 = blobBytes(2, 64);
const b3 = blobBytes(3, 64);
const ref = (version: string, bytes: Uint8Array) => ({ version, sha256: nodeSha256(bytes) });
const r1 = ref('1.0.0', b1);
const r2 = ref('2.0.0', b2);
const r3 = ref('3.0.0', b3);

const stableOnly = makeManifest(1, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } });
const withCanary = (percent: number) =>
  makeManifest(2, {
    [ID]: { stable: '1.0.0', canary: { version: '2.0.0', percent }, versions: { '1.0.0': b1, '2.0.0': b2 } },
  });

const plan = (
  manifest: ReturnType<typeof makeManifest> | undefined,
  control: ControlState = emptyControl(),
  installId = 'install-a',
) => planVersions({ manifest, installId, control })[ID]!;

describe('version policy', () => {
  it('follows stable when there is no canary', () => {
    expect(plan(stableOnly)).toMatchObject({ channel: 'stable', target: r1, note: null });
  });

  it('canary at 0% reaches nobody and at 100% everybody', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `id-${i}`);
    expect(ids.every((id) => plan(withCanary(0), emptyControl(), id).channel === 'stable')).toBe(true);
    expect(ids.every((id) => plan(withCanary(100), emptyControl(), id).target?.version === '2.0.0')).toBe(true);
    expect(ids.every((id) => plan(withCanary(100), emptyControl(), id).channel === 'canary')).toBe(true);
  });

  it('puts a client in the canary exactly when its bucket is below the percent', () => {
    for (let i = 0; i < 200; i++) {
      const id = `id-${i}`;
      const p = plan(withCanary(30), emptyControl(), id);
      expect(p.bucket).toBe(canaryBucket(id, ID));
      expect(p.channel).toBe(p.bucket < 30 ? 'canary' : 'stable');
    }
  });

  it('keeps a client in (or out of) the canary across reloads', async () => {
    const dbName = freshDbName();
    const decisions: string[] = [];
    for (let reload = 0; reload < 3; reload++) {
      const store = freshStore({ dbName }); // a new page load opens the same database
      const installId = await store.getInstallId();
      decisions.push(`${installId}:${plan(withCanary(50), emptyControl(), installId).channel}`);
    }
    expect(new Set(decisions).size).toBe(1);
  });

  it('holds a pin across a published update, and follows stable again after unpinning', () => {
    let control = setPin(promote(emptyControl(), ID, r1), ID, '1.0.0');
    const next = makeManifest(3, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } });
    expect(plan(next, control)).toMatchObject({ channel: 'pinned', target: r1 });
    control = setPin(control, ID, null);
    expect(plan(next, control)).toMatchObject({ channel: 'stable', target: r2 });
  });

  it('holds a pin on a version the registry dropped while it is still cached', () => {
    const control = setPin(promote(promote(emptyControl(), ID, r1), ID, r2), ID, '1.0.0');
    const next = makeManifest(4, { [ID]: { stable: '3.0.0', versions: { '3.0.0': b3 } } });
    expect(plan(next, control)).toMatchObject({ channel: 'pinned', target: r1 });
  });

  it('keeps the active version when the pinned one is unknown, and says why', () => {
    const control = setPin(promote(emptyControl(), ID, r1), ID, '7.0.0');
    const p = plan(withCanary(100), control);
    expect(p).toMatchObject({ channel: 'pinned', target: r1 });
    expect(p.note).toMatch(/pinned 7\.0\.0 is not available/);
  });

  it('skips a bad canary and follows stable', () => {
    const control = markBad(emptyControl(), { id: ID, ...r2, stage: 'probed', reason: 'probe mismatch', time: 1 });
    const p = plan(withCanary(100), control);
    expect(p).toMatchObject({ channel: 'stable', target: r1 });
    expect(p.note).toMatch(/canary 2\.0\.0 is marked bad \(probed: probe mismatch\)/);
  });

  it('keeps the active version when stable is bad, then the previous, then nothing', () => {
    const manifest = makeManifest(5, {
      [ID]: { stable: '3.0.0', versions: { '1.0.0': b1, '2.0.0': b2, '3.0.0': b3 } },
    });
    let control = promote(promote(emptyControl(), ID, r1), ID, r2);
    control = markBad(control, { id: ID, ...r3, stage: 'runtime', reason: 'NaN', time: 1 });
    expect(plan(manifest, control).target).toEqual(r2);
    control = markBad(control, { id: ID, ...r2, stage: 'runtime', reason: 'NaN', time: 2 });
    expect(plan(manifest, control).target).toEqual(r1);
    control = markBad(control, { id: ID, ...r1, stage: 'runtime', reason: 'NaN', time: 3 });
    const p = plan(manifest, control);
    expect(p.target).toBeNull();
    expect(p.note).toMatch(/no other version may run/);
  });

  it('tries a bad version again once it is republished with a different sha256', () => {
    const control = markBad(promote(emptyControl(), ID, r1), {
      id: ID,
      ...r2,
      stage: 'verifying',
      reason: 'sha mismatch',
      time: 1,
    });
    const republished = makeManifest(6, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b3 } } });
    expect(plan(republished, control).target).toEqual({ version: '2.0.0', sha256: nodeSha256(b3) });
  });

  it('lets an explicit pin override a manual rollback mark but never a failed check', () => {
    const manifest = makeManifest(7, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } });
    const base = promote(promote(emptyControl(), ID, r2), ID, r1);
    const manual = markBad(base, { id: ID, ...r2, stage: 'manual', reason: 'rolled back by user', time: 1 });
    expect(plan(manifest, manual).target).toEqual(r1); // not re-upgraded automatically
    expect(plan(manifest, setPin(manual, ID, '2.0.0'))).toMatchObject({ channel: 'pinned', target: r2 });
    const probed = markBad(base, { id: ID, ...r2, stage: 'probed', reason: 'wrong output', time: 1 });
    const p = plan(manifest, setPin(probed, ID, '2.0.0'));
    expect(p).toMatchObject({ channel: 'pinned', target: r1 });
    expect(p.note).toMatch(/pinned 2\.0\.0 is marked bad/);
  });

  it('keeps serving a model that left the manifest, and works with no manifest at all', () => {
    const control = promote(emptyControl(), 'old-model', r1);
    const plans = planVersions({ manifest: stableOnly, installId: 'x', control });
    expect(plans['old-model']).toMatchObject({ channel: 'stable', target: r1 });
    expect(plans['old-model']!.note).toMatch(/not in the manifest/);
    expect(planVersions({ manifest: undefined, installId: 'x', control })['old-model']!.target).toEqual(r1);
  });

  it('lists active, previous, candidate and planned blobs as referenced', () => {
    let control = promote(promote(emptyControl(), ID, r1), ID, r2);
    control = setCandidate(control, ID, r3);
    const planned = { version: '4.0.0', sha256: '4'.repeat(64) };
    const refs = referencedBlobs(control, {
      x: { id: 'x', channel: 'stable', target: planned, bucket: 0, note: null },
    });
    expect([...refs].sort()).toEqual([r1.sha256, r2.sha256, r3.sha256, planned.sha256].sort());
  });

  it('needsSwap is true only when the target differs from the active content', () => {
    const control = promote(emptyControl(), ID, r1);
    const p1 = plan(stableOnly, control);
    expect(needsSwap(p1, control.models[ID]!)).toBe(false);
    expect(needsSwap(plan(withCanary(100), control), control.models[ID]!)).toBe(true);
  });
});
