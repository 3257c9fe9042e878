/**
 * @file BufferPool: a buffer given back is taken again for the same size (the pool keeps a few
 * per size and a bounded total), detached buffers are ignored, and the pool empties when
 * nothing has been taken for a while.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferPool, POOL_MAX_BYTES, POOL_MAX_PER_SIZE } from '../../../src/inference/worker/buffer-pool.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('BufferPool', () => {
  it('hands a buffer given back out again for the same size or a smaller one, and allocates for others', () => {
    const pool = new BufferPool();
    const a = pool.take(1024);
    expect(a.byteLength).toBe(1024);
    expect(pool.reused).toBe(0);
    a[0] = 7;
    pool.give(a.buffer);
    expect(pool.size).toBe(1024);
    expect(pool.take(2048).buffer).not.toBe(a.buffer); // too small
    expect(pool.take(400).buffer).not.toBe(a.buffer); // more than twice as large: kept for its size
    const again = pool.take(1024);
    expect(again.buffer).toBe(a.buffer);
    expect(again[0]).toBe(7); // old contents: the taker overwrites them
    expect(pool.reused).toBe(1);
    expect(pool.size).toBe(0);
    expect(pool.take(1024).buffer).not.toBe(a.buffer); // taken once only

    // A smaller photo after a larger one: a view on the start of the larger buffer, the best fit.
    pool.give(new ArrayBuffer(4000));
    pool.give(a.buffer);
    const smaller = pool.take(900);
    expect(smaller.buffer).toBe(a.buffer);
    expect([smaller.byteOffset, smaller.length]).toEqual([0, 900]);
    expect(pool.size).toBe(4000);
  });

  it('keeps a few buffers per size, each once, and never more bytes than its cap', () => {
    const pool = new BufferPool();
    const buffers = Array.from({ length: POOL_MAX_PER_SIZE + 2 }, () => new ArrayBuffer(64));
    for (const b of buffers) pool.give(b);
    pool.give(buffers.at(-1)!); // given twice: kept once
    expect(pool.size).toBe(64 * POOL_MAX_PER_SIZE);
    // The newest are kept.
    const kept = Array.from({ length: POOL_MAX_PER_SIZE }, () => pool.take(64).buffer);
    expect(kept).toEqual(buffers.slice(-POOL_MAX_PER_SIZE));

    const big = POOL_MAX_BYTES / 2 + 16;
    const first = new ArrayBuffer(big);
    pool.give(first);
    pool.give(new ArrayBuffer(big - 8)); // over the cap together: the older size goes
    expect(pool.size).toBe(big - 8);
    expect(pool.take(big).buffer).not.toBe(first);
    pool.give(new ArrayBuffer(POOL_MAX_BYTES + 1)); // larger than the whole pool
    expect(pool.size).toBe(big - 8);
  });

  it('ignores a buffer transferred away (detached)', () => {
    const pool = new BufferPool();
    const b = new ArrayBuffer(256);
    structuredClone(b, { transfer: [b] });
    expect(b.byteLength).toBe(0);
    pool.give(b);
    expect(pool.size).toBe(0);
  });

  it('lets its buffers go when nothing was taken for a while', () => {
    vi.useFakeTimers();
    const pool = new BufferPool(5000);
    pool.give(new ArrayBuffer(128));
    vi.advanceTimersByTime(4000);
    pool.take(16); // a take keeps the pool alive (this one allocates)
    vi.advanceTimersByTime(4000);
    expect(pool.size).toBe(128);
    vi.advanceTimersByTime(1001);
    expect(pool.size).toBe(0);
  });
});
