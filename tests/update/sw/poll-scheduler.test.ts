/**
 * @file Poll scheduling with an injected clock, timers and randomness: due times with
 * jitter, ticks that only run when due, user checks that always run (after an in-flight one),
 * focus checks with a minimum gap, interval changes, failures, and restarts that remember the
 * last check.
 */
import { describe, expect, it } from 'vitest';
import type { CheckReason, CheckSummary } from '../../../src/shared/update-messages.ts';
import {
  clampInterval,
  DEFAULT_POLL_INTERVAL_MS,
  PollScheduler,
  POLL_INTERVAL_BOUNDS,
} from '../../../src/update/sw/poll-scheduler.ts';

const summary = (serial: number): CheckSummary => ({ ok: true, serial, changed: false, ready: [], rejected: [] });

/** Manual time and timers. */
function harness(
  opts: {
    random?: () => number;
    lastCheckAt?: number;
    intervalMs?: number;
    check?: (r: CheckReason) => Promise<CheckSummary>;
  } = {},
) {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const reasons: CheckReason[] = [];
  const scheduler = new PollScheduler({
    intervalMs: opts.intervalMs,
    lastCheckAt: opts.lastCheckAt,
    now: () => now,
    random: opts.random ?? (() => 0.5),
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id) => void timers.delete(id as number),
    check:
      opts.check ??
      (async (r) => {
        reasons.push(r);
        return summary(reasons.length);
      }),
  });
  /** Advances time, firing due timers in order. */
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      timers.delete(next[0]);
      now = Math.max(now, next[1].at);
      next[1].fn();
      await new Promise((r) => setTimeout(r, 0));
    }
    now = until;
  };
  return { scheduler, reasons, advance, timers, getNow: () => now };
}

describe('PollScheduler', () => {
  it('checks at start when it never checked, then every interval ±jitter', async () => {
    const h = harness({ random: () => 0.5 });
    h.scheduler.start();
    await h.advance(0);
    expect(h.reasons).toEqual(['timer']);
    await h.advance(DEFAULT_POLL_INTERVAL_MS - 1);
    expect(h.reasons).toHaveLength(1);
    await h.advance(1);
    expect(h.reasons).toHaveLength(2);
  });

  it('spreads the next poll over interval·[0.8, 1.2] with the random draw', () => {
    const lo = harness({ random: () => 0, lastCheckAt: 0, intervalMs: 10_000 });
    const hi = harness({ random: () => 0.999999, lastCheckAt: 0, intervalMs: 10_000 });
    expect(lo.scheduler.nextDueAt).toBe(8000);
    expect(hi.scheduler.nextDueAt).toBeCloseTo(12_000, 0);
    // With real randomness, 1000 clients land all over the window instead of together.
    const dues = Array.from(
      { length: 1000 },
      () => new PollScheduler({ check: async () => summary(0), lastCheckAt: 0, intervalMs: 10_000 }).nextDueAt,
    );
    expect(Math.min(...dues)).toBeGreaterThanOrEqual(8000);
    expect(Math.max(...dues)).toBeLessThanOrEqual(12_000);
    expect(new Set(dues.map((d) => Math.floor(d / 400))).size).toBe(10);
  });

  it('remembers the last check across a service-worker restart', async () => {
    const h = harness({ lastCheckAt: 1_000_000 - 30_000, random: () => 0.5 });
    expect(await h.scheduler.request('tick')).toMatchObject({ skipped: true });
    h.scheduler.start();
    await h.advance(29_999);
    expect(h.reasons).toEqual([]);
    await h.advance(1);
    expect(h.reasons).toEqual(['timer']);
  });

  it('runs ticks only when due', async () => {
    const h = harness({ lastCheckAt: 1_000_000, random: () => 0.5, intervalMs: 1000 });
    expect((await h.scheduler.request('tick')).skipped).toBe(true);
    await h.advance(999);
    expect((await h.scheduler.request('tick')).skipped).toBe(true);
    await h.advance(1);
    expect(await h.scheduler.request('tick')).toEqual(summary(1));
    expect(h.reasons).toEqual(['tick']);
  });

  it('always runs user checks, once more after an in-flight check, coalescing repeats', async () => {
    let release: () => void = () => {};
    const reasons: CheckReason[] = [];
    const h = harness({
      lastCheckAt: 1_000_000,
      check: (r) => {
        reasons.push(r);
        return new Promise((resolve) => (release = () => resolve(summary(reasons.length))));
      },
    });
    const first = h.scheduler.request('user');
    const second = h.scheduler.request('user');
    const third = h.scheduler.request('user');
    expect(second).toBe(third);
    release();
    expect(await first).toEqual(summary(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(reasons).toEqual(['user', 'user']);
    release();
    expect(await second).toEqual(summary(2));
  });

  it('shares an in-flight check with ticks and focus requests', async () => {
    let release: () => void = () => {};
    let calls = 0;
    const h = harness({
      check: () => {
        calls++;
        return new Promise((resolve) => (release = () => resolve(summary(calls))));
      },
    });
    const a = h.scheduler.request('focus');
    const b = h.scheduler.request('tick');
    expect(b).toBe(a);
    release();
    await a;
    expect(calls).toBe(1);
  });

  it('skips focus checks right after a check', async () => {
    const h = harness({ lastCheckAt: 1_000_000 - 5_000 });
    expect((await h.scheduler.request('focus')).skipped).toBe(true);
    await h.advance(5_000);
    expect((await h.scheduler.request('focus')).skipped).toBeUndefined();
    expect(h.reasons).toEqual(['focus']);
  });

  it('clamps and applies a new interval from the last check', async () => {
    expect(clampInterval(10)).toBe(POLL_INTERVAL_BOUNDS.min);
    expect(clampInterval(Number.POSITIVE_INFINITY)).toBe(DEFAULT_POLL_INTERVAL_MS);
    expect(clampInterval(1e12)).toBe(POLL_INTERVAL_BOUNDS.max);
    const h = harness({ lastCheckAt: 1_000_000, random: () => 0.5 });
    h.scheduler.start();
    h.scheduler.setIntervalMs(1000);
    expect(h.scheduler.intervalMs).toBe(1000);
    await h.advance(1000);
    expect(h.reasons).toEqual(['timer']);
    await h.advance(1000);
    expect(h.reasons).toEqual(['timer', 'timer']);
  });

  it('turns a failing check into a failed summary and keeps polling', async () => {
    let n = 0;
    const h = harness({
      intervalMs: 1000,
      check: async () => {
        n++;
        if (n === 1) throw new Error('IndexedDB unavailable');
        return summary(5);
      },
    });
    expect(await h.scheduler.request('user')).toMatchObject({ ok: false, error: 'IndexedDB unavailable' });
    h.scheduler.start();
    await h.advance(1000);
    expect(n).toBe(2);
  });

  it('stop disarms the timer', async () => {
    const h = harness();
    h.scheduler.start();
    h.scheduler.stop();
    await h.advance(10 * DEFAULT_POLL_INTERVAL_MS);
    expect(h.reasons).toEqual([]);
  });
});
