/**
 * @file Section 2, the full pipeline per photo (detector + attributes + expression for every
 * face) over face-api's six sample photos: the real hotlens app (photo dropped on the page,
 * timed to its annotation) against face-api on TF.js `wasm` and `webgl` with the same weights,
 * same photos, same browser, same run. Everyone is warmed up first; then rounds interleave the
 * sides photo by photo (alternating the order) so machine noise hits all of them alike.
 *
 * Threads: hotlens runs as shipped (`hotlens`: its default thread count for this machine) and
 * with the other count (`hotlens_other_threads`: `?threads=2` when the default is 1, else
 * `?threads=1`). TF.js sizes its pool as hardwareConcurrency/2 and caps setThreadsCount()
 * there, i.e. ONE thread on a 2-core machine; the 2-thread face-api side presents
 * hardwareConcurrency = 4 to its page so TF.js really runs two. The key ratio is hotlens as
 * shipped against the faster face-api wasm configuration; same-thread-count ratios are reported
 * beside it.
 */
import type { Page } from '@playwright/test';
import type { BenchFaceApiApi, FaceApiInfo } from '../pages/api.ts';
import type { HotlensStatus } from '../../src/app/hotlens-api.ts';
import { appReady, dropBatch, dropPhoto, preloadPhotos } from '../lib/app-page.ts';
import { launch } from '../lib/browser.ts';
import { errorMessage, type BenchContext } from '../lib/context.ts';
import { load1 } from '../lib/machine.ts';
import { SAMPLE_NAMES } from '../lib/paths.ts';
import { summarizePipeline, type BatchSide, type SideSamples } from './pipeline-summary.ts';
import { pipelineBreakdown } from './pipeline-breakdown.ts';

type FaceApiWindow = { benchFaceApi: BenchFaceApiApi };

/** The sides compared. */
export const SIDES = [
  'hotlens',
  'hotlens_other_threads',
  'faceapi_wasm_1t',
  'faceapi_wasm_2t',
  'faceapi_webgl',
] as const;
export type Side = (typeof SIDES)[number];

type Spec = { kind: 'app'; query: string } | { kind: 'faceapi'; backend: 'wasm' | 'webgl'; threads: number };

const SPECS: Record<Side, Spec> = {
  hotlens: { kind: 'app', query: '' },
  // The query is set once `hotlens` reports its default thread count.
  hotlens_other_threads: { kind: 'app', query: '?threads=2' },
  faceapi_wasm_1t: { kind: 'faceapi', backend: 'wasm', threads: 1 },
  faceapi_wasm_2t: { kind: 'faceapi', backend: 'wasm', threads: 2 },
  faceapi_webgl: { kind: 'faceapi', backend: 'webgl', threads: 1 },
};

/** What each opened side reports about its set-up. */
export type SideInfo = { kind: 'app'; status: HotlensStatus } | ({ kind: 'faceapi' } & FaceApiInfo);

async function openSide(page: Page, ctx: BenchContext, spec: Spec, urls: string[]): Promise<SideInfo> {
  if (spec.kind === 'app') {
    await page.goto(ctx.server.url(`/${spec.query}`));
    const status = await appReady(page);
    await preloadPhotos(page, urls);
    return { kind: 'app', status };
  }
  if (spec.backend === 'wasm' && spec.threads > 1) {
    // TF.js caps its pool at hardwareConcurrency / 2; present enough cores for `threads`.
    await page.addInitScript((cores) => {
      const nav = (globalThis as unknown as { navigator: object }).navigator;
      Object.defineProperty(nav, 'hardwareConcurrency', { value: cores, configurable: true });
    }, spec.threads * 2);
  }
  await page.goto(ctx.server.url('/bench/faceapi.html'));
  await page.waitForFunction(() => 'benchFaceApi' in globalThis);
  const info = await page.evaluate((o) => (globalThis as unknown as FaceApiWindow).benchFaceApi.init(o), {
    backend: spec.backend,
    threads: spec.threads,
    modelUrl: ctx.server.url('/faceapi-model/'),
    wasmUrl: ctx.server.url('/tfjs-wasm/'),
    // The detector hotlens serves (face-detector 1.0.0): tiny at 416, face-api's default threshold.
    inputSize: 416,
    scoreThreshold: 0.5,
  });
  if (spec.backend === 'wasm' && info.threads !== spec.threads) {
    throw new Error(`TF.js runs ${info.threads} wasm thread(s), ${spec.threads} were asked for`);
  }
  await page.evaluate((u) => (globalThis as unknown as FaceApiWindow).benchFaceApi.preload(u), urls);
  return { kind: 'faceapi', ...info };
}

/** One timed photo on one side. */
async function measure(page: Page, spec: Spec, url: string, name: string) {
  await page.bringToFront();
  if (spec.kind === 'app') {
    const r = await dropPhoto(page, url, name);
    return { ms: r.roundTripMs, innerMs: r.workerMs, decodeMs: null, faces: r.annotation.faces?.length ?? 0 };
  }
  const r = await page.evaluate((u) => (globalThis as unknown as FaceApiWindow).benchFaceApi.analyse(u), url);
  return { ms: r.totalMs, innerMs: r.detectMs, decodeMs: r.decodeMs, faces: r.faces.length };
}

