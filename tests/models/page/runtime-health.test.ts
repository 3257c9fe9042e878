/**
 * @file Runtime health after a flip: K consecutive failures (thrown runs or non-finite
 * outputs) trip exactly once, a success resets the count, and the rollback it triggers
 * returns to the previous version from the cache and marks the failing one bad.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../../src/shared/tensor.ts';
import { commitRollback, commitServing } from '../../../src/models/common/control-actions.ts';
import { findNonFinite } from '../../../src/models/page/non-finite.ts';
import { DEFAULT_FAILURE_THRESHOLD, RuntimeHealth } from '../../../src/models/page/runtime-health.ts';
import { planVersions } from '../../../src/models/common/version-policy.ts';
import { blobBytes, freshStore, makeManifest, nodeSha256 } from '../../helpers/model-fixtures.ts';

const scores = (values: number[]): Record<string, TensorData> => ({
  scores: { type: 'float32', dims: [values.length], data: new Float32Array(values) },
});

describe('RuntimeHealth', () => {
  it(`defaults to ${DEFAULT_FAILURE_THRESHOLD} consecutive failures and trips once`, () => {
    const h = new RuntimeHealth();
    expect(h.failure('e1')).toEqual({ rollback: false });
    expect(h.failure('e2')).toEqual({ rollback: false });
    const verdict = h.failure('Session already started');
    expect(verdict.rollback).toBe(true);
    expect(verdict.rollback && verdict.reason).toMatch(/3 consecutive failures.*Session already started/);
    expect(h.tripped).toBe(true);
    expect(h.failure('e4')).toEqual({ rollback: false });
    h.reset();
    expect(h.tripped).toBe(false);
    expect(h.consecutiveFailures).toBe(0);
  });

  it('resets the count on a healthy run, so sporadic failures never roll back', () => {
    const h = new RuntimeHealth(3);
    for (let i = 0; i < 20; i++) {
      expect(h.failure('blip').rollback).toBe(false);
      expect(h.failure('blip').rollback).toBe(false);
      expect(h.success(scores([0.5])).rollback).toBe(false);
    }
    expect(h.consecutiveFailures).toBe(0);
  });

  it('counts NaN or infinite outputs as failures', () => {
    const h = new RuntimeHealth(2);
    expect(h.success(scores([0.1, Number.NaN])).rollback).toBe(false);
    const v = h.success(scores([Number.POSITIVE_INFINITY]));
    expect(v.rollback && v.reason).toMatch(/non-finite output: output "scores" has Infinity at index 0/);
  });

  it('finds non-finite values only in float outputs', () => {
    expect(findNonFinite(scores([0, 1, -3.5]))).toBeNull();
    expect(findNonFinite(scores([0, Number.NEGATIVE_INFINITY]))).toBe('output "scores" has -Infinity at index 1');
    expect(findNonFinite({ ids: { type: 'int32', dims: [1], data: new Int32Array([7]) } })).toBeNull();
  });

  it('rejects a nonsensical threshold', () => {
    expect(() => new RuntimeHealth(0)).toThrow(RangeError);
  });

  it('drives an automatic rollback to the cached previous version and marks the bad one', async () => {
    const ID = 'face-detector';
    const b1 = blobBytes(1, 64);
    const b2 = blobBytes(2, 64);
    const v1 = { version: '1.0.0', sha256: nodeSha256(b1) };
    const v2 = { version: '2.0.0', sha256: nodeSha256(b2) };
    const store = freshStore();
    await commitServing(store, { id: ID, ...v1 });
    await commitServing(store, { id: ID, ...v2 });

    const h = new RuntimeHealth();
    let verdict = h.success(scores([0.9]));
    for (let i = 0; i < 3; i++) verdict = h.success(scores([Number.NaN]));
    expect(verdict.rollback).toBe(true);
    if (!verdict.rollback) return;
    const r = await commitRollback(store, ID, 'runtime', verdict.reason, 42);
    expect(r).toMatchObject({ from: v2, to: v1 });
    const control = await store.getControl();
    expect(control.models[ID]).toMatchObject({ active: v1, previous: v2 });
    expect(control.bad).toEqual([expect.objectContaining({ id: ID, ...v2, stage: 'runtime', time: 42 })]);
    // The registry still says stable = 2.0.0, but this client stays on 1.0.0.
    const manifest = makeManifest(9, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } });
    expect(planVersions({ manifest, installId: 'i', control })[ID]!.target).toEqual(v1);
  });
});
