/**
 * @file The update log's row keys: each stays with its record when newer records arrive (so
 * React keeps the rows it has instead of rebuilding all of them), and identical records still
 * get distinct keys.
 */
import { describe, expect, it } from 'vitest';
import { rowKeys } from '../../src/app/Models/log-row-keys.ts';
import type { UpdateLogRecord } from '../../src/shared/update-messages.ts';

const rec = (
  time: number,
  stage: UpdateLogRecord['stage'],
  model = 'face-detector',
  outcome: UpdateLogRecord['outcome'] = 'ok',
): UpdateLogRecord => ({
  time,
  model,
  version: '1.0.1',
  sha256: 'a'.repeat(64),
  stage,
  outcome,
  durationMs: 1,
  source: 'page',
});

describe('rowKeys', () => {
  it('gives a record the same key when newer records are added', () => {
    const old = [rec(1, 'compiling'), rec(2, 'probed')];
    const before = rowKeys(old);
    const after = rowKeys([...old, rec(3, 'serving'), rec(4, 'released')]);
    expect(after.slice(0, 2)).toEqual(before);
  });

  it('tells identical records apart, and records of different models made at the same time', () => {
    const failed = rec(5, 'compiling', 'face-detector', 'failed');
    const keys = rowKeys([failed, { ...failed }, rec(5, 'serving', 'face-attributes'), rec(5, 'serving')]);
    expect(new Set(keys).size).toBe(4);
  });
});
