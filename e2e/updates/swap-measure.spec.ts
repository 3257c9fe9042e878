/**
 * @file Measurements for the closing note of the hot-swap issue: publish → serving over three
 * publishes (median), and memory at start, then before and after 20 swaps (pins alternating between the two
 * cached versions). Memory is the resident size of the browser's renderer processes (the page,
 * its inference workers and their WebAssembly heaps live there), read from /proc for the pids
 * Chromium reports over CDP — `performance.measureUserAgentSpecificMemory()` cannot be used: it
 * waits 60 s for ORT's pthread workers, which sit in Atomics.wait. The live worker count must
 * return to its start-up value after every swap: ending the old worker is the only way to give
 * its WebAssembly memory back. Blobs no model references any more are evicted from IndexedDB.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';
import { median, recordMetrics } from '../support/swap-metrics.ts';

interface Memory {
  /** Resident set of every renderer process, bytes. */
  rendererRssBytes: number;
  perProcess: number[];
}

async function rendererMemory(browser: Browser): Promise<Memory> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: Array<{ type: string; id: number }>;
  };
  await cdp.detach();
  const perProcess = processInfo
    .filter((p) => p.type === 'renderer')
    .map((p) => {
      const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))?.[1];
      return Number(kib ?? 0) * 1024;
    });
  return { rendererRssBytes: perProcess.reduce((a, b) => a + b, 0), perProcess };
}

/** Waits until the page runs exactly `count` workers (old ones are reported gone a moment after they end). */
async function workersSettle(page: Page, count: number): Promise<void> {
  await expect.poll(() => page.workers().length, { timeout: 15_000 }).toBe(count);
}

test('measure: publish → serving (median of 3) and memory across 20 swaps', async ({
  app,
  page,
  browser,
  registry,
}, info) => {
  test.setTimeout(240_000);
  await app.openControlled(registry);
  await page.waitForTimeout(1000);
  const workers = page.workers().length;
  const atStart = await rendererMemory(browser);

  const publishToServing: number[] = [];
  const shas: Record<string, string> = {};
  for (const [version, file] of [
    ['2.0.0', MODEL_FILES.ssd512],
    ['2.1.0', MODEL_FILES.tiny320],
    ['2.2.0', MODEL_FILES.tiny224],
  ] as const) {
    const { sha256 } = await registry.publish('face-detector', version, file);
    shas[version] = sha256;
    const published = Date.now();
    await app.serves('face-detector', version);
    const [flip] = await app.logWhere({ sha256, stage: 'serving', outcome: 'ok' });
    publishToServing.push(flip!.time - published);
  }

  await workersSettle(page, workers);
  const before = await rendererMemory(browser);
  const swapMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const version = i % 2 === 0 ? '2.1.0' : '2.2.0';
    const t0 = Date.now();
    await app.pin('face-detector', version);
    await app.serves('face-detector', version);
    swapMs.push(Date.now() - t0);
  }
  // Every swap's old worker is gone: the count is back to one inference worker and its threads.
  await workersSettle(page, workers);
  const after = await rendererMemory(browser);
  const status = await app.status();
  expect(status.frames.errors).toBe(0);
  // A leaked worker per swap would add its whole WebAssembly heap each time (×20).
  expect(after.rendererRssBytes).toBeLessThan(before.rendererRssBytes * 1.5);
  // Two generations per model stay cached (active + previous); 1.0.0 and 2.0.0 were evicted.
  const manifest = registry.manifest();
  const expected = [
    shas['2.1.0']!,
    shas['2.2.0']!,
    manifest.models['face-attributes']!.versions['1.0.0']!.sha256,
    manifest.models['face-expression']!.versions['1.0.0']!.sha256,
  ];
  expect((await app.cachedBlobs()).sort()).toEqual(expected.sort());

  await recordMetrics(info, 'swap-measure', {
    publishToServingMs: publishToServing,
    publishToServingMedianMs: median(publishToServing),
    swaps: swapMs.length,
    swapMedianMs: median(swapMs),
    workers,
    memoryAtStart: atStart,
    memoryBefore: before,
    memoryAfter: after,
  });
});
