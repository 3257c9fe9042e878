/**
 * @file Section 5, memory over hot swaps (the quiet phase of the swap session). The key,
 * `growth_ratio_50_swaps`, is read on the renderer processes: the summed proportional set size
 * (/proc smaps_rollup) of the profile's renderers after swap 50 over after swap 1, each read after
 * a page GC once the replaced model host has ended — the page, the pipeline worker, every model
 * host with its WebAssembly heap and the service worker all live there, and each swap starts a
 * host (its own WASM runtime) and ends the previous one. Beside it: the live worker count at each
 * checkpoint, and Chromium's own `performance.measureUserAgentSpecificMemory()` (JS and WASM
 * heaps of the page and its workers) after swap 1 and swap 50.
 */
import type { BenchContext } from '../lib/context.ts';
import { runSwapSession, type SwapSession } from '../lib/swap-session.ts';
import { round } from '../lib/stats.ts';
import { memoryCheckpointsFor, swapPlans } from './swap.ts';

/** Checkpoints for a run of `swaps` swaps: 1, every 10th, and the last. */
export const memoryCheckpoints = memoryCheckpointsFor;

/** How many swaps the key is defined over. */
export const KEY_SWAPS = 50;

const mib = (bytes: number | null | undefined) => (bytes == null ? null : round(bytes / 1024 / 1024, 1));

/** The memory figures from a finished session. */
export function summarizeMemory(session: Exclude<SwapSession, { skipped: string }>, swaps: number) {
  const phase = session.phases.find((p) => p.name === 'quiet');
  const ua = (n: number) => phase?.memory.find((m) => m.afterSwaps === n)?.sample;
  const proc = (n: number) => phase?.processMemory.find((m) => m.afterSwaps === n);
  const ran = phase?.swaps.length ?? 0;
  const p1 = proc(1)?.sample;
  const pKey = proc(KEY_SWAPS)?.sample;
  let skipped: string | null = null;
  if (swaps < KEY_SWAPS) skipped = `only ${swaps} swaps were asked for (--memory-swaps); the key needs ${KEY_SWAPS}`;
  else if (ran < KEY_SWAPS) skipped = `only ${ran} swaps completed`;
  else if (!p1?.pssBytes || !pKey?.pssBytes) skipped = 'the renderer processes could not be read (/proc; Linux only)';
  const ratio = skipped ? null : round(pKey!.pssBytes / p1!.pssBytes, 3);
  const uaFirst = ua(1);
  const uaLast = ua(KEY_SWAPS);
  return {
    growth_ratio_50_swaps: ratio,
    ...(ratio === null ? { growth_ratio_50_swaps_skipped: skipped ?? 'no measurement' } : {}),
    renderer_pss_after_1_swap_mib: mib(p1?.pssBytes),
    renderer_pss_after_50_swaps_mib: mib(pKey?.pssBytes),
    workers_after_1_swap: proc(1)?.workers ?? null,
    workers_after_50_swaps: proc(KEY_SWAPS)?.workers ?? null,
    ua_specific_growth_ratio_50_swaps:
      uaFirst?.bytes && uaLast?.bytes && !skipped ? round(uaLast.bytes / uaFirst.bytes, 3) : null,
    ua_specific_after_1_swap_mib: mib(uaFirst?.bytes),
    ua_specific_after_50_swaps_mib: mib(uaLast?.bytes),
    ua_specific_error: uaFirst?.error ?? uaLast?.error ?? null,
    by_scope_mib: {
      after_1: Object.fromEntries(Object.entries(uaFirst?.byScope ?? {}).map(([k, v]) => [k, mib(v)])),
      after_50: Object.fromEntries(Object.entries(uaLast?.byScope ?? {}).map(([k, v]) => [k, mib(v)])),
    },
    swaps_run: ran,
    trend: (phase?.processMemory ?? []).map((m) => ({
      after_swaps: m.afterSwaps,
      renderer_pss_mib: mib(m.sample?.pssBytes),
      renderer_rss_mib: mib(m.sample?.rssBytes),
      processes: m.sample?.processes ?? null,
      worker_threads: m.workers.threads,
      pss_by_kind_mib: Object.fromEntries(
        Object.entries(m.sample?.pssByKind ?? {})
          .filter(([, b]) => b >= 1024 * 1024)
          .sort((a, b) => b[1] - a[1])
          .map(([k, b]) => [k, mib(b)]),
      ),
      playwright_workers: m.workers.playwright,
      ua_specific_mib: mib(ua(m.afterSwaps)?.bytes),
    })),
    how:
      'key: summed PSS of the profile’s renderer processes (/proc smaps_rollup) after swap 50 ÷ after swap 1, each read after a page GC ' +
      'once the worker count was back to its pre-swap value (the replaced host ended); ' +
      'beside it: performance.measureUserAgentSpecificMemory() (JS + WASM heaps of the page and its live workers) after swap 1 and 50; ' +
      'workers: renderer threads named DedicatedWorker (pipeline worker + model hosts) and Playwright’s page.workers()',
  };
}

/** Runs the section on its own session (the quiet phase only). */
export async function runMemory(ctx: BenchContext) {
  const swaps = ctx.options.memorySwaps;
  const quiet = swapPlans(0, swaps, ctx.options.quick)[0]!;
  const session = await runSwapSession(ctx, { phases: [{ ...quiet, baselineMs: 2000 }] });
  if ('skipped' in session) return { growth_ratio_50_swaps: null, growth_ratio_50_swaps_skipped: session.skipped };
  return summarizeMemory(session, swaps);
}
