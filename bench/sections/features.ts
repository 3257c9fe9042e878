/**
 * @file Section 7, objects and classification per photo: the real hotlens app with
 * `?features=objects` and with `?features=classification` (a photo dropped on the page, timed to
 * its annotation) against their peers on TF.js `wasm` with the same weights, same photos (face-api's
 * six samples), same browser, same run — Human 3.3.6's centernet path and nsfwjs 4.4.0's
 * `classify` with MobileNetV2Mid (bench/pages/tfjs-peers). Both sides run the thread count
 * hotlens ships on this machine (TF.js caps its pool at hardwareConcurrency / 2, so 1 thread
 * on 2 cores, like hotlens there). Warm-up pass, then rounds interleaved photo by photo.
 * Also recorded: whether both sides found as many objects and the same top class.
 */
import type { Page } from '@playwright/test';
import type { BenchPeersApi, PeerInfo } from '../pages/api.ts';
import type { HotlensStatus } from '../../src/app/hotlens-api.ts';
import { appReady, dropPhoto, preloadPhotos } from '../lib/app-page.ts';
import { launch } from '../lib/browser.ts';
import type { BenchContext } from '../lib/context.ts';
import { load1 } from '../lib/machine.ts';
import { SAMPLE_NAMES } from '../lib/paths.ts';
import { median, ratio, round, rounded, summarize } from '../lib/stats.ts';

type PeersWindow = { benchPeers: BenchPeersApi };

/** One side's samples for one photo. */
interface Samples {
  ms: number[];
  /** hotlens: worker time from the result card; peers: without decode. */
  innerMs: number[];
  /** Objects found, or the top class. */
  found: (number | string)[];
}

const SIDES = ['hotlens_objects', 'human_centernet_wasm', 'hotlens_classification', 'nsfwjs_wasm'] as const;
type Side = (typeof SIDES)[number];

/** Which hotlens side each peer is compared with. */
const PAIRS = {
  objects: ['hotlens_objects', 'human_centernet_wasm'],
  classification: ['hotlens_classification', 'nsfwjs_wasm'],
} as const;

async function openApp(page: Page, ctx: BenchContext, features: string, urls: string[]): Promise<HotlensStatus> {
  await page.goto(ctx.server.url(`/?features=${features}`));
  const status = await appReady(page);
  if (status.features.serving.join() !== features)
    throw new Error(`the app serves ${status.features.serving.join()}, not ${features}`);
  await preloadPhotos(page, urls);
  return status;
}

async function openPeers(page: Page, ctx: BenchContext, threads: number, urls: string[]): Promise<PeerInfo> {
  await page.goto(ctx.server.url('/bench/tfjs-peers.html'));
  await page.waitForFunction(() => 'benchPeers' in globalThis);
  const info = await page.evaluate((o) => (globalThis as unknown as PeersWindow).benchPeers.init(o), {
    wasmUrl: ctx.server.url('/tfjs-wasm/'),
    threads,
    centernetUrl: ctx.server.url('/human-model/centernet.json'),
  });
  await page.evaluate((u) => (globalThis as unknown as PeersWindow).benchPeers.preload(u), urls);
  return info;
}

async function measure(side: Side, page: Page, url: string, name: string) {
  await page.bringToFront();
  if (side === 'hotlens_objects' || side === 'hotlens_classification') {
    const r = await dropPhoto(page, url, name);
    const found =
      side === 'hotlens_objects'
        ? (r.annotation.objects?.length ?? 0)
        : (r.annotation.classification?.[0]?.label ?? '');
    return { ms: r.roundTripMs, innerMs: r.workerMs, found };
  }
  if (side === 'human_centernet_wasm') {
    const r = await page.evaluate((u) => (globalThis as unknown as PeersWindow).benchPeers.objects(u), url);
    return { ms: r.totalMs, innerMs: r.inferMs, found: r.objects.length };
  }
  const r = await page.evaluate((u) => (globalThis as unknown as PeersWindow).benchPeers.classify(u), url);
  return { ms: r.totalMs, innerMs: r.inferMs, found: r.classes[0]?.label ?? '' };
}

