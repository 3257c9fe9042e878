/**
 * @file What the figures were measured on: CPU model, cores, memory, Chromium and Node
 * versions, and the load average (the machine is shared; a loaded machine explains a slow run).
 */
import { cpus, loadavg, totalmem, freemem, platform, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { chromiumVersion } from './browser.ts';

/** Machine facts recorded once per run. */
export interface MachineInfo {
  /** CPU model (the key issue 12 names); same as cpu_model. */
  cpu: string;
  cpu_model: string;
  cores: number;
  memory_gib: number;
  os: string;
  chromium: string;
  node: string;
  load_average_before: number[];
  load_average_after: number[] | null;
  free_memory_gib_before: number;
  started_at: string;
  finished_at: string | null;
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text);
    if (pretty) return `${pretty[1]} (${platform()} ${release()})`;
  } catch {
    /* not Linux */
  }
  return `${platform()} ${release()}`;
}

const gib = (bytes: number): number => Math.round((bytes / 1024 ** 3) * 10) / 10;
const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

/** Facts at the start of a run. */
export function machineBefore(): MachineInfo {
  const cpu = cpus()[0]?.model ?? 'unknown';
  return {
    cpu,
    cpu_model: cpu,
    cores: cpus().length,
    memory_gib: gib(totalmem()),
    os: osName(),
    chromium: chromiumVersion(),
    node: process.version,
    load_average_before: load(),
    load_average_after: null,
    free_memory_gib_before: gib(freemem()),
    started_at: new Date().toISOString(),
    finished_at: null,
  };
}

/** Completes the record at the end of a run. */
export function machineAfter(m: MachineInfo): MachineInfo {
  return { ...m, load_average_after: load(), finished_at: new Date().toISOString() };
}

/** The 1-minute load average now (sections record it around their own measurements). */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
