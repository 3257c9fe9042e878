/**
 * @file In-page probes for the webcam, swap and memory figures: a 4 ms sampler that records
 * every change of the app's frame counters and serving version (epoch-ms timestamps, so they
 * line up with publishes made from Node), and the page's memory as Chromium measures it
 * (`performance.measureUserAgentSpecificMemory()`, page plus its workers; needs cross-origin
 * isolation). Page functions declare no named inner functions (see app-page.ts).
 */
import type { Page } from '@playwright/test';
import type { AppWindow } from './app-page.ts';

/** One sampler row: [epoch ms, processed, dropped, errors, active detector version]. */
export type SampleRow = [number, number, number, number, string | null];

type SamplerWindow = AppWindow & { __benchSampler?: { rows: SampleRow[]; timer: number } };

/** Starts sampling `status()` every 4 ms (rows only when something changed). */
export async function startSampler(page: Page, modelId: string): Promise<void> {
  await page.evaluate((id) => {
    const g = globalThis as unknown as SamplerWindow;
    if (g.__benchSampler) clearInterval(g.__benchSampler.timer);
    const rows: SampleRow[] = [];
    let last = '';
    const timer = setInterval(() => {
      const s = g.hotlens.status();
      const active = s.models[id]?.active ?? null;
      const key = `${s.frames.processed}|${s.frames.dropped}|${s.frames.errors}|${active}`;
      if (key === last) return;
      last = key;
      rows.push([
        performance.timeOrigin + performance.now(),
        s.frames.processed,
        s.frames.dropped,
        s.frames.errors,
        active,
      ]);
    }, 4) as unknown as number;
    g.__benchSampler = { rows, timer };
  }, modelId);
}

/** Stops the sampler and returns its rows. */
export async function stopSampler(page: Page): Promise<SampleRow[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as SamplerWindow;
    if (!g.__benchSampler) return [];
    clearInterval(g.__benchSampler.timer);
    const rows = g.__benchSampler.rows;
    delete g.__benchSampler;
    return rows;
  });
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
