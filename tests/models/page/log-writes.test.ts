/**
 * @file Batched update-log writes: records queued during a swap reach storage in one write when
 * it flushes, or after LOG_WRITE_DELAY_MS with no flush; writes keep their order and a failed
 * write does not stop the next.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOG_WRITE_DELAY_MS, LogWrites } from '../../../src/models/page/log-writes.ts';
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

afterEach(() => {
  vi.useRealTimers();
});

describe('LogWrites', () => {
  it('stores the records queued before a flush in one write, in order', async () => {
    const writes: string[][] = [];
    const log = new LogWrites(async (...r) => void writes.push(r.map((x) => x.stage)));
    log.add([rec('compat-checked', 1)]);
    log.add([rec('compiling', 2), rec('probed', 3)]);
    log.add([rec('serving', 4)]);
    expect(writes).toEqual([]);
    await log.flush();
    expect(writes).toEqual([['compat-checked', 'compiling', 'probed', 'serving']]);
    await log.flush();
    expect(writes).toHaveLength(1);
  });

  it('writes on its own after the delay when nothing flushes', async () => {
    vi.useFakeTimers();
    const writes: number[] = [];
    const log = new LogWrites(async (...r) => void writes.push(r.length));
    log.add([rec('found', 1), rec('stored', 2)]);
    await vi.advanceTimersByTimeAsync(LOG_WRITE_DELAY_MS - 1);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([2]);
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
    void log.flush();
    log.add([rec('probed', 2)]);
    await log.flush();
    expect(writes).toEqual(['probed']);
  });
});