/** Runs the section. */
export async function runFeatures(ctx: BenchContext) {
  const urls = SAMPLE_NAMES.map((n) => ctx.server.url(`/samples/${n}`));
  const rounds = Math.min(ctx.options.rounds, 3);
  const loadBefore = load1();
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pages = {} as Record<Side, Page>;
    for (const side of SIDES) pages[side] = await context.newPage();
    const objectsApp = await openApp(pages.hotlens_objects, ctx, 'objects', urls);
    await openApp(pages.hotlens_classification, ctx, 'classification', urls);
    const threads = objectsApp.threads ?? 1;
    const peerInfo = await openPeers(pages.human_centernet_wasm, ctx, threads, urls);
    await openPeers(pages.nsfwjs_wasm, ctx, threads, urls);
    ctx.log(`hotlens ${threads} thread(s); TF.js ${peerInfo.tfjs} wasm ${peerInfo.threads} thread(s)`);
    const samples = Object.fromEntries(
      SIDES.map((s) => [s, urls.map((): Samples => ({ ms: [], innerMs: [], found: [] }))]),
    ) as Record<Side, Samples[]>;
    for (const side of SIDES)
      for (let i = 0; i < urls.length; i++) await measure(side, pages[side], urls[i]!, SAMPLE_NAMES[i]!);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...SIDES].reverse() : [...SIDES];
      for (let i = 0; i < urls.length; i++) {
        for (const side of order) {
          const r = await measure(side, pages[side], urls[i]!, SAMPLE_NAMES[i]!);
          const s = samples[side][i]!;
          s.ms.push(r.ms);
          if (r.innerMs !== null) s.innerMs.push(r.innerMs);
          s.found.push(r.found);
        }
      }
      ctx.log(`round ${round + 1}/${rounds} done (load ${load1()})`);
    }
    const all = (side: Side, key: 'ms' | 'innerMs' = 'ms') => samples[side].flatMap((s) => s[key]);
    const pair = ([ours, peer]: readonly [Side, Side]) => ({
      hotlens_ms_p50: round(median(all(ours))),
      peer_ms_p50: round(median(all(peer))),
      // Median over photos of peer ms ÷ hotlens ms (> 1: hotlens is faster).
      ratio_peer_over_hotlens: round(
        median(
          urls
            .map((_, i) => ratio(median(samples[peer][i]!.ms), median(samples[ours][i]!.ms)))
            .filter((r): r is number => r !== null),
        ),
        2,
      ),
      hotlens: { ms: rounded(summarize(all(ours))), worker_ms: rounded(summarize(all(ours, 'innerMs'))) },
      peer: { ms: rounded(summarize(all(peer))), without_decode_ms: rounded(summarize(all(peer, 'innerMs'))) },
      per_photo: SAMPLE_NAMES.map((photo, i) => ({
        photo,
        hotlens_ms: round(median(samples[ours][i]!.ms)),
        peer_ms: round(median(samples[peer][i]!.ms)),
        hotlens_found: samples[ours][i]!.found[0] ?? null,
        peer_found: samples[peer][i]!.found[0] ?? null,
      })),
    });
    return {
      objects: pair(PAIRS.objects),
      classification: pair(PAIRS.classification),
      setup: {
        rounds,
        photos: SAMPLE_NAMES,
        hotlens_threads: threads,
        peers: peerInfo,
        objects:
          'hotlens ?features=objects (object-detector 1.0.0) vs Human 3.3.6 centernet path (resizeBilinear 512, execute, NMS) on TF.js wasm',
        classification:
          "hotlens ?features=classification (image-classifier 1.0.0) vs nsfwjs 4.4.0 load('MobileNetV2Mid').classify(canvas, 5) on TF.js wasm",
        timing:
          'hotlens: drop event → annotation in the app store (worker = the result card time); peers: Blob → createImageBitmap → canvas → result (without decode = after the canvas)',
        found: 'objects: detections per photo; classification: top class (first timed round)',
        load_average_before: loadBefore,
        load_average_after: load1(),
      },
    };
  } finally {
    await browser.close();
  }
}
