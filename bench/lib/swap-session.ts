/**
 * @file One hot-swap session, shared by the swap and memory sections: the real app on the fake
 * webcam, controlled by its service worker, following the bench's registry; then phases of
 * publishes, each followed by `hotlens.checkForUpdates()`:
 * - `quiet`: face-detector's stable alternates between 1.0.0 (uint8 weights) and 1.0.1 (the same
 *   network with float32 weights — other bytes and session, same cost per frame); memory is read
 *   at chosen swap counts, between swaps;
 * - `busy`: the same swaps with one core kept busy by a bounded background process (busy-core.ts);
 * - `ssd`: 1.0.0 ⇄ 2.0.0 (SSD MobileNet v1 at 512 px: 5.8 MB, slower per frame), with a steady
 *   stretch after each swap so each version's own cadence is known.
 * The app's own timestamps give every annotated frame and the version that annotated it (so the
 * moment the new version serves); an in-page sampler records its counters and the main thread's
 * long animation frames; a /proc sampler records CPU per browser thread and
 * the number of live workers. The update log is collected after every swap (the app keeps only
 * its last 200 records).
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { AnnotatedFrameTime, HotlensStatus } from '../../src/app/hotlens-api.ts';
import type { UpdateLogRecord } from '../../src/shared/update-messages.ts';
import { appFrameTimes, appMetrics, appReady, appStatus, type AppWindow } from './app-page.ts';
import { launchProfile, profileDir } from './browser.ts';
import { withBusyCore, type BusyCoreReport } from './busy-core.ts';
import { rendererMemory, type ProcessMemory } from './process-memory.ts';
import { errorMessage, type BenchContext } from './context.ts';
import {
  measureMemory,
  startSampler,
  stopSampler,
  type LongFrame,
  type MemorySample,
  type SampleRow,
} from './page-probes.ts';
import { publishStable, publishVariantAsVersion, resetRegistry } from './registry.ts';
import { versionIn } from './swap-analysis.ts';
import { CpuSampler, workerThreads, type CpuSample } from './thread-cpu.ts';

/** The model swapped and its versions. */
export const SWAP_MODEL = 'face-detector';
export const VERSION_A = '1.0.0';
export const VERSION_B = '1.0.1';
/** The heavier detector the registry ships as 2.0.0 (SSD MobileNet v1). */
export const VERSION_SSD = '2.0.0';

export type PhaseName = 'quiet' | 'busy' | 'ssd';

/** Live workers at one moment. */
export interface WorkerCount {
  /** Renderer threads named DedicatedWorker (pipeline worker, model hosts, WASM pool threads); null off Linux. */
  threads: number | null;
  /** Workers Playwright reports for the page. */
  playwright: number;
}

/** One swap as measured. */
export interface SwapRecord {
  phase: PhaseName;
  /** 1-based within its phase. */
  index: number;
  from: string | null;
  to: string;
  /** Epoch ms: manifest written (publish done). */
  publishedAt: number;
  /** Epoch ms: the first webcam frame annotated by `to`; null when none came. */
  servingAt: number | null;
  /** Epoch ms: swap settled (stage back to idle/released), or the timeout. */
  settledAt: number;
  /** Live workers once settled (old host released). */
  workersAfter: WorkerCount;
  /** Session create time of the new version in its host (hotlens.metrics().compileMs), ms. */
  compileMs: number | null;
  /** What the server sent from publish to settled ("status path bytes"; a new host's runtime may be fetched again). */
  requests: string[];
  error?: string;
}

/** One phase as measured. */
export interface PhaseRecord {
  name: PhaseName;
  /** Epoch ms window of the steady baseline before the phase's first publish. */
  baseline: { from: number; to: number };
  swaps: SwapRecord[];
  /** Epoch ms: phase start (baseline start) and end (last swap settled and its dwell). */
  from: number;
  to: number;
  workersBefore: WorkerCount;
  workersAfter: WorkerCount;
  /** The busy process of a `busy` phase. */
  busy?: BusyCoreReport;
  /** measureUserAgentSpecificMemory() at `uaMemoryAfter` swap counts. */
  memory: { afterSwaps: number; sample: MemorySample }[];
  /** Renderer processes' memory at `memoryAfter` swap counts. */
  processMemory: { afterSwaps: number; sample: ProcessMemory | null; workers: WorkerCount }[];
  /** The video-only control run before the phase (`controlMs`). */
  control?: { ms: number; start: ProcessMemory | null; end: ProcessMemory | null };
}

/** Everything a session produced. */
export type SwapSession =
  | { skipped: string }
  | {
      phases: PhaseRecord[];
      rows: SampleRow[];
      /** The app's annotated webcam frames over the session (its own timestamps). */
      frames: AnnotatedFrameTime[];
      longFrames: LongFrame[];
      cpu: CpuSample[];
      log: UpdateLogRecord[];
      statusBefore: HotlensStatus;
      statusAfter: HotlensStatus;
      checkErrors: string[];
      webcam: Awaited<ReturnType<typeof appMetrics>>['webcam'];
    };