/**
 * The whole set of photos as one batch on one side, in ms per photo: hotlens gets them in one
 * drop event (its queue overlaps photos); face-api analyses them one after another, as its API
 * does.
 */
async function measureBatch(page: Page, spec: Spec, urls: string[]): Promise<number> {
  await page.bringToFront();
  if (spec.kind === 'app') return (await dropBatch(page, urls, [...SAMPLE_NAMES])) / urls.length;
  const ms = await page.evaluate(async (list) => {
    const api = (globalThis as unknown as FaceApiWindow).benchFaceApi;
    const t0 = performance.now();
    for (const u of list) await api.analyse(u);
    return performance.now() - t0;
  }, urls);
  return ms / urls.length;
}

/** Sides timed on whole batches. */
const BATCH_SIDES = ['hotlens', 'faceapi_wasm_1t', 'faceapi_wasm_2t'] as const satisfies readonly BatchSide[];

/** Runs the section. */
export async function runPipeline(ctx: BenchContext) {
  const urls = SAMPLE_NAMES.map((n) => ctx.server.url(`/samples/${n}`));
  const loadBefore = load1();
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pages: Partial<Record<Side, Page>> = {};
    const info: Partial<Record<Side, SideInfo>> = {};
    const skipped: Partial<Record<Side, string>> = {};
    for (const side of SIDES) {
      const page = await context.newPage();
      const shipped = info.hotlens?.kind === 'app' ? info.hotlens.status.threads : null;
      if (side === 'hotlens_other_threads') SPECS[side] = { kind: 'app', query: `?threads=${shipped === 1 ? 2 : 1}` };
      try {
        info[side] = await openSide(page, ctx, SPECS[side], urls);
        pages[side] = page;
        ctx.log(`${side} ready`);
      } catch (err) {
        skipped[side] = `could not start: ${errorMessage(err)}`;
        ctx.log(`${side} skipped: ${skipped[side]}`);
        await page.close();
      }
    }
    if (!pages.hotlens) throw new Error(`the app did not start (${skipped.hotlens})`);
    const samples = Object.fromEntries(
      SIDES.map((s) => [s, urls.map(() => ({ ms: [], innerMs: [], decodeMs: [], faces: [] }))]),
    ) as unknown as Record<Side, SideSamples[]>;
    const active = SIDES.filter((s) => pages[s]);
    const timed = async (side: Side, i: number, record: boolean) => {
      const r = await measure(pages[side]!, SPECS[side], urls[i]!, SAMPLE_NAMES[i]!);
      if (!record) return;
      const s = samples[side][i]!;
      s.ms.push(r.ms);
      if (r.innerMs !== null) s.innerMs.push(r.innerMs);
      if (r.decodeMs !== null) s.decodeMs.push(r.decodeMs);
      s.faces.push(r.faces);
    };
    ctx.log(`warm-up: every photo once on ${active.join(', ')}`);
    for (const side of active) for (let i = 0; i < urls.length; i++) await timed(side, i, false);
    for (let round = 0; round < ctx.options.rounds; round++) {
      const order = active.filter((s) => s !== 'faceapi_webgl' || round < ctx.options.webglRounds);
      if (round % 2 === 1) order.reverse();
      for (let i = 0; i < urls.length; i++) for (const side of order) await timed(side, i, true);
      ctx.log(`round ${round + 1}/${ctx.options.rounds} done (load ${load1()})`);
    }
    const batches = Object.fromEntries(BATCH_SIDES.map((side) => [side, [] as number[]])) as Record<
      BatchSide,
      number[]
    >;
    const batchSides = BATCH_SIDES.filter((side) => pages[side]);
    for (let round = 0; round < ctx.options.rounds; round++) {
      const order = round % 2 === 1 ? [...batchSides].reverse() : batchSides;
      for (const side of order) batches[side].push(await measureBatch(pages[side]!, SPECS[side], urls));
    }
    ctx.log(`${ctx.options.rounds} batch rounds of ${urls.length} photos done (load ${load1()})`);
    const loadAfter = load1();
    for (const page of Object.values(pages)) await page.close();
    ctx.log('stage breakdown of the hotlens pipeline (1 and 2 threads)');
    let breakdown: Record<string, unknown>;
    try {
      breakdown = await pipelineBreakdown(ctx, await context.newPage(), Math.max(1, Math.min(3, ctx.options.rounds)));
    } catch (err) {
      breakdown = { error: errorMessage(err) };
    }
    const summary = summarizePipeline(samples, batches, {
      info,
      skipped,
      loadBefore,
      loadAfter,
      rounds: ctx.options.rounds,
      webglRounds: Math.min(ctx.options.rounds, ctx.options.webglRounds),
    });
    return { ...summary, breakdown };
  } finally {
    await browser.close();
  }
}
