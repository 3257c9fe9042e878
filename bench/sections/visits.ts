/**
 * @file Sections 3 and 6, cold start and bytes, from one sequence of visits on one on-disk
 * profile with the fake webcam on (`?camera=on`, so "first annotated result" is the app's own
 * navigation-start → first annotated frame figure):
 *   (a) first visit, empty profile; (b) repeat visit after a browser restart (models from
 *   IndexedDB, shell from the service worker); (c) the same, offline.
 * The bench server logs every response, so bytes are exactly what crossed the network, for the
 * page, its workers and the service worker alike.
 */
import type { BrowserContext } from '@playwright/test';
import { appMetrics, appReady, appStatus } from '../lib/app-page.ts';
import { launchProfile } from '../lib/browser.ts';
import { errorMessage, type BenchContext } from '../lib/context.ts';
import { resetRegistry } from '../lib/registry.ts';
import type { Transfer } from '../lib/server.ts';
import { median, round } from '../lib/stats.ts';
import { withBusyCore } from '../lib/busy-core.ts';

const PROFILE = 'visits';
/** Repeat visits whose median is the figure. */
const REPEAT_VISITS = 3;
/** Upper bound on the busy visit (the busy process ends by itself by then). */
const BUSY_VISIT_BOUND_MS = 3 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a request was for. */
export function category(path: string): string {
  if (path.endsWith('/models/manifest.json')) return 'manifest';
  if (path.startsWith('/models/blobs/')) return 'models';
  if (path.startsWith('/models/')) return 'registry-other';
  if (path.endsWith('.wasm')) return 'wasm';
  return 'shell';
}

/**
 * Who caused a request. `browser`: the service-worker update check the browser runs on
 * navigation (spec-mandated, `sw-script`), and — on a page its service worker controls — the
 * navigation request Chromium sends to the network in parallel with starting the worker
 * (ServiceWorkerAutoPreload; the page is still served from the precache, see the control visit).
 * `app`: everything the page, its workers and its service worker's own code fetch.
 */
export function initiator(t: Transfer, controlled: boolean): 'app' | 'browser' {
  if (t.by === 'sw-script') return 'browser';
  if (controlled && t.by === 'document/navigate') return 'browser';
  return 'app';
}

/** Bytes by category (body + headers). */
export function byCategory(transfers: Transfer[]): Record<string, { requests: number; bytes: number }> {
  const out: Record<string, { requests: number; bytes: number }> = {};
  for (const t of transfers) {
    const c = (out[category(t.path)] ??= { requests: 0, bytes: 0 });
    c.requests += 1;
    c.bytes += t.bytes + t.headerBytes;
  }
  return out;
}

/** "304 /sw.js 290 B (sw-script)". */
const describe = (t: Transfer) => `${t.status} ${t.path} ${t.bytes + t.headerBytes} B (${t.by})`;

const total = (ts: Transfer[]) => ts.reduce((n, t) => n + t.bytes + t.headerBytes, 0);

interface Visit {
  /** Navigation timing: response end and DOMContentLoaded end (ms from navigation start). */
  nav: { responseEnd: number; domContentLoaded: number } | null;
  firstFrameMs: number | null;
  readyMs: number | null;
  loadMs: number | null;
  firstFrameInferenceMs: number | null;
  steadyInferenceMs: number | null;
  earlyInferenceMs: number[];
  serviceWorker: 'controlled' | 'registered' | 'none';
  transfers: Transfer[];
  error?: string;
}

