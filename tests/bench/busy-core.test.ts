/**
 * @file The bench's busy core is bounded whatever happens: the loop ends itself at its deadline,
 * stop() kills it at once, and a phase that throws still has it killed by withBusyCore. It uses
 * a core while it runs (Linux /proc shows its CPU time).
 */
import { describe, expect, it } from 'vitest';
import { BusyCore, cpuSeconds, withBusyCore } from '../../bench/lib/busy-core.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('busy core', () => {
  it('spins until stopped, then is gone', async () => {
    const busy = BusyCore.start(30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(busy.running).toBe(true);
    const report = await busy.stop();
    expect(busy.running).toBe(false);
    expect(alive(report.pid!)).toBe(false);
    expect(report.ended_early).toBe(false);
    expect(report.ran_ms).toBeGreaterThanOrEqual(1400);
    // It burned CPU (how much of a core depends on how loaded the machine is).
    if (process.platform === 'linux') expect(report.cpu_share).toBeGreaterThan(0.05);
    expect(await busy.stop()).toMatchObject({ pid: report.pid });
  });

  it('ends on its own at its time bound', async () => {
    const busy = BusyCore.start(300);
    await expect.poll(() => busy.running, { timeout: 10_000 }).toBe(false);
    const report = await busy.stop();
    expect(report.ended_early).toBe(true);
    expect(report.exit).toBe('code 0');
  });

  it('is killed when the work it accompanies throws', async () => {
    let pid: number | undefined;
    await expect(
      withBusyCore(60_000, async (busy) => {
        pid = (busy as unknown as { child: { pid: number } }).child.pid;
        throw new Error('phase failed');
      }),
    ).rejects.toThrow('phase failed');
    expect(pid).toBeDefined();
    expect(alive(pid!)).toBe(false);
  });

  it('refuses an unbounded run', () => {
    for (const ms of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 * 60 * 60_000])
      expect(() => BusyCore.start(ms)).toThrow(/positive time bound/);
  });

  it('reads a process’s CPU seconds from /proc (null when it cannot)', () => {
    if (process.platform === 'linux') expect(cpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(cpuSeconds(2 ** 30)).toBeNull();
  });
});
