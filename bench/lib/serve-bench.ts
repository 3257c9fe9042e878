/**
 * @file The bench server's URL layout: the app (the run's snapshot of dist/) at /, the bench's registry copy at /models/,
 * bench pages at /bench/, face-api's and Human's weights, TF.js wasm binaries and the sample photos.
 */
import { BenchServer, IMMUTABLE, REVALIDATE } from './server.ts';
import { APP, FACEAPI_MODELS, HUMAN_MODELS, PAGES_DIST, REGISTRY, SAMPLES_DIR, TFJS_WASM } from './paths.ts';

const hashed = (prefix: string) => (path: string) => (path.startsWith(prefix) ? IMMUTABLE : REVALIDATE);

/** Starts the server with every mount the sections use. */
export function startBenchServer(): Promise<BenchServer> {
  return BenchServer.start([
    // Blobs are content-addressed; the manifest and probe images are revalidated.
    { prefix: '/models/', dir: REGISTRY, cache: hashed('blobs/') },
    { prefix: '/bench/', dir: PAGES_DIST, cache: hashed('assets/') },
    { prefix: '/faceapi-model/', dir: FACEAPI_MODELS },
    { prefix: '/human-model/', dir: HUMAN_MODELS },
    { prefix: '/tfjs-wasm/', dir: TFJS_WASM },
    { prefix: '/samples/', dir: SAMPLES_DIR },
    // Vite puts content hashes in every file name under assets/.
    { prefix: '/', dir: APP, cache: hashed('assets/') },
  ]);
}
