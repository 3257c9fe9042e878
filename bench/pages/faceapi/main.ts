/**
 * @file The face-api reference page: @vladmandic/face-api with the same weights hotlens
 * converts, run on the page as face-api normally runs, on the TF.js `wasm` or `webgl` backend.
 * It uses face-api's no-bundle build with the official TF.js 4.22 packages: the TF.js copy
 * inlined in face-api.esm.js ships a broken pthread worker ("e is not defined"), so its wasm
 * backend could only run single-threaded — an unfair handicap against hotlens' two threads. One photo = Blob → createImageBitmap → canvas →
 * detectAllFaces(tiny detector).withAgeAndGender().withFaceExpressions(), the same work
 * hotlens' worker does for a dropped photo (decode included). Exposes `window.benchFaceApi`.
 */
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgl';
import type { BenchFaceApiApi, FaceApiFace, FaceApiInfo, FaceApiInit, FaceApiRun } from '../api.ts';
import { browser, exposeOnWindow, type CanvasLike } from '../lib/browser-globals.ts';

const photos = new Map<string, Blob>();
let canvas: CanvasLike | null = null;
let options: InstanceType<typeof faceapi.TinyFaceDetectorOptions> | null = null;

function webglRenderer(): string | null {
  const gl = browser.document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

async function init(o: FaceApiInit): Promise<FaceApiInfo> {
  const t0 = performance.now();
  if (o.backend === 'wasm') {
    setWasmPaths(o.wasmUrl);
    setThreadsCount(o.threads);
  }
  if (!(await tf.setBackend(o.backend))) throw new Error(`TF.js could not start its ${o.backend} backend`);
  await tf.ready();
  if (tf.getBackend() !== o.backend) throw new Error(`TF.js runs on ${tf.getBackend()}, not ${o.backend}`);
  await faceapi.nets.tinyFaceDetector.loadFromUri(o.modelUrl);
  await faceapi.nets.ageGenderNet.loadFromUri(o.modelUrl);
  await faceapi.nets.faceExpressionNet.loadFromUri(o.modelUrl);
  options = new faceapi.TinyFaceDetectorOptions({ inputSize: o.inputSize, scoreThreshold: o.scoreThreshold });
  canvas = browser.document.createElement('canvas');
  return {
    backend: tf.getBackend(),
    tfjs: tf.version_core,
    faceApi: String(faceapi.version),
    threads: o.backend === 'wasm' ? getThreadsCount() : null,
    crossOriginIsolated: browser.crossOriginIsolated,
    renderer: o.backend === 'webgl' ? webglRenderer() : null,
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

async function analyse(url: string): Promise<FaceApiRun> {
  const blob = photos.get(url);
  if (!blob || !canvas || !options) throw new Error('call init() and preload() first');
  const t0 = performance.now();
  const bitmap = await browser.createImageBitmap(blob, { premultiplyAlpha: 'none' });
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d', { willReadFrequently: true })!.drawImage(bitmap, 0, 0);
  bitmap.close();
  const t1 = performance.now();
  const results = await faceapi
    .detectAllFaces(canvas as never, options)
    .withAgeAndGender()
    .withFaceExpressions();
  const t2 = performance.now();
  const faces: FaceApiFace[] = results.map((r) => {
    const b = r.detection.box;
    const [expression] = Object.entries(r.expressions).sort((a, b) => b[1] - a[1])[0] ?? ['?'];
    return {
      box: { x: b.x, y: b.y, width: b.width, height: b.height },
      score: r.detection.score,
      age: r.age,
      gender: r.gender,
      expression,
    };
  });
  return { decodeMs: t1 - t0, detectMs: t2 - t1, totalMs: t2 - t0, faces };
}

const api: BenchFaceApiApi = { init, preload, analyse };
exposeOnWindow('benchFaceApi', api);
