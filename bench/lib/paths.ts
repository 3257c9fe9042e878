/**
 * @file Where the bench reads and writes, in one place: the production build it measures, the
 * scratch directory (git-ignored bench/.tmp), and the two generated outputs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Project root (this file is bench/lib/paths.ts). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bench folder. */
export const BENCH = join(ROOT, 'bench');
/** The app's production build (`npm run build`). */
export const DIST = join(ROOT, 'dist');
/** Scratch: built bench pages, registry copy, browser profiles, fake webcam. */
export const TMP = join(BENCH, '.tmp');
/**
 * A snapshot of dist/ taken at the start of a run: other work may rebuild dist/ meanwhile, and
 * a run must measure one build from start to end.
 */
export const APP = join(TMP, 'app');
/** Bench pages as built by bench/vite.config.ts. */
export const PAGES_DIST = join(TMP, 'pages');
/** The registry the bench serves at /models/ (a copy of dist/models it may publish into). */
export const REGISTRY = join(TMP, 'registry');
/** Fresh Chromium profiles live here (one per visit sequence). */
export const PROFILES = join(TMP, 'profiles');
/** The fake webcam stream. */
export const FAKE_VIDEO = join(TMP, 'fake-webcam-15fps.y4m');
/** A moving fake webcam stream (pan, zoom, a cut; faces entering and leaving), for tracking. */
export const MOVING_VIDEO = join(TMP, 'fake-webcam-moving-15fps.y4m');

/** Outputs. */
export const RESULTS_JSON = join(BENCH, 'results.json');
/** Where a run with `--js-flags` writes: a diagnosis, not the product's figures. */
export const DIAGNOSTIC_JSON = join(BENCH, 'results.diagnostic.json');
export const REPORT_MD = join(BENCH, 'REPORT.md');
export const CHART_SVG = join(BENCH, 'chart.svg');

const faceApiDir = dirname(require.resolve('@vladmandic/face-api/package.json'));

/** Human's package directory (its package.json is hidden behind `exports`: walk up from the entry). */
function humanDir(): string {
  let dir = dirname(require.resolve('@vladmandic/human'));
  while (!existsSync(join(dir, 'models', 'centernet.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find @vladmandic/human/models');
    dir = parent;
  }
  return dir;
}
/** face-api's weights (TF.js manifests + shards): the same weights hotlens converts. */
export const FACEAPI_MODELS = join(faceApiDir, 'model');
/** face-api's six sample photos. */
export const SAMPLES_DIR = join(faceApiDir, 'demo');
/** Sample file names, in order. */
export const SAMPLE_NAMES = [1, 2, 3, 4, 5, 6].map((i) => `sample${i}.jpg`);
/**
 * Human's TF.js graph models: centernet.json + .bin (the weights object-detector 1.0.0 converts),
 * blazeface, faceres and emotion (generation 2's face models).
 */
export const HUMAN_MODELS = join(humanDir(), 'models');
/** Human's builds as the package ships them (dist/human.esm.js: the browser ESM build, TF.js inside). */
export const HUMAN_DIST = join(humanDir(), 'dist');
/** TF.js wasm binaries (face-api's bundled tfjs-backend-wasm needs them served). */
export const TFJS_WASM = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
