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
