/**
 * @file Section 8, faces of the second model generation per photo: the real hotlens app serving
 * generation 2 (manifest group `faces-gen2`: face-detector 3.0.0, face-attributes 2.0.0,
 * face-expression 2.0.0 — Human's BlazeFace, FaceRes and emotion graphs in ONNX; the page pins
 * face-detector to 3.0.0 through `window.hotlens.pin` and the group follows) against Human 3.3.6
 * itself on TF.js `wasm` (bench/pages/human: its browser ESM build and its model files served from
 * node_modules, configured as the Node parity reference configures it — BlazeFace boxes, FaceMesh
 * off, FaceRes and emotion on, maxDetected 100). Same photos (face-api's six samples), same
 * browser, same run. Both sides run the thread count hotlens ships on this machine (TF.js caps
 * its pool at hardwareConcurrency / 2: 1 thread on 2 cores, like hotlens there). Warm-up pass,
 * then rounds interleaved photo by photo, the side order alternating per round.
 *
 * Timing, decode included on both sides: hotlens — a photo dropped on the page as a File, drop
 * event → annotation in the app store (the worker decodes the Blob); Human — Blob →
 * createImageBitmap → canvas → `human.detect(canvas)` → result. Also recorded: the faces each
 * side found per photo, and that every hotlens result names the generation-2 versions.
 */
import type { Page } from '@playwright/test';
import type { BenchHumanApi, HumanInfo } from '../pages/api.ts';
import type { HotlensStatus } from '../../src/app/hotlens-api.ts';
import { appReady, appStatus, dropPhoto, preloadPhotos, type AppWindow } from '../lib/app-page.ts';
import { launch } from '../lib/browser.ts';
import type { BenchContext } from '../lib/context.ts';
import { load1 } from '../lib/machine.ts';
import { SAMPLE_NAMES } from '../lib/paths.ts';
import { median, ratio, round, rounded, summarize } from '../lib/stats.ts';

type HumanWindow = { benchHuman: BenchHumanApi };

/** The versions of generation 2 (tools/convert/generation-2.ts), pinned through the detector. */
const GENERATION_2 = { 'face-detector': '3.0.0', 'face-attributes': '2.0.0', 'face-expression': '2.0.0' } as const;

const SIDES = ['hotlens', 'human'] as const;
type Side = (typeof SIDES)[number];

/** One side's samples for one photo. */
interface Samples {
  ms: number[];
  /** hotlens: worker time from the result card; Human: `detect` alone (after the canvas). */
  innerMs: number[];
  /** Faces found, per run. */
  faces: number[];
  /** hotlens: faces that got age, gender and expression (no quality flag); Human: all of them. */
  described: number[];
}

const generationText = (models: Record<string, string | null>) =>
  Object.keys(GENERATION_2)
    .map((id) => `${id}@${models[id] ?? '—'}`)
    .join(' ');

/** Pins face-detector to 3.0.0 and waits until all three generation-2 models serve, idle. */
async function pinGeneration2(page: Page, ctx: BenchContext, timeoutMs = 300_000): Promise<number> {
  const t0 = Date.now();
  await page.evaluate(() => (globalThis as unknown as AppWindow).hotlens.pin('face-detector', '3.0.0'));
  // The pin moves the tab once the bytes are on the device; a check downloads them now.
  await page.evaluate(() => (globalThis as unknown as AppWindow).hotlens.checkForUpdates());
  let logged = t0;
  for (;;) {
    const status = await appStatus(page);
    const models = Object.entries(GENERATION_2).map(([id, version]) => ({ id, version, m: status.models[id] }));
    if (models.every(({ version, m }) => m?.active === version && m.stage === 'idle')) return Date.now() - t0;
    const now = () => JSON.stringify(Object.fromEntries(models.map(({ id, m }) => [id, `${m?.active} ${m?.stage}`])));
    const failed = models.find(
      ({ version, m }) => m?.stage === 'error' || (m?.stage === 'rejected' && m.stageVersion === version),
    );
    if (failed) throw new Error(`${failed.id} did not reach ${failed.version}: ${failed.m?.reason ?? now()}`);
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`generation 2 did not serve within ${timeoutMs / 1000} s: ${now()}`);
    if (Date.now() - logged > 30_000) {
      logged = Date.now();
      ctx.log(`waiting for generation 2: ${now()}`);
    }
    await page.waitForTimeout(250);
  }
}

