/**
 * @file Control-state transitions: promote keeps two generations and is idempotent (every
 * tab's worker applies the same flip), rollback swaps active/previous and marks the version
 * left, bad entries are per sha256 and bounded.
 */
import { describe, expect, it } from 'vitest';
import {
  emptyControl,
  findBad,
  markBad,
  MAX_BAD_ENTRIES,
  promote,
  rollback,
  rollbackTarget,
  setCandidate,
  setPin,
} from '../../../src/models/common/model-state.ts';

const v1 = { version: '1.0.0', sha256: '1'.repeat(64) };
const v2 = { version: '2.0.0', sha256: '2'.repeat(64) };
const v3 = { version: '3.0.0', sha256: '3'.repeat(64) };
const ID = 'face-detector';

describe('model state', () => {
  it('promote keeps at most two generations and clears the matching candidate', () => {
    let c = promote(emptyControl(), ID, v1);
    c = setCandidate(c, ID, v2);
    c = promote(c, ID, v2);
    expect(c.models[ID]).toEqual({ id: ID, active: v2, previous: v1, candidate: null });
    c = promote(c, ID, v3);
    expect(c.models[ID]).toEqual({ id: ID, active: v3, previous: v2, candidate: null });
  });

  it('promote is idempotent (a second tab applying the same flip changes nothing)', () => {
    const once = promote(promote(emptyControl(), ID, v1), ID, v2);
    const twice = promote(once, ID, v2);
    expect(twice.models[ID]).toEqual(once.models[ID]);
  });

  it('runtime rollback swaps active/previous and marks the failing content bad', () => {
    const c = promote(promote(emptyControl(), ID, v1), ID, v2);
    const r = rollback(c, ID, { kind: 'runtime', reason: '3 failures', time: 7 });
    expect(r.from).toEqual(v2);
    expect(r.to).toEqual(v1);
    expect(r.control.models[ID]).toMatchObject({ active: v1, previous: v2 });
    expect(findBad(r.control.bad, ID, v2.sha256)).toMatchObject({ stage: 'runtime', reason: '3 failures', time: 7 });
    // The failed version is no rollback target.
    expect(rollbackTarget(r.control, ID)).toBeNull();
    expect(() => rollback(r.control, ID, { kind: 'manual', reason: 'x', time: 8 })).toThrow(/marked bad/);
  });

  it('manual rollback can be undone by rolling back again, and drops a pin on the version left', () => {
    let c = setPin(promote(promote(emptyControl(), ID, v1), ID, v2), ID, '2.0.0');
    const r1 = rollback(c, ID, { kind: 'manual', reason: 'user', time: 1 });
    expect(r1.control.pins[ID]).toBeUndefined();
    expect(findBad(r1.control.bad, ID, v2.sha256)?.stage).toBe('manual');
    c = r1.control;
    expect(rollbackTarget(c, ID)).toEqual(v2);
    const r2 = rollback(c, ID, { kind: 'manual', reason: 'user again', time: 2 });
    expect(r2.control.models[ID]).toMatchObject({ active: v2, previous: v1 });
    expect(findBad(r2.control.bad, ID, v2.sha256)).toBeUndefined();
    expect(findBad(r2.control.bad, ID, v1.sha256)?.stage).toBe('manual');
  });

  it('refuses a rollback without a previous version', () => {
    expect(() => rollback(emptyControl(), ID, { kind: 'manual', reason: 'x', time: 0 })).toThrow(/nothing is active/);
    expect(() => rollback(promote(emptyControl(), ID, v1), ID, { kind: 'manual', reason: 'x', time: 0 })).toThrow(
      expect.objectContaining({ name: 'NoRollbackTarget' }),
    );
  });

  it('keys bad entries by sha256, replaces duplicates and keeps the newest ones', () => {
    let c = markBad(emptyControl(), { id: ID, ...v2, stage: 'probed', reason: 'a', time: 1 });
    c = markBad(c, { id: ID, ...v2, stage: 'verifying', reason: 'b', time: 2 });
    expect(c.bad).toHaveLength(1);
    expect(findBad(c.bad, ID, v2.sha256)?.reason).toBe('b');
    expect(findBad(c.bad, ID, 'f'.repeat(64))).toBeUndefined();
    for (let i = 0; i < MAX_BAD_ENTRIES + 5; i++) {
      c = markBad(c, {
        id: ID,
        version: '9.9.9',
        sha256: i.toString(16).padStart(64, '0'),
        stage: 'probed',
        reason: '',
        time: i,
      });
    }
    expect(c.bad).toHaveLength(MAX_BAD_ENTRIES);
    expect(c.bad.at(-1)!.time).toBe(MAX_BAD_ENTRIES + 4);
  });
});
