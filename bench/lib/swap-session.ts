/**
 * @file One hot-swap session, shared by the swap and memory sections: the real app on the fake
 * webcam, controlled by its service worker, following the bench's registry; then N publishes
 * that alternate face-detector's stable version between 1.0.0 (uint8 weights) and 1.0.1 (the
 * same network with float32 weights — different bytes and session, same cost per frame), each
 * followed by `hotlens.checkForUpdates()`. A 4 ms sampler records every processed frame and
 * the moment the new version serves; memory is measured at chosen swap counts, between swaps.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { HotlensStatus } from '../../src/app/hotlens-api.ts';
import type { UpdateLogRecord } from '../../src/shared/update-messages.ts';
import { appMetrics, appReady, appStatus, type AppWindow } from './app-page.ts';
import { launchProfile, profileDir } from './browser.ts';
import { rendererMemory, type ProcessMemory } from './process-memory.ts';
import { errorMessage, type BenchContext } from './context.ts';
import { measureMemory, startSampler, stopSampler, type MemorySample, type SampleRow } from './page-probes.ts';
import { publishStable, publishVariantAsVersion, resetRegistry } from './registry.ts';

/** The model swapped and its two versions. */
export const SWAP_MODEL = 'face-detector';
export const VERSION_A = '1.0.0';
export const VERSION_B = '1.0.1';

/** One swap as measured. */
export interface SwapRecord {
  index: number;
  to: string;
  /** Epoch ms: manifest written (publish done). */
  publishedAt: number;
  /** Epoch ms: the sampler first saw `to` active; null when it never served. */
  servingAt: number | null;
  /** Epoch ms: swap settled (stage back to idle/released), or the timeout. */
  settledAt: number;
  error?: string;
}

/** Everything a session produced. */
export type SwapSession =
  | { skipped: string }
  | {
      swaps: SwapRecord[];
      rows: SampleRow[];
      /** Epoch ms window of the steady baseline before the first publish. */
      baseline: { from: number; to: number };
      /** measureUserAgentSpecificMemory() at `uaMemoryAfter` swap counts. */
      memory: { afterSwaps: number; sample: MemorySample }[];
      /** Renderer processes' memory at `memoryAfter` swap counts. */
      processMemory: { afterSwaps: number; sample: ProcessMemory | null }[];
      log: UpdateLogRecord[];
      statusBefore: HotlensStatus;
      statusAfter: HotlensStatus;
      checkErrors: string[];
      webcam: Awaited<ReturnType<typeof appMetrics>>['webcam'];
    };

/** Session options. */
export interface SessionOptions {
  swaps: number;
  /** Swap counts after which the renderer processes' memory is read (fast). */
  memoryAfter: number[];
  /** Swap counts after which measureUserAgentSpecificMemory() runs (slow: up to 60 s each). */
  uaMemoryAfter: number[];
  baselineMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a service worker to control the page (reloading once after it installs); null when none registers. */
async function swControl(page: Page): Promise<string | null> {
  const has = () =>
    page.evaluate(async () => {
      const sw = (globalThis as unknown as { navigator: { serviceWorker?: ServiceWorkerLike } }).navigator
        .serviceWorker;
      type ServiceWorkerLike = { controller: unknown; ready: Promise<unknown>; getRegistration(): Promise<unknown> };
      if (!sw) return 'no-api';
      if (!(await sw.getRegistration())) return 'none';
      await Promise.race([sw.ready, new Promise((r) => setTimeout(r, 20_000))]);
      return sw.controller ? 'controlled' : 'registered';
    });
  let state = await has();
  if (state === 'none') {
    await sleep(3000);
    state = await has();
  }
  if (state === 'no-api') return 'service workers are unavailable in this page';
  if (state === 'none') return 'the app registered no service worker';
  if (state === 'registered') {
    await page.reload();
    await appReady(page);
    state = await has();
  }
  return state === 'controlled' ? null : 'the service worker does not control the page after a reload';
}

async function gcPage(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
  } finally {
    await cdp.detach();
  }
}

async function settle(page: Page, target: string, timeoutMs: number): Promise<{ ok: boolean; status: HotlensStatus }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await appStatus(page);
    const m = status.models[SWAP_MODEL];
    if (m?.active === target && (m.stage === 'idle' || m.stage === 'released')) return { ok: true, status };
    if (Date.now() > deadline) return { ok: false, status };
    await sleep(100);
  }
}

async function openApp(ctx: BenchContext, context: BrowserContext): Promise<{ page: Page } | { skipped: string }> {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(ctx.server.url('/?camera=on'));
  await appReady(page);
  const api = await page.evaluate(() => typeof (globalThis as unknown as AppWindow).hotlens.checkForUpdates);
  if (api !== 'function') return { skipped: 'window.hotlens.checkForUpdates is missing: this build has no hot swap' };
  const noSw = await swControl(page);
  if (noSw) return { skipped: noSw };
  return { page };
}