async function visit(ctx: BenchContext, context: BrowserContext, offline: boolean): Promise<Visit> {
  if (offline) await context.setOffline(true);
  ctx.server.take();
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    await page.goto(ctx.server.url('/?camera=on'), { timeout: 60_000 });
    await appReady(page);
    const deadline = Date.now() + 60_000;
    let m = await appMetrics(page);
    while (m.firstFrameMs === null && Date.now() < deadline) {
      await sleep(100);
      m = await appMetrics(page);
    }
    // Steady state, and time for the service worker to finish installing (its precache is first-visit traffic).
    await sleep(6000);
    const sw = await page.evaluate(async () => {
      const c = (
        globalThis as unknown as {
          navigator: { serviceWorker?: { controller: unknown; getRegistration(): Promise<unknown> } };
        }
      ).navigator.serviceWorker;
      if (!c) return 'none' as const;
      if (c.controller) return 'controlled' as const;
      return (await c.getRegistration()) ? ('registered' as const) : ('none' as const);
    });
    const steady = await appMetrics(page);
    const status = await appStatus(page);
    // Responses are logged when they end: let a long download (the precache) finish first.
    await ctx.server.quiet();
    const nav = await page.evaluate(() => {
      const e = performance.getEntriesByType('navigation')[0] as
        { responseEnd: number; domContentLoadedEventEnd: number } | undefined;
      return e ? { responseEnd: e.responseEnd, domContentLoaded: e.domContentLoadedEventEnd } : null;
    });
    return {
      nav,
      firstFrameMs: m.firstFrameMs,
      readyMs: m.readyMs,
      loadMs: m.loadMs,
      firstFrameInferenceMs: m.firstFrameInferenceMs,
      steadyInferenceMs: steady.webcam.p50,
      earlyInferenceMs: steady.earlyInferenceMs,
      serviceWorker: sw,
      transfers: ctx.server.take(),
      ...(m.firstFrameMs === null
        ? { error: `no annotated frame within 60 s (frames: ${JSON.stringify(status.frames)})` }
        : {}),
    };
  } catch (err) {
    return {
      nav: null,
      firstFrameMs: null,
      readyMs: null,
      loadMs: null,
      firstFrameInferenceMs: null,
      steadyInferenceMs: null,
      earlyInferenceMs: [],
      serviceWorker: 'none',
      transfers: ctx.server.take(),
      error: errorMessage(err),
    };
  }
}

/** Chromium's speculative network request for navigations a service worker handles. */
const AUTO_PRELOAD = 'ServiceWorkerAutoPreload';

/**
 * A control visit with Chromium's auto-preload switched off: if the service worker serves the
 * navigation from its precache, the server then sees no request for the page at all.
 */
async function navigationControl(ctx: BenchContext): Promise<{ navigationRequests: string[] }> {
  const context = await launchProfile(PROFILE, { reuse: true, extraArgs: [`--disable-features=${AUTO_PRELOAD}`] });
  try {
    ctx.server.take();
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(ctx.server.url('/'), { timeout: 60_000 });
    await appReady(page);
    return {
      navigationRequests: ctx.server
        .take()
        .filter((t) => t.by === 'document/navigate')
        .map(describe),
    };
  } finally {
    await context.close();
  }
}

async function visitWith(ctx: BenchContext, reuse: boolean, offline: boolean): Promise<Visit> {
  const context = await launchProfile(PROFILE, { camera: true, reuse });
  try {
    return await visit(ctx, context, offline);
  } finally {
    await context.close();
  }
}

function visitJson(v: Visit) {
  return {
    html_response_end_ms: round(v.nav?.responseEnd),
    dom_content_loaded_ms: round(v.nav?.domContentLoaded),
    first_annotated_frame_ms: round(v.firstFrameMs),
    models_ready_ms: round(v.readyMs),
    worker_load_ms: round(v.loadMs),
    first_frame_inference_ms: round(v.firstFrameInferenceMs),
    steady_inference_ms_p50: round(v.steadyInferenceMs),
    early_inference_ms: v.earlyInferenceMs.map((x) => round(x)),
    service_worker: v.serviceWorker,
    ...(v.error ? { error: v.error } : {}),
  };
}