async function openApp(
  page: Page,
  ctx: BenchContext,
  urls: string[],
): Promise<{ status: HotlensStatus; pinMs: number }> {
  await page.goto(ctx.server.url('/?features=faces'));
  await appReady(page);
  const pinMs = await pinGeneration2(page, ctx);
  const status = await appStatus(page);
  if (status.features.serving.join() !== 'faces')
    throw new Error(`the app serves ${status.features.serving.join()}, not faces`);
  await preloadPhotos(page, urls);
  return { status, pinMs };
}

async function openHuman(page: Page, ctx: BenchContext, threads: number, urls: string[]): Promise<HumanInfo> {
  await page.goto(ctx.server.url('/bench/human.html'));
  await page.waitForFunction(() => 'benchHuman' in globalThis);
  const info = await page.evaluate((o) => (globalThis as unknown as HumanWindow).benchHuman.init(o), {
    humanUrl: ctx.server.url('/human-dist/human.esm.js'),
    wasmUrl: ctx.server.url('/tfjs-wasm/'),
    modelBaseUrl: ctx.server.url('/human-model/'),
    threads,
  });
  await page.evaluate((u) => (globalThis as unknown as HumanWindow).benchHuman.preload(u), urls);
  return info;
}

async function measure(side: Side, page: Page, url: string, name: string) {
  await page.bringToFront();
  if (side === 'hotlens') {
    const r = await dropPhoto(page, url, name);
    // Every timed photo must come from generation 2, not from a version that served before the pin.
    const wrong = Object.entries(GENERATION_2).filter(([id, v]) => r.annotation.models[id] !== v);
    if (wrong.length) throw new Error(`${name} was annotated by ${generationText(r.annotation.models)}`);
    const faces = r.annotation.faces ?? [];
    return {
      ms: r.roundTripMs,
      innerMs: r.workerMs,
      faces: faces.length,
      described: faces.filter((f) => !f.quality).length,
    };
  }
  const r = await page.evaluate((u) => (globalThis as unknown as HumanWindow).benchHuman.faces(u), url);
  return { ms: r.totalMs, innerMs: r.detectMs, faces: r.faces.length, described: r.faces.length };
}