/** Runs a session; returns `{skipped}` when the build cannot hot-swap. */
export async function runSwapSession(ctx: BenchContext, opts: SessionOptions): Promise<SwapSession> {
  await resetRegistry();
  await publishVariantAsVersion(SWAP_MODEL, VERSION_A, '416-float32', VERSION_B);
  await publishStable(SWAP_MODEL, VERSION_A);
  const context = await launchProfile('swap', { camera: true });
  try {
    const opened = await openApp(ctx, context);
    if ('skipped' in opened) return opened;
    const { page } = opened;
    ctx.log('app serving under its service worker; webcam on');
    const statusBefore = await appStatus(page);
    if (statusBefore.models[SWAP_MODEL]?.active !== VERSION_A) {
      throw new Error(`the app serves ${SWAP_MODEL}@${statusBefore.models[SWAP_MODEL]?.active}, expected ${VERSION_A}`);
    }
    // Steady webcam first.
    const deadline = Date.now() + 60_000;
    while ((await appStatus(page)).frames.processed < 10) {
      if (Date.now() > deadline) throw new Error('the webcam produced fewer than 10 annotated frames in 60 s');
      await sleep(200);
    }
    await page.evaluate(() => {
      (globalThis as unknown as { __benchChecks: string[] }).__benchChecks = [];
    });
    await startSampler(page, SWAP_MODEL);
    const baselineFrom = Date.now();
    await sleep(opts.baselineMs);
    const baseline = { from: baselineFrom, to: Date.now() };
    const swaps: SwapRecord[] = [];
    const memory: { afterSwaps: number; sample: MemorySample }[] = [];
    const processMemory: { afterSwaps: number; sample: ProcessMemory | null }[] = [];
    let failures = 0;
    for (let i = 1; i <= opts.swaps && failures < 2; i++) {
      const to = i % 2 === 1 ? VERSION_B : VERSION_A;
      await publishStable(SWAP_MODEL, to);
      const publishedAt = Date.now();
      await page.evaluate(() => {
        const g = globalThis as unknown as AppWindow & { __benchChecks: string[] };
        g.hotlens.checkForUpdates!().then(
          (r) => {
            const summary = r as { ok?: boolean; error?: string };
            if (summary.ok === false) g.__benchChecks.push(summary.error ?? 'check failed');
          },
          (err: unknown) => g.__benchChecks.push(String(err)),
        );
      });
      const { ok } = await settle(page, to, 60_000);
      const settledAt = Date.now();
      const seen = await page.evaluate(
        ({ since, version }) =>
          (globalThis as unknown as { __benchSampler?: { rows: SampleRow[] } }).__benchSampler?.rows.find(
            (r) => r[0] >= since && r[4] === version,
          ) ?? null,
        { since: publishedAt, version: to },
      );
      swaps.push({
        index: i,
        to,
        publishedAt,
        servingAt: seen ? seen[0] : null,
        settledAt,
        ...(ok ? {} : { error: `did not serve ${to} within 60 s` }),
      });
      failures = ok ? 0 : failures + 1;
      ctx.log(
        `swap ${i} → ${to}: ${ok ? `serving after ${seen ? Math.round(seen[0] - publishedAt) : '?'} ms` : 'did not serve within 60 s'}`,
      );
      // Let the old session drain and be released before measuring or publishing again.
      await sleep(600);
      if (opts.memoryAfter.includes(i)) {
        // A GC of the page first, so garbage does not pass for growth (workers collect on their own).
        await gcPage(page);
        processMemory.push({ afterSwaps: i, sample: rendererMemory(profileDir('swap')) });
      }
      if (opts.uaMemoryAfter.includes(i)) {
        const t0 = Date.now();
        const sample = await measureMemory(page);
        memory.push({ afterSwaps: i, sample });
        ctx.log(`memory after ${i} swap(s): ${sample.bytes ?? sample.error} bytes (${Date.now() - t0} ms to measure)`);
        await sleep(1000);
      }
      if (i % 10 === 0) ctx.log(`${i}/${opts.swaps} swaps`);
    }
    const rows = await stopSampler(page);
    const statusAfter = await appStatus(page);
    const checkErrors = await page.evaluate(() => (globalThis as unknown as { __benchChecks: string[] }).__benchChecks);
    const webcam = (await appMetrics(page)).webcam;
    return {
      swaps,
      rows,
      baseline,
      memory,
      processMemory,
      log: statusAfter.log,
      statusBefore,
      statusAfter,
      checkErrors,
      webcam,
    };
  } catch (err) {
    throw new Error(`swap session: ${errorMessage(err)}`, { cause: err });
  } finally {
    await context.close();
  }
}
