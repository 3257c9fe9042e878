/**
 * @file Section 5, memory over hot swaps. Primary: the page's and its workers' memory as
 * Chromium measures it (`performance.measureUserAgentSpecificMemory()`, cross-origin
 * isolated) after 1 swap and after 50. Secondary, at every 10th swap: the renderer processes'
 * proportional set size from /proc (fast; shows the trend and covers WASM heaps in full).
 */
import type { BenchContext } from '../lib/context.ts';
import { runSwapSession, type SwapSession } from '../lib/swap-session.ts';
import { round } from '../lib/stats.ts';

/** Checkpoints for a run of `swaps` swaps: 1, every 10th, and the last. */
export function memoryCheckpoints(swaps: number): number[] {
  const points = new Set([1, swaps]);
  for (let i = 10; i < swaps; i += 10) points.add(i);
  return [...points].sort((a, b) => a - b);
}

const mib = (bytes: number | null | undefined) => (bytes == null ? null : round(bytes / 1024 / 1024, 1));

/** The memory figures from a finished session. */
export function summarizeMemory(session: Exclude<SwapSession, { skipped: string }>, swaps: number) {
  const ua = (n: number) => session.memory.find((m) => m.afterSwaps === n)?.sample;
  const proc = (n: number) => session.processMemory.find((m) => m.afterSwaps === n)?.sample ?? null;
  const first = ua(1);
  const last = ua(50);
  const error = first?.error ?? last?.error;
  const ran = session.swaps.length;
  let skipped: string | null = null;
  if (swaps < 50) skipped = `only ${swaps} swaps were asked for (--memory-swaps); the key needs 50`;
  else if (ran < 50) skipped = `only ${ran} swaps completed`;
  else if (error) skipped = error;
  const ratio = !skipped && first?.bytes && last?.bytes ? round(last.bytes / first.bytes, 3) : null;
  const p1 = proc(1);
  const pLast = proc(swaps);
  return {
    growth_ratio_50_swaps: ratio,
    ...(ratio === null ? { growth_ratio_50_swaps_skipped: skipped ?? 'no measurement' } : {}),
    after_1_swap_mib: mib(first?.bytes),
    after_50_swaps_mib: mib(last?.bytes),
    by_scope_mib: {
      after_1: Object.fromEntries(Object.entries(first?.byScope ?? {}).map(([k, v]) => [k, mib(v)])),
      after_50: Object.fromEntries(Object.entries(last?.byScope ?? {}).map(([k, v]) => [k, mib(v)])),
    },
    process_pss_growth_ratio: p1?.pssBytes && pLast?.pssBytes ? round(pLast.pssBytes / p1.pssBytes, 3) : null,
    swaps_run: ran,
    trend: session.processMemory.map((m) => ({
      after_swaps: m.afterSwaps,
      renderer_pss_mib: mib(m.sample?.pssBytes),
      renderer_rss_mib: mib(m.sample?.rssBytes),
      processes: m.sample?.processes ?? null,
      ua_specific_mib: mib(ua(m.afterSwaps)?.bytes),
    })),
    how:
      'key: performance.measureUserAgentSpecificMemory() (page + dedicated workers) after swap 1 and swap 50, each swap settled; ' +
      'trend: summed PSS of the profile’s renderer processes (/proc smaps_rollup) after a page GC, every 10th swap',
  };
}

/** Runs the section on its own session. */
export async function runMemory(ctx: BenchContext) {
  const swaps = ctx.options.memorySwaps;
  const session = await runSwapSession(ctx, {
    swaps,
    memoryAfter: memoryCheckpoints(swaps),
    uaMemoryAfter: [1, swaps],
    baselineMs: 2000,
  });
  if ('skipped' in session) return { growth_ratio_50_swaps: null, growth_ratio_50_swaps_skipped: session.skipped };
  return summarizeMemory(session, swaps);
}
