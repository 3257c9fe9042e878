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
  /**
   * PSS by kind of mapping (/proc smaps): Chromium names its anonymous mappings
   * (`[anon:partition_alloc]`, `[anon:v8]`…) where the kernel allows; else `code` (anonymous and
   * executable: V8's JIT and WebAssembly code), `anon`, `[heap]`, `[stack]`, shared memory
   * (`memfd:<name>`, `shm`) and other `file` mappings. Shows what grows when the total does.
   */
  pssByKind: Record<string, number>;
}

/** PSS of one process's mappings by kind (see {@link ProcessMemory.pssByKind}). */
export function pssByKind(smaps: string, into: Record<string, number> = {}): Record<string, number> {
  let kind = 'anon';
  for (const line of smaps.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const [, perms, path] = head as unknown as [string, string, string];
      if (path.startsWith('[')) kind = path;
      // Chromium's shared memory (IPC buffers, video frames, blobs) is memfd- or /dev/shm-backed.
      else if (path.startsWith('/memfd:')) kind = `memfd:${path.slice(7).replace(/ \(deleted\)$/, '')}`;
      else if (path.startsWith('/dev/shm/')) kind = 'shm';
      else if (path) kind = 'file';
      else kind = perms.includes('x') ? 'code' : 'anon';
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) into[kind] = (into[kind] ?? 0) + Number(pss[1]) * 1024;
  }
  return into;
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
  const out: ProcessMemory = { processes: 0, pssBytes: 0, rssBytes: 0, pssByKind: {} };
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
      pssByKind(readFileSync(`/proc/${pid}/smaps`, 'utf8'), out.pssByKind);
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}
