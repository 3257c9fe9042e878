/**
 * @file Memory of the browser's renderer processes for one profile, read from Linux /proc:
 * the page, its dedicated workers (inference workers and their WASM thread pools run as
 * threads of the page's renderer) and the service worker. A fast complement to
 * `measureUserAgentSpecificMemory()`, which waits up to 60 s here because WASM pool threads
 * parked in Atomics.wait cannot answer the measurement until its timeout.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Summed over the profile's renderer processes (bytes). */
export interface ProcessMemory {
  processes: number;
  /** Proportional set size: private pages plus a share of shared ones. */
  pssBytes: number;
  rssBytes: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Renderer memory of the Chromium launched on `profileDir`; null off Linux. */
export function rendererMemory(profileDir: string): ProcessMemory | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  const out: ProcessMemory = { processes: 0, pssBytes: 0, rssBytes: 0 };
  for (const pid of pids) {
    try {
      // Chromium rewrites its process title: arguments may be joined by spaces, not NULs.
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      if (!args.includes('--type=renderer') || args.includes('--top-chrome-webui')) continue;
      if (!args.includes(`--user-data-dir=${profileDir}`)) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      out.processes += 1;
      out.pssBytes += field(rollup, 'Pss');
      out.rssBytes += field(rollup, 'Rss');
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}
