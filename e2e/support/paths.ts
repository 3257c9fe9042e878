/**
 * @file Files the e2e suite makes and reads, in one place (config, globalSetup and specs).
 */
import { resolve } from 'node:path';

/** Git-ignored scratch directory for generated inputs, reference JSON and screenshots. */
export const ARTIFACTS = resolve('e2e/.artifacts');
/** The fake webcam stream (a sample photo looped as y4m). */
export const FAKE_VIDEO = resolve(ARTIFACTS, 'fake-webcam.y4m');
/** `npm run annotate --json` output for the six samples. */
export const ANNOTATE_JSON = resolve(ARTIFACTS, 'annotate-samples.json');
/** Generated bad files. */
export const BAD_FILES_DIR = resolve(ARTIFACTS, 'bad-files');
/** Screenshots of the main views. */
export const SCREENSHOTS = resolve(ARTIFACTS, 'screenshots');
/** Measured figures (webcam FPS, inference ms, startup). */
export const METRICS_JSON = resolve(ARTIFACTS, 'metrics.json');

/** The six face-api sample photos. */
export const SAMPLES = [1, 2, 3, 4, 5, 6].map((i) => resolve(`node_modules/@vladmandic/face-api/demo/sample${i}.jpg`));
/** A sample upscaled past MAX_INFERENCE_SIDE (made in globalSetup), to test inference downscaling. */
export const LARGE_PHOTO = resolve(ARTIFACTS, 'large-3840.jpg');
/** The photo the fake webcam shows. */
export const WEBCAM_SOURCE = SAMPLES[0]!;
/** Every ONNX file `npm run convert` writes (made in globalSetup). */
export const CONVERTED = resolve(ARTIFACTS, 'converted');
/** A registry with face-detector, face-attributes and face-expression 1.0.0, published by `npm run publish-model`. */
export const BASE_REGISTRY = resolve(ARTIFACTS, 'registry-base');
/** Converted files the update specs publish (see `npm run convert`). */
export const MODEL_FILES = {
  /** face-detector 1.0.0: the tiny detector, 416 px, uint8 weights. */
  tiny416: resolve(CONVERTED, 'face-detector-1.0.0-416-uint8.onnx'),
  /** The same detector with float32 weights: other bytes, same network and cost per frame. */
  tiny416f32: resolve(CONVERTED, 'face-detector-1.0.0-416-float32.onnx'),
  /** The same detector at 320 px: other bytes, other outputs. */
  tiny320: resolve(CONVERTED, 'face-detector-1.0.0-320-uint8.onnx'),
  /** The same detector at 224 px. */
  tiny224: resolve(CONVERTED, 'face-detector-1.0.0-224-uint8.onnx'),
  /** face-detector 2.0.0: the SSD MobileNet v1 detector, 512 px (5.8 MB). */
  ssd512: resolve(CONVERTED, 'face-detector-2.0.0-512-uint8.onnx'),
  /** A detector that passes its probe but returns NaN on the dark webcam frames (faulty-detector.ts). */
  nanOnDark: resolve(ARTIFACTS, 'faulty', 'face-detector-nan-on-dark.onnx'),
  attributes: resolve(CONVERTED, 'face-attributes-1.0.0-112-uint8.onnx'),
  expression: resolve(CONVERTED, 'face-expression-1.0.0-112-uint8.onnx'),
  /** Generation 2 (Human 3.3.6), group faces-gen2: BlazeFace 256 px with its decode and NMS in the graph. */
  blazeface: resolve(CONVERTED, 'face-detector-3.0.0-256-float32.onnx'),
  /** Generation 2: FaceRes, 224-px crops cut by Human's rule, age and gender (float16 weights). */
  faceres: resolve(CONVERTED, 'face-attributes-2.0.0-224-float16.onnx'),
  /** Generation 2: Human's emotion net, 64-px crops, grayscale in the graph, Human's label order. */
  emotion: resolve(CONVERTED, 'face-expression-2.0.0-64-float32.onnx'),
} as const;
/** A copy of the built app served by the registry server (app profile), so a spec may change its service worker. */
export const APP_COPY = resolve(ARTIFACTS, 'app-copy');
/** Hot-swap measurements (frame gaps, publish → serving, memory), written by the update specs. */
export const SWAP_METRICS_JSON = resolve(ARTIFACTS, 'swap-metrics.json');