/** What one phase does. */
export interface PhasePlan {
  name: PhaseName;
  /** The version each swap publishes, in order. */
  targets: string[];
  baselineMs: number;
  /** Steady serving after each swap settled, before the next publish, ms. */
  dwellMs: number;
  /** Swap counts after which the renderer processes' memory is read (fast). */
  memoryAfter?: number[];
  /** Swap counts after which measureUserAgentSpecificMemory() runs (slow: up to 60 s each). */
  uaMemoryAfter?: number[];
  /**
   * Live video with no swap for this long before the phase, the renderer memory read at both
   * ends: the control that tells the swaps' memory growth from the video's own.
   */
  controlMs?: number;
}

/** The session's phases. */
export interface SessionOptions {
  phases: PhasePlan[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` swaps alternating between A and B, starting with the one not serving (A serves at start). */
export function alternating(count: number, startWith = VERSION_B): string[] {
  const other = startWith === VERSION_B ? VERSION_A : VERSION_B;
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? startWith : other));
}

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

/** The update log across the session, deduplicated (each read returns the app's last 200 records). */
class LogCollector {
  private readonly records = new Map<string, UpdateLogRecord>();

  add(log: readonly UpdateLogRecord[]): void {
    for (const r of log) this.records.set(`${r.time}|${r.model}|${r.version}|${r.stage}|${r.outcome}|${r.source}`, r);
  }

  all(): UpdateLogRecord[] {
    return [...this.records.values()].sort((a, b) => a.time - b.time);
  }
}

/** Everything a phase needs from its session. */
interface SessionTools {
  ctx: BenchContext;
  page: Page;
  cpu: CpuSampler;
  log: LogCollector;
}

function countWorkers(tools: SessionTools): WorkerCount {
  const sample = tools.cpu.sample();
  return { threads: sample.threads.length ? workerThreads(sample) : null, playwright: tools.page.workers().length };
}

/** Waits (up to 10 s) until the worker count is back to `expected` threads: ended hosts go a moment after release. */
async function workersSettle(tools: SessionTools, expected: WorkerCount): Promise<WorkerCount> {
  const deadline = Date.now() + 10_000;
  let now = countWorkers(tools);
  while (now.threads !== expected.threads && Date.now() < deadline) {
    await sleep(200);
    now = countWorkers(tools);
  }
  return now;
}

async function activeVersion(page: Page): Promise<string | null> {
  return (await appStatus(page)).models[SWAP_MODEL]?.active ?? null;
}

/**
 * The first webcam frame annotated by `version` of SWAP_MODEL after `since`, waiting up to
 * `timeoutMs` for it (the new version's tracker answers once its first full frame is done,
 * which may come after the swap's last stage).
 */
async function firstFrameBy(page: Page, since: number, version: string, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const frame = (await appFrameTimes(page, since)).find((f) => versionIn(f.models, SWAP_MODEL) === version);
    if (frame || Date.now() > until) return frame ?? null;
    await sleep(50);
  }
}

/** One publish → serving → settled swap. */
async function swapOnce(tools: SessionTools, phase: PhaseName, index: number, to: string): Promise<SwapRecord> {
  const { page, ctx } = tools;
  const from = await activeVersion(page);
  ctx.server.take();
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
  const { ok, status } = await settle(page, to, 90_000);
  const settledAt = Date.now();
  tools.log.add(status.log);
  const seen = ok ? await firstFrameBy(page, publishedAt, to) : null;
  // Let the old session drain and its host end before measuring or publishing again.
  await sleep(600);
  const compileMs = (await appMetrics(page)).compileMs[SWAP_MODEL] ?? null;
  ctx.log(
    `${phase} swap ${index} ${from} → ${to}: ${ok ? `serving after ${seen ? Math.round(seen.at - publishedAt) : '?'} ms` : 'did not serve within 90 s'}`,
  );
  return {
    phase,
    index,
    from,
    to,
    publishedAt,
    servingAt: seen ? seen.at : null,
    settledAt,
    workersAfter: countWorkers(tools),
    compileMs,
    requests: ctx.server.take().map((t) => `${t.status} ${t.path} ${t.bytes + t.headerBytes}`),
    ...(ok ? {} : { error: `did not serve ${to} within 90 s` }),
  };
}

/** Renderer memory after a page GC, once the worker count is back to `workers`. */
async function settledMemory(tools: SessionTools, workers: WorkerCount) {
  await gcPage(tools.page);
  return { workers: await workersSettle(tools, workers), sample: rendererMemory(profileDir('swap')) };
}

/** Live video and nothing else for `ms`, the renderer memory read at both ends. */
async function videoOnly(tools: SessionTools, ms: number): Promise<NonNullable<PhaseRecord['control']>> {
  const workers = countWorkers(tools);
  const start = (await settledMemory(tools, workers)).sample;
  tools.ctx.log(`control: ${Math.round(ms / 1000)} s of live video without a swap`);
  const t0 = Date.now();
  await sleep(ms);
  const end = (await settledMemory(tools, workers)).sample;
  return { ms: Date.now() - t0, start, end };
}

async function runPhase(tools: SessionTools, plan: PhasePlan): Promise<PhaseRecord> {
  const { page, ctx } = tools;
  const control = plan.controlMs ? await videoOnly(tools, plan.controlMs) : undefined;
  const from = Date.now();
  const workersBefore = countWorkers(tools);
  await sleep(plan.baselineMs);
  const baseline = { from, to: Date.now() };
  const swaps: SwapRecord[] = [];
  const memory: PhaseRecord['memory'] = [];
  const processMemory: PhaseRecord['processMemory'] = [];
  let failures = 0;
  for (let i = 1; i <= plan.targets.length && failures < 2; i++) {
    const record = await swapOnce(tools, plan.name, i, plan.targets[i - 1]!);
    swaps.push(record);
    failures = record.error ? failures + 1 : 0;
    if (plan.memoryAfter?.includes(i)) {
      // A GC of the page first, so garbage does not pass for growth (workers collect on their own).
      processMemory.push({ afterSwaps: i, ...(await settledMemory(tools, workersBefore)) });
    }
    if (plan.uaMemoryAfter?.includes(i)) {
      const t0 = Date.now();
      const sample = await measureMemory(page);
      memory.push({ afterSwaps: i, sample });
      ctx.log(`memory after ${i} swap(s): ${sample.bytes ?? sample.error} bytes (${Date.now() - t0} ms to measure)`);
      await sleep(1000);
    }
    if (plan.dwellMs > 0) await sleep(plan.dwellMs);
    if (i % 10 === 0) ctx.log(`${plan.name}: ${i}/${plan.targets.length} swaps`);
  }
  const workersAfter = await workersSettle(tools, workersBefore);
  return {
    name: plan.name,
    baseline,
    swaps,
    from,
    to: Date.now(),
    workersBefore,
    workersAfter,
    memory,
    processMemory,
    ...(control ? { control } : {}),
  };
}

/** Upper bound on a busy phase's duration, for the busy process's own deadline. */
function busyBoundMs(plan: PhasePlan): number {
  return Math.min(10 * 60_000, plan.baselineMs + plan.targets.length * (30_000 + plan.dwellMs) + 30_000);
}

/** Runs a session; returns `{skipped}` when the build cannot hot-swap. */
export async function runSwapSession(ctx: BenchContext, opts: SessionOptions): Promise<SwapSession> {
  await resetRegistry();
  await publishVariantAsVersion(SWAP_MODEL, VERSION_A, '416-float32', VERSION_B);
  await publishStable(SWAP_MODEL, VERSION_A);
  const context = await launchProfile('swap', { camera: true });
  const cpu = new CpuSampler(profileDir('swap'));
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
    const log = new LogCollector();
    log.add(statusBefore.log);
    const tools: SessionTools = { ctx, page, cpu, log };
    await startSampler(page, SWAP_MODEL);
    cpu.start(100);
    const phases: PhaseRecord[] = [];
    for (const plan of opts.phases) {
      if (plan.name !== 'busy') {
        phases.push(await runPhase(tools, plan));
        continue;
      }
      ctx.log(`busy phase: one core kept busy for at most ${Math.round(busyBoundMs(plan) / 1000)} s`);
      const { result, busy } = await withBusyCore(busyBoundMs(plan), () => runPhase(tools, plan));
      phases.push({ ...result, busy });
      ctx.log(
        `busy process stopped: it got ${busy.cpu_share ?? '?'} of a core${busy.ended_early ? ' (ENDED EARLY)' : ''}`,
      );
    }
    cpu.stop();
    const sampled = await stopSampler(page);
    const statusAfter = await appStatus(page);
    log.add(statusAfter.log);
    const checkErrors = await page.evaluate(() => (globalThis as unknown as { __benchChecks: string[] }).__benchChecks);
    const webcam = (await appMetrics(page)).webcam;
    return {
      phases,
      rows: sampled.rows,
      frames: sampled.frames,
      longFrames: sampled.longFrames,
      cpu: cpu.samples,
      log: log.all(),
      statusBefore,
      statusAfter,
      checkErrors,
      webcam,
    };
  } catch (err) {
    throw new Error(`swap session: ${errorMessage(err)}`, { cause: err });
  } finally {
    cpu.stop();
    await context.close();
  }
}
