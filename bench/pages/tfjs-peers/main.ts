/**
 * @file The TF.js peers of the objects and classification features, on the official TF.js 4.22
 * packages and their `wasm` backend, with the same weights hotlens converts:
 *
 * - objects: Human 3.3.6's centernet path (src/object/centernet.ts `predict` + `process`, line
 *   for line): `tf.browser.fromPixels` → `resizeBilinear` to 512 → `execute(…,
 *   'tower_0/detections')` → split, reorder → `nonMaxSuppressionAsync(maxDetected 10, IoU 0.4,
 *   minConfidence 0.2)` → boxes. Human's model files are served as they ship (centernet.json +
 *   .bin, float16 weights).
 * - classification: nsfwjs 4.4.0 itself, `load('MobileNetV2Mid')` (its bundled weights) and
 *   `classify(canvas, 5)`.
 *
 * One photo = Blob → createImageBitmap → canvas → the model's path, as hotlens's worker does
 * for a dropped photo (decode included). Exposes `window.benchPeers`.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as nsfwjs from 'nsfwjs';
import type { BenchPeersApi, PeerClassRun, PeerInfo, PeerInit, PeerObjectRun } from '../api.ts';
import { browser, exposeOnWindow, type CanvasLike } from '../lib/browser-globals.ts';

/** Human 3.3.6 `config.object` (src/config.ts). */
const HUMAN_OBJECT = { maxDetected: 10, iouThreshold: 0.4, minConfidence: 0.2 } as const;

const photos = new Map<string, Blob>();
let canvas: CanvasLike | null = null;
let centernet: tf.GraphModel | null = null;
let inputSize = 0;
let classifier: nsfwjs.NSFWJS | null = null;

async function init(o: PeerInit): Promise<PeerInfo> {
  const t0 = performance.now();
  setWasmPaths(o.wasmUrl);
  setThreadsCount(o.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its wasm backend');
  await tf.ready();
  centernet = await tf.loadGraphModel(o.centernetUrl);
  // Human reads the input size from the model signature (dim 2 of tower_0/images).
  const input = centernet.inputs[0];
  inputSize = input?.shape?.[2] ?? 0;
  if (!(inputSize > 0)) throw new Error('centernet declares no input size');
  const t1 = performance.now();
  classifier = await nsfwjs.load('MobileNetV2Mid');
  canvas = browser.document.createElement('canvas');
  return {
    backend: tf.getBackend(),
    tfjs: tf.version_core,
    threads: getThreadsCount(),
    crossOriginIsolated: browser.crossOriginIsolated,
    centernetLoadMs: t1 - t0,
    nsfwjsLoadMs: performance.now() - t1,
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

/** Blob → canvas (what a page does before handing an image to TF.js). */
async function draw(url: string): Promise<CanvasLike> {
  const blob = photos.get(url);
  if (!blob || !canvas) throw new Error('call init() and preload() first');
  const bitmap = await browser.createImageBitmap(blob, { premultiplyAlpha: 'none' });
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d', { willReadFrequently: true })!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas;
}

/** Human's centernet `predict` + `process` on one photo. */
async function objects(url: string): Promise<PeerObjectRun> {
  if (!centernet) throw new Error('call init() first');
  const t0 = performance.now();
  const c = await draw(url);
  const t1 = performance.now();
  const pixels = tf.browser.fromPixels(c as never);
  const input = tf.expandDims(pixels, 0) as tf.Tensor4D;
  const resize = tf.image.resizeBilinear(input, [inputSize, inputSize]);
  const res = centernet.execute(resize, ['tower_0/detections']) as tf.Tensor;
  tf.dispose([pixels, input, resize]);
  const detections = (await res.array()) as number[][][];
  const squeeze = tf.squeeze(res);
  const arr = tf.split(squeeze, 6, 1);
  const stack = tf.stack([arr[1]!, arr[0]!, arr[3]!, arr[2]!], 1);
  const boxes = tf.squeeze(stack) as tf.Tensor2D;
  const scores = tf.squeeze(arr[4]!) as tf.Tensor1D;
  const { maxDetected, iouThreshold, minConfidence } = HUMAN_OBJECT;
  const nms = await tf.image.nonMaxSuppressionAsync(boxes, scores, maxDetected, iouThreshold, minConfidence);
  const kept = Array.from(await nms.data());
  tf.dispose([res, squeeze, ...arr, stack, boxes, scores, nms]);
  const found = kept.map((id) => {
    const d = detections[0]![id]!;
    return {
      box: [d[0]! / inputSize, d[1]! / inputSize, d[2]! / inputSize, d[3]! / inputSize],
      score: d[4]!,
      cls: d[5]!,
    };
  });
  const t2 = performance.now();
  return { decodeMs: t1 - t0, inferMs: t2 - t1, totalMs: t2 - t0, objects: found };
}

/** nsfwjs's `classify` on one photo. */
async function classify(url: string): Promise<PeerClassRun> {
  if (!classifier) throw new Error('call init() first');
  const t0 = performance.now();
  const c = await draw(url);
  const t1 = performance.now();
  const top = await classifier.classify(c as never, 5);
  const t2 = performance.now();
  return {
    decodeMs: t1 - t0,
    inferMs: t2 - t1,
    totalMs: t2 - t0,
    classes: top.map((p) => ({ label: p.className.toLowerCase(), probability: p.probability })),
  };
}

const api: BenchPeersApi = { init, preload, objects, classify };
exposeOnWindow('benchPeers', api);