/** Runs the section. */
export async function runFacesGen2(ctx: BenchContext) {
  const urls = SAMPLE_NAMES.map((n) => ctx.server.url(`/samples/${n}`));
  const rounds = ctx.options.rounds;
  const loadBefore = load1();
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pages = { hotlens: await context.newPage(), human: await context.newPage() } satisfies Record<Side, Page>;
    const app = await openApp(pages.hotlens, ctx, urls);
    const threads = app.status.threads ?? 1;
    const human = await openHuman(pages.human, ctx, threads, urls);
    ctx.log(
      `hotlens ${generationText(Object.fromEntries(Object.entries(app.status.models).map(([id, m]) => [id, m.active])))} ` +
        `(pinned in ${(app.pinMs / 1000).toFixed(1)} s), ${threads} thread(s); ` +
        `Human ${human.human} on TF.js ${human.tfjs} ${human.backend} ${human.threads} thread(s), models ${human.models.join(', ')}`,
    );
    if (human.threads !== threads)
      throw new Error(`thread counts differ: hotlens ${threads}, Human (TF.js wasm) ${human.threads}`);
    const samples = Object.fromEntries(
      SIDES.map((s) => [s, urls.map((): Samples => ({ ms: [], innerMs: [], faces: [], described: [] }))]),
    ) as Record<Side, Samples[]>;
    for (const side of SIDES)
      for (let i = 0; i < urls.length; i++) await measure(side, pages[side], urls[i]!, SAMPLE_NAMES[i]!);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [...SIDES].reverse() : [...SIDES];
      for (let i = 0; i < urls.length; i++) {
        for (const side of order) {
          const m = await measure(side, pages[side], urls[i]!, SAMPLE_NAMES[i]!);
          const s = samples[side][i]!;
          s.ms.push(m.ms);
          if (m.innerMs !== null) s.innerMs.push(m.innerMs);
          s.faces.push(m.faces);
          s.described.push(m.described);
        }
      }
      ctx.log(`round ${r + 1}/${rounds} done (load ${load1()})`);
    }
    const all = (side: Side, key: 'ms' | 'innerMs' = 'ms') => samples[side].flatMap((s) => s[key]);
    const photoRatio = (i: number) => ratio(median(samples.human[i]!.ms), median(samples.hotlens[i]!.ms));
    // A photo's face count, when every round agreed (null: it varied between rounds).
    const steady = (xs: number[]) => (xs.every((x) => x === xs[0]) ? (xs[0] ?? null) : null);
    const perPhoto = SAMPLE_NAMES.map((photo, i) => ({
      photo,
      hotlens_ms: round(median(samples.hotlens[i]!.ms)),
      human_ms: round(median(samples.human[i]!.ms)),
      ratio_human_over_hotlens: round(photoRatio(i), 2),
      hotlens_faces: steady(samples.hotlens[i]!.faces),
      human_faces: steady(samples.human[i]!.faces),
      hotlens_faces_described: steady(samples.hotlens[i]!.described),
    }));
    return {
      hotlens_ms_p50: round(median(all('hotlens'))),
      human_ms_p50: round(median(all('human'))),
      // Median over photos of Human ms ÷ hotlens ms (> 1: hotlens is faster).
      ratio_human_over_hotlens: round(
        median(urls.map((_, i) => photoRatio(i)).filter((x): x is number => x !== null)),
        2,
      ),
      hotlens: { ms: rounded(summarize(all('hotlens'))), worker_ms: rounded(summarize(all('hotlens', 'innerMs'))) },
      human: { ms: rounded(summarize(all('human'))), detect_ms: rounded(summarize(all('human', 'innerMs'))) },
      per_photo: perPhoto,
      faces_total: {
        hotlens: perPhoto.reduce((a, p) => a + (p.hotlens_faces ?? 0), 0),
        human: perPhoto.reduce((a, p) => a + (p.human_faces ?? 0), 0),
      },
      setup: {
        rounds,
        photos: SAMPLE_NAMES,
        threads: { hotlens: threads, human: human.threads },
        hotlens_models: Object.fromEntries(Object.keys(GENERATION_2).map((id) => [id, app.status.models[id]!.active])),
        hotlens_backend: app.status.backend,
        pin_to_serving_ms: app.pinMs,
        human,
        hotlens_side:
          "hotlens ?features=faces, generation 2 (group faces-gen2) pinned in the page: hotlens.pin('face-detector', '3.0.0'), then hotlens.checkForUpdates()",
        human_side:
          'Human 3.3.6 dist/human.esm.js (TF.js bundled) on wasm, tools/parity/human-config.ts: BlazeFace (maxDetected 100, minConfidence 0.2), FaceMesh/iris/attention/antispoof/liveness off, FaceRes + emotion on, body/hand/object/gesture/segmentation off, no caching; filter off (canvas input: the WebGL image filter the Node reference never runs)',
        timing:
          'decode included on both sides — hotlens: drop event → annotation in the app store (worker = the result card time); Human: Blob → createImageBitmap → canvas → human.detect (detect = after the canvas)',
        faces:
          'faces per photo when every timed round agreed (null: it varied); hotlens_faces_described = faces given age, gender and expression (no quality flag)',
        load_average_before: loadBefore,
        load_average_after: load1(),
      },
    };
  } finally {
    await browser.close();
  }
}
