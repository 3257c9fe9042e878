/**
 * @file Update-log writes: outside a swap each record is stored at once, in order; records made
 * while a swap holds the log reach storage in one write when the hold ends; writes keep their
 * order and a failed write does not stop the next.
 */
import { describe, expect, it } from 'vitest';
import { LogWrites } from '../../../src/models/page/log-writes.ts';
import type { UpdateLogRecord } from '../../../src/shared/update-messages.ts';

const rec = (stage: UpdateLogRecord['stage'], time: number): UpdateLogRecord => ({
  time,
  model: 'face-detector',
  version: '1.0.1',
  sha256: 'a'.repeat(64),
  stage,
  outcome: 'ok',
  durationMs: 1,
  source: 'page',
});

const recording = () => {
  const writes: string[][] = [];
  const log = new LogWrites(async (...r) => void writes.push(r.map((x) => x.stage)));
  return { writes, log };
};

describe('LogWrites', () => {
  it('writes each record at once when nothing holds the log', async () => {
    const { writes, log } = recording();
    log.add([rec('found', 1)]);
    log.add([rec('stored', 2)]);
    await log.flush();
    expect(writes).toEqual([['found'], ['stored']]);
  });

  it('stores the records made during a hold in one write when it ends, in order', async () => {
    const { writes, log } = recording();
    log.hold();
    log.add([rec('compat-checked', 1)]);
    log.add([rec('compiling', 2), rec('probed', 3)]);
    log.add([rec('serving', 4)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writes).toEqual([]);
    await log.release();
    expect(writes).toEqual([['compat-checked', 'compiling', 'probed', 'serving']]);
    log.add([rec('released', 5)]);
    await log.flush();
    expect(writes).toEqual([['compat-checked', 'compiling', 'probed', 'serving'], ['released']]);
  });

  it('waits for the outer hold when holds nest (a rollback around its swap)', async () => {
    const { writes, log } = recording();
    log.hold();
    log.hold();
    log.add([rec('serving', 1)]);
    await log.release();
    expect(writes).toEqual([]);
    await log.release();
    expect(writes).toEqual([['serving']]);
  });

  it('keeps writes in order and goes on after a failed one', async () => {
    const writes: string[] = [];
    let fail = true;
    const log = new LogWrites(async (...r) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) {
        fail = false;
        throw new Error('QuotaExceededError');
      }
      writes.push(...r.map((x) => x.stage));
    });
    log.add([rec('compiling', 1)]);
    log.add([rec('probed', 2)]);
    await log.flush();
    expect(writes).toEqual(['probed']);
  });
});
