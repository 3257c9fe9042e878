/**
 * @file In-page probes for the webcam, swap and memory figures: the app's own timestamps of its
 * annotated webcam frames (`hotlens.frameTimes`, read when the sampling stops), a 50 ms sampler of
 * its counters (dropped, errors) and serving version (epoch-ms timestamps, so they line up with
 * publishes made from Node), the main thread's long animation frames (the
 * Long Animation Frames API: what blocked the page's thread, with the scripts that ran), and
 * the page's memory as Chromium measures it (`performance.measureUserAgentSpecificMemory()`,
 * page plus its workers; needs cross-origin isolation). Page functions declare no named inner
 * functions (see app-page.ts).
 */
import type { Page } from '@playwright/test';
import type { AnnotatedFrameTime } from '../../src/app/hotlens-api.ts';
import { appFrameTimes, type AppWindow } from './app-page.ts';

/**
 * How often the counters are sampled. Frame gaps come from the app's own frame timestamps; a
 * 4 ms sampler of `status()` once gave them instead, and cost the page's thread — which draws the
 * frames — about 5% of a core, adding its own delay to the gaps it measured.
 */
export const SAMPLE_EVERY_MS = 50;

/** One sampler row: [epoch ms (Date.now()), processed, dropped, errors, active detector version]. */
export type SampleRow = [number, number, number, number, string | null];

/** A script that ran in a long animation frame: what invoked it, where it lives, for how long (ms). */
export interface LongFrameScript {
  invoker: string;
  source: string;
  ms: number;
}

/** One long animation frame (> 50 ms) of the main thread: [epoch ms start, duration ms, blocking ms, top scripts]. */
export type LongFrame = [number, number, number, LongFrameScript[]];

type SamplerWindow = AppWindow & {
  __benchSampler?: {
    rows: SampleRow[];
    frames: LongFrame[];
    timer: number;
    observer: { disconnect(): void } | null;
    since: number;
  };
};

/** Starts sampling `status()` every SAMPLE_EVERY_MS (rows only when something changed) and recording long animation frames. */
export async function startSampler(page: Page, modelId: string): Promise<void> {
  await page.evaluate(
    ([id, every]) => {
      type Script = {
        invoker: string;
        invokerType: string;
        sourceURL: string;
        sourceFunctionName: string;
        duration: number;
      };
      type Entry = { startTime: number; duration: number; blockingDuration: number; scripts: Script[] };
      type ObserverCtor = new (cb: (list: { getEntries(): Entry[] }) => void) => {
        observe(o: { type: string; buffered: boolean }): void;
        disconnect(): void;
      };
      const g = globalThis as unknown as SamplerWindow & { PerformanceObserver: ObserverCtor };
      if (g.__benchSampler) {
        clearInterval(g.__benchSampler.timer);
        g.__benchSampler.observer?.disconnect();
      }
      const rows: SampleRow[] = [];
      const frames: LongFrame[] = [];
      let last = '';
      const timer = setInterval(() => {
        const s = g.hotlens.status();
        const active = s.models[id]?.active ?? null;
        const key = `${s.frames.processed}|${s.frames.dropped}|${s.frames.errors}|${active}`;
        if (key === last) return;
        last = key;
        // Wall clock, like the publishes and log records it is compared with: over minutes,
        // performance.timeOrigin + now() drifts from Date.now() by seconds.
        rows.push([Date.now(), s.frames.processed, s.frames.dropped, s.frames.errors, active]);
      }, every) as unknown as number;
      let observer: { disconnect(): void } | null = null;
      try {
        const o = new g.PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            const scripts = [...e.scripts]
              .sort((a, b) => b.duration - a.duration)
              .slice(0, 3)
              .map((x) => ({
                invoker: x.invoker || x.invokerType,
                source: `${(x.sourceURL || '').split('/').pop() ?? ''}${x.sourceFunctionName ? ` ${x.sourceFunctionName}` : ''}`,
                ms: Math.round(x.duration),
              }));
            // The entry's time is on the monotonic clock: map it to the wall clock as of now.
            const wall = Date.now() - performance.now();
            frames.push([wall + e.startTime, e.duration, e.blockingDuration, scripts]);
          }
        });
        o.observe({ type: 'long-animation-frame', buffered: false });
        observer = o;
      } catch {
        // No Long Animation Frames API in this browser: the rows still come.
      }
      g.__benchSampler = { rows, frames, timer, observer, since: Date.now() };
    },
    [modelId, SAMPLE_EVERY_MS] as const,
  );
}

/** What the sampler recorded, and the frames the app annotated meanwhile. */
export interface SamplerData {
  rows: SampleRow[];
  longFrames: LongFrame[];
  frames: AnnotatedFrameTime[];
}

/** Stops the sampler and returns its rows, long animation frames and the app's annotated frames since it started. */
export async function stopSampler(page: Page): Promise<SamplerData> {
  const sampled = await page.evaluate(() => {
    const g = globalThis as unknown as SamplerWindow;
    if (!g.__benchSampler) return null;
    clearInterval(g.__benchSampler.timer);
    g.__benchSampler.observer?.disconnect();
    const { rows, frames, since } = g.__benchSampler;
    delete g.__benchSampler;
    return { rows, longFrames: frames, since };
  });
  if (!sampled) return { rows: [], longFrames: [], frames: [] };
  const { since, ...rest } = sampled;
  return { ...rest, frames: await appFrameTimes(page, since - 1) };
}

/** The page's memory by Chromium's measurement (bytes), or why it could not be measured. */
export interface MemorySample {
  bytes: number | null;
  /** Bytes per attribution scope (Window, DedicatedWorkerGlobalScope, ...). */
  byScope: Record<string, number>;
  error?: string;
}

/** Measures page + worker memory (gives up after `timeoutMs`). */
export async function measureMemory(page: Page, timeoutMs = 120_000): Promise<MemorySample> {
  return page.evaluate(async (timeout) => {
    type Entry = { bytes: number; attribution: { scope: string }[] };
    const p = performance as unknown as {
      measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: Entry[] }>;
    };
    const isolated = (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated;
    if (typeof p.measureUserAgentSpecificMemory !== 'function') {
      return {
        bytes: null,
        byScope: {},
        error: isolated
          ? 'performance.measureUserAgentSpecificMemory is not available in this browser'
          : 'the page is not cross-origin isolated',
      };
    }
    const r = await Promise.race([
      p.measureUserAgentSpecificMemory(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), timeout)),
    ]);
    if (!r)
      return {
        bytes: null,
        byScope: {},
        error: `measureUserAgentSpecificMemory() did not answer within ${timeout} ms`,
      };
    const byScope: Record<string, number> = {};
    for (const e of r.breakdown) {
      const scope = e.attribution.map((a) => a.scope).join('+') || 'shared';
      byScope[scope] = (byScope[scope] ?? 0) + e.bytes;
    }
    return { bytes: r.bytes, byScope };
  }, timeoutMs);
}
