/**
 * @file Where the CPU goes while a swap runs, read from Linux /proc: a sampler that records the
 * cumulative CPU time of every thread of the profile's renderer processes (the page's main
 * thread, the pipeline worker, each model host worker, the service worker, the compositor…) and
 * of the browser's other processes (camera capture, GPU), every `intervalMs`. Chromium names
 * worker threads `DedicatedWorker thread`, which also gives the number of live workers. Off
 * Linux it records nothing and the figures are null.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Cumulative CPU seconds (user + system) of one thread or process, from a /proc `stat` line. */
export function statCpuSeconds(stat: string): number {
  // Fields after the command (which may contain spaces or parentheses) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The Chromium processes launched on `profileDir`, with their `--type` ("browser" for the main process). */
export function browserProcesses(profileDir: string): Array<{ pid: number; type: string }> {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: Array<{ pid: number; type: string }> = [];
  for (const pid of pids) {
    // Chromium rewrites its process title: arguments may be joined by spaces, not NULs.
    const args = read(`/proc/${pid}/cmdline`)?.split(/[\0 ]/);
    if (!args?.includes(`--user-data-dir=${profileDir}`)) continue;
    const typeArg = args.find((a) => a.startsWith('--type='));
    if (args.includes('--top-chrome-webui')) continue;
    out.push({ pid: Number(pid), type: typeArg ? typeArg.slice('--type='.length) : 'browser' });
  }
  return out;
}

/** One thread at one moment. */
export interface ThreadState {
  tid: number;
  /** Thread name as Linux keeps it (15 characters: "DedicatedWorker", "Compositor", "chromium"…). */
  comm: string;
  cpu: number;
  /** True for a renderer's main thread (the page's JavaScript, layout, paint). */
  main: boolean;
}

/** One sample: renderer threads, and the other processes' CPU in total. */
export interface CpuSample {
  /** Epoch ms. */
  at: number;
  threads: ThreadState[];
  /** CPU seconds of the browser's non-renderer processes (browser, GPU, utility: camera capture, network). */
  others: number;
}

/** Reads every renderer thread and the other processes once. */
export function sampleCpu(processes: Array<{ pid: number; type: string }>): CpuSample {
  const threads: ThreadState[] = [];
  let others = 0;
  for (const { pid, type } of processes) {
    if (type !== 'renderer') {
      const stat = read(`/proc/${pid}/stat`);
      if (stat) others += statCpuSeconds(stat);
      continue;
    }
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      const comm = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
      if (!stat || comm === undefined) continue;
      threads.push({ tid: Number(tid), comm, cpu: statCpuSeconds(stat), main: tid === String(pid) });
    }
  }
  return { at: Date.now(), threads, others };
}

/** Live dedicated workers (pipeline worker, model hosts and any WASM pool threads) in a sample. */
export function workerThreads(sample: CpuSample): number {
  return sample.threads.filter((t) => t.comm.startsWith('DedicatedWorker')).length;
}

/** Samples CPU every `intervalMs` until stopped. */
export class CpuSampler {
  readonly samples: CpuSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private processes: Array<{ pid: number; type: string }> = [];
  private refreshed = 0;

  constructor(private readonly profileDir: string) {}

  /** One sample now (the process list is refreshed every few seconds: renderers may come and go). */
  sample(): CpuSample {
    if (Date.now() - this.refreshed > 3000) {
      this.processes = browserProcesses(this.profileDir);
      this.refreshed = Date.now();
    }
    const s = sampleCpu(this.processes);
    this.samples.push(s);
    return s;
  }

  start(intervalMs = 100): void {
    this.stop();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
