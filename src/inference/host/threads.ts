/**
 * @file How many WASM threads to ask for. Pure (unit-tested in Node): threads need a
 * cross-origin-isolated page. A second ORT thread only pays when it has a core to itself: on a
 * 2-core machine the UI thread, the frame loop and (during a hot swap) a standby worker compete
 * for the same two cores, and ORT's parallel kernels then wait on a descheduled thread. The
 * bench measured 1 thread faster than 2 in the app on 2 cores (pipeline p50 249 vs 392 ms;
 * swap gap 4× vs 17× the frame interval), so 2 threads start at 4 cores.
 */

/** Cores from which the default is 2 threads. */
export const TWO_THREADS_FROM_CORES = 4;

/** Threads WASM may use here: 2 from 4 cores when isolated, else 1; a request (?threads=) is clamped to the cores. */
export function wasmThreads(requested: number | undefined, isolated: boolean, cores: number): number {
  if (!isolated) return 1;
  const max = Math.max(1, cores);
  if (requested !== undefined && Number.isInteger(requested) && requested >= 1) return Math.min(requested, max);
  return max >= TWO_THREADS_FROM_CORES ? 2 : 1;
}