/** Runs the visit sequence; returns the cold_start and bytes sections. */
export async function runVisits(ctx: BenchContext) {
  await resetRegistry();
  const first = await visitWith(ctx, false, false);
  ctx.log(`first visit: ${first.firstFrameMs?.toFixed(0)} ms to the first annotated frame, SW ${first.serviceWorker}`);
  const repeat = await visitWith(ctx, true, false);
  ctx.log(`repeat visit: ${repeat.firstFrameMs?.toFixed(0)} ms, ${repeat.transfers.length} responses`);
  // More repeat visits for a median (one visit on a shared machine is noise), then one with a core busy.
  const repeats = [repeat];
  for (let i = 1; i < REPEAT_VISITS; i++) repeats.push(await visitWith(ctx, true, false));
  const repeatMs = repeats.map((v) => v.firstFrameMs).filter((v): v is number => v !== null);
  ctx.log(`repeat visits: ${repeatMs.map((v) => v.toFixed(0)).join(', ')} ms`);
  const { result: busy, busy: busyCore } = await withBusyCore(BUSY_VISIT_BOUND_MS, () => visitWith(ctx, true, false));
  ctx.log(`repeat visit, one core busy: ${busy.firstFrameMs?.toFixed(0)} ms`);
  const swReady = first.serviceWorker !== 'none' && repeat.serviceWorker === 'controlled';
  const noSw = 'the app registered no service worker (or it did not control the repeat visit): no offline shell';
  const offline = swReady ? await visitWith(ctx, true, true) : null;
  if (offline) ctx.log(`offline visit: ${offline.firstFrameMs?.toFixed(0)} ms`);
  const control = swReady ? await navigationControl(ctx).catch((err: unknown) => ({ error: errorMessage(err) })) : null;
  // The page's own navigation counts as the browser's only when the control visit proved the
  // service worker serves it; otherwise it is the app's (its precache missed).
  const swServesNavigation = !!control && 'navigationRequests' in control && control.navigationRequests.length === 0;
  const controlled = repeat.serviceWorker === 'controlled';
  const by = (t: Transfer) => (t.by === 'document/navigate' && !swServesNavigation ? 'app' : initiator(t, controlled));
  const repeatApp = repeat.transfers.filter((t) => by(t) === 'app');
  const repeatBrowser = repeat.transfers.filter((t) => by(t) === 'browser');
  const repeatPaths = repeat.transfers.map((t) => `${describe(t)} [${by(t)}]`);
  const onlyManifest = repeatApp.every((t) => category(t.path) === 'manifest');
  const cold_start = {
    first_visit_ms: round(first.firstFrameMs),
    ...(first.firstFrameMs === null ? { first_visit_ms_skipped: first.error ?? 'no frame' } : {}),
    repeat_visit_ms: swReady ? round(median(repeatMs)) : null,
    ...(swReady ? {} : { repeat_visit_ms_skipped: noSw, repeat_visit_without_sw_ms: round(repeat.firstFrameMs) }),
    repeat_visits_ms: repeatMs.map((v) => round(v)),
    repeat_visit_busy_ms: swReady ? round(busy.firstFrameMs) : null,
    ...(swReady ? {} : { repeat_visit_busy_ms_skipped: noSw }),
    repeat_visit_busy_core: busyCore,
    offline_repeat_visit_ms: offline ? round(offline.firstFrameMs) : null,
    ...(offline ? {} : { offline_repeat_visit_ms_skipped: noSw }),
    first_vs_steady_inference: {
      first_frame_ms: round(first.firstFrameInferenceMs),
      steady_p50_ms: round(first.steadyInferenceMs),
    },
    visits: {
      first: visitJson(first),
      repeat: visitJson(repeat),
      repeat_busy: visitJson(busy),
      ...(offline ? { offline: visitJson(offline) } : {}),
    },
    how: `navigation start → first annotated webcam frame (hotlens.metrics().firstFrameMs, ?camera=on, fake 15 fps camera); each visit in a freshly launched browser on the same profile; repeat_visit_ms = median of ${REPEAT_VISITS} repeat visits; repeat_visit_busy_ms = one more with one core kept busy by a background process`,
  };
  const bytes = {
    first_visit: total(first.transfers),
    first_visit_by_category: byCategory(first.transfers),
    repeat_visit: total(repeat.transfers),
    repeat_visit_by_category: byCategory(repeat.transfers),
    repeat_visit_requests: repeatPaths,
    // Judged on what the app asks for; the browser's own requests are counted in repeat_visit and listed.
    repeat_visit_only_manifest: onlyManifest,
    repeat_visit_app_initiated: total(repeatApp),
    repeat_visit_browser_initiated: total(repeatBrowser),
    navigation_control: control
      ? {
          ...control,
          how: `repeat visit with --disable-features=${AUTO_PRELOAD}: no request for the page means the service worker serves it from the precache, and the 304 of the normal visit is Chromium's parallel preload`,
          sw_serves_navigation: swServesNavigation,
        }
      : null,
    offline_visit: offline ? total(offline.transfers) : null,
    offline_visit_requests: offline ? offline.transfers.map(describe) : [],
    how: 'bytes the bench server sent (bodies + headers, uncompressed) while each visit ran, service-worker precache included; cache headers: content-hashed assets and blobs immutable, the rest no-cache + ETag; [browser] = the service-worker update check on navigation and Chromium’s navigation preload, [app] = everything else',
  };
  return { cold_start, bytes };
}
