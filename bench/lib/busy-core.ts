/**
 * @file One core kept busy by a background process, like a laptop with another app open: a
 * `node -e` busy loop started and stopped by the bench itself. It is bounded three times over:
 * the loop ends on its own at its deadline, the bench SIGKILLs it a second later if it has not,
 * and stop() (called from a `finally`) or the bench's own exit kills it at once. Its CPU time
 * (/proc) shows how much of a core it really got on a shared machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { statCpuSeconds } from './thread-cpu.ts';

/** What the busy process did, for results.json. */
export interface BusyCoreReport {
  how: string;
  pid: number | null;
  /** Wall time it ran (start → stop or its own end), ms. */
  ran_ms: number;
  /** CPU time it used ÷ wall time: 1.0 = a whole core; less when the machine was busier still. */
  cpu_share: number | null;
  /** True when it ended (deadline, crash) before stop() was called: the phase outlived it. */
  ended_early: boolean;
  exit: string | null;
}

/** The longest a busy core may be asked to run (30 min): a bench run is shorter. */
export const MAX_BOUND_MS = 30 * 60_000;

/** The loop: spins until its deadline, checking the clock (no timers, no I/O, ~100% of one core). */
const LOOP = 'const end = Date.now() + Number(process.argv[1]); let n = 0; while (Date.now() < end) n++;';

/** Seconds of CPU (user + system) a process used so far; null when unreadable (not Linux, gone). */
export function cpuSeconds(pid: number): number | null {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** A running busy core. */
export class BusyCore {
  private readonly started = Date.now();
  private endedAt: number | null = null;
  private exit: string | null = null;
  private lastCpu: number | null = null;
  private readonly killTimer: NodeJS.Timeout;
  private readonly cpuTimer: NodeJS.Timeout;
  private readonly onExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    private readonly maxMs: number,
  ) {
    child.once('exit', (code, signal) => {
      this.endedAt ??= Date.now();
      this.exit = signal ?? `code ${code}`;
      clearTimeout(this.killTimer);
      clearInterval(this.cpuTimer);
      process.off('exit', this.onExit);
    });
    // The loop ends itself at maxMs; this is the backstop if it did not.
    this.killTimer = setTimeout(() => child.kill('SIGKILL'), maxMs + 1000);
    this.killTimer.unref();
    // Read while it lives: a process that ended on its own has no /proc entry to read.
    this.cpuTimer = setInterval(() => this.cpuShare(), 1000);
    this.cpuTimer.unref();
    process.once('exit', this.onExit);
  }

  /** Starts the loop for at most `maxMs` (it is gone by maxMs + 1 s whatever happens). */
  static start(maxMs: number): BusyCore {
    if (!(Number.isFinite(maxMs) && maxMs > 0 && maxMs <= MAX_BOUND_MS))
      throw new Error(`a busy core needs a positive time bound of at most ${MAX_BOUND_MS} ms, got ${maxMs} ms`);
    const child = spawn(process.execPath, ['-e', LOOP, String(Math.round(maxMs))], { stdio: 'ignore' });
    child.on('error', () => undefined);
    return new BusyCore(child, maxMs);
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** CPU share so far (see {@link BusyCoreReport.cpu_share}). */
  cpuShare(): number | null {
    const pid = this.child.pid;
    if (pid !== undefined && this.running) this.lastCpu = cpuSeconds(pid) ?? this.lastCpu;
    const wall = ((this.endedAt ?? Date.now()) - this.started) / 1000;
    return this.lastCpu === null || wall <= 0 ? null : Math.round((this.lastCpu / wall) * 100) / 100;
  }

  /** Kills the process (if it still runs) and waits for it to be gone; safe to call twice. */
  async stop(): Promise<BusyCoreReport> {
    const endedEarly = !this.running;
    const share = this.cpuShare();
    if (this.running) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.endedAt = Date.now();
      this.child.kill('SIGKILL');
      await gone;
    }
    clearTimeout(this.killTimer);
    clearInterval(this.cpuTimer);
    process.off('exit', this.onExit);
    return {
      how: `\`node -e\` busy loop (one thread spinning on Date.now()), normal priority, bounded at ${Math.round(this.maxMs / 1000)} s`,
      pid: this.child.pid ?? null,
      ran_ms: (this.endedAt ?? Date.now()) - this.started,
      cpu_share: share,
      ended_early: endedEarly,
      exit: this.exit ?? 'SIGKILL',
    };
  }
}

/** Runs `fn` with one core kept busy; the busy process is killed when `fn` settles, however it ends. */
export async function withBusyCore<T>(
  maxMs: number,
  fn: (busy: BusyCore) => Promise<T>,
): Promise<{ result: T; busy: BusyCoreReport }> {
  const busy = BusyCore.start(maxMs);
  try {
    const result = await fn(busy);
    return { result, busy: await busy.stop() };
  } finally {
    await busy.stop();
  }
}
