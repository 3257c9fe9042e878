/**
 * @file The Human peer of hotlens's second face-model generation: @vladmandic/human 3.3.6 itself,
 * its browser ESM build as the package ships it (dist/human.esm.js, TF.js 4.22 bundled inside),
 * imported at run time from the bench server's /human-dist/ mount of node_modules — never from a
 * CDN and not re-bundled by Vite. It runs on TF.js `wasm` (the bench server's copy of the 4.22
 * binaries) and loads blazeface, faceres and emotion from node_modules/@vladmandic/human/models/
 * as served at /human-model/ (`modelBasePath`).
 *
 * Configuration: tools/parity/human-config.ts, the one the Node reference (human-reference.ts)
 * uses — BlazeFace boxes with FaceMesh, iris, attention, antispoof and liveness off; FaceRes and
 * emotion on; body, hand, object, gesture and segmentation off; maxDetected 100; no caching
 * between images (cacheSensitivity 0, skipFrames/skipTime 0). One difference, because the input
 * here is a canvas, not a tensor: `filter.enabled` is off. Human never filters a tensor (the
 * reference), but would pass a canvas through its WebGL image filter (SwiftShader in headless
 * Chromium) even with every effect at zero — work the reference does not do.
 *
 * One photo = Blob → createImageBitmap → canvas → `human.detect(canvas)`, as hotlens's worker
 * does for a dropped photo (decode included). Exposes `window.benchHuman`.
 */
import type * as HumanModule from '@vladmandic/human';
import { humanFaceConfig } from '../../../tools/parity/human-config.ts';
import type { BenchHumanApi, HumanFaceResult, HumanFaceRun, HumanInfo, HumanInit } from '../api.ts';
import { browser, exposeOnWindow, type CanvasLike } from '../lib/browser-globals.ts';

type HumanLib = typeof HumanModule;
type Human = InstanceType<HumanLib['Human']>;
type Config = HumanModule.Config;

/** The part of Human's bundled TF.js namespace (`human.tf`, typed `any` by Human) the page uses. */
interface HumanTf {
  version_core: string;
  getBackend(): string;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

const photos = new Map<string, Blob>();
let canvas: CanvasLike | null = null;
let human: Human | null = null;
let config: Partial<Config> | null = null;

async function init(o: HumanInit): Promise<HumanInfo> {
  const t0 = performance.now();
  const lib = (await import(/* @vite-ignore */ o.humanUrl)) as HumanLib;
  const reference = humanFaceConfig({ wasmPath: o.wasmUrl, modelBasePath: o.modelBaseUrl });
  config = { ...reference, filter: { ...reference.filter, enabled: false } };
  human = new lib.Human(config);
  const tf = human.tf as HumanTf;
  // Before the backend starts (human.load() does): TF.js fixes its pool at initialisation.
  tf.setThreadsCount(o.threads);
  await human.load();
  if (tf.getBackend() !== 'wasm') throw new Error(`Human runs on ${tf.getBackend()}, expected wasm`);
  const models = human.models.loaded();
  for (const name of ['blazeface', 'faceres', 'emotion'])
    if (!models.includes(name)) throw new Error(`Human did not load ${name} from ${o.modelBaseUrl}`);
  canvas = browser.document.createElement('canvas');
  const face = human.config.face;
  return {
    human: human.version,
    tfjs: tf.version_core,
    backend: tf.getBackend(),
    threads: tf.getThreadsCount(),
    crossOriginIsolated: browser.crossOriginIsolated,
    models,
    face: {
      maxDetected: face.detector?.maxDetected ?? 0,
      enabled: Object.entries(face)
        .filter(([, v]) => typeof v === 'object' && v !== null && (v as { enabled?: boolean }).enabled !== false)
        .map(([k]) => k),
    },
    loadMs: performance.now() - t0,
  };
}

async function preload(urls: string[]): Promise<void> {
  for (const url of urls) {
    if (photos.has(url)) continue;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    photos.set(url, await res.blob());
  }
}

/** Human's face pipeline on one photo, from the Blob. */
async function faces(url: string): Promise<HumanFaceRun> {
  const blob = photos.get(url);
  if (!blob || !canvas || !human || !config) throw new Error('call init() and preload() first');
  const t0 = performance.now();
  const bitmap = await browser.createImageBitmap(blob, { premultiplyAlpha: 'none' });
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d', { willReadFrequently: true })!.drawImage(bitmap, 0, 0);
  bitmap.close();
  const t1 = performance.now();
  const result = await human.detect(canvas as never, config);
  const t2 = performance.now();
  if (result.error) throw new Error(`Human failed: ${result.error}`);
  const found: HumanFaceResult[] = result.face.map((f) => ({
    box: [...f.box],
    score: f.boxScore,
    age: f.age ?? null,
    gender: f.gender ?? null,
    emotion: f.emotion?.[0]?.emotion ?? null,
  }));
  return { decodeMs: t1 - t0, detectMs: t2 - t1, totalMs: t2 - t0, faces: found };
}

const api: BenchHumanApi = { init, preload, faces };
exposeOnWindow('benchHuman', api);
