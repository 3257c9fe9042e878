/**
 * @file Human 3.3.6's configuration for hotlens's second face-model generation, in one place:
 * the Node reference (human-reference.ts) and the browser bench page (bench/pages/human) run
 * Human with these values, so the bench times the very pipeline the parity tests compare
 * against. Node- and DOM-free: only the locations of the TF.js wasm binaries and of Human's
 * model files differ between the two (file:// paths in Node, served URLs in the browser).
 *
 * Every value and why: tools/parity/HUMAN-FACE-PIPELINE.md §1 (summary in human-reference.ts).
 */
import type { Config } from '@vladmandic/human';

/** Where Human finds the TF.js wasm binaries and its model files (both end with "/"). */
export interface HumanLocations {
  wasmPath: string;
  modelBasePath: string;
}

/** Faces Human keeps per image here: hotlens annotates every face (Human's own default is 1). */
export const HUMAN_REFERENCE_MAX_DETECTED = 100;

/**
 * The configuration (merged over Human's defaults): BlazeFace boxes with FaceMesh, iris,
 * attention, antispoof and liveness off; FaceRes (age, gender, descriptor) and emotion on;
 * body, hand, object, gesture and segmentation off; no caching between images.
 */
export function humanFaceConfig(where: HumanLocations, maxDetected = HUMAN_REFERENCE_MAX_DETECTED): Partial<Config> {
  const noCache = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath: where.wasmPath,
    wasmPlatformFetch: false,
    modelBasePath: where.modelBasePath,
    cacheModels: false,
    validateModels: true,
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    deallocate: false,
    filter: { enabled: true, equalization: false, flip: false, width: 0, height: 0 },
    gesture: { enabled: false },
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        rotation: false,
        maxDetected,
        minConfidence: 0.2,
        minSize: 0,
        iouThreshold: 0.1,
        scale: 1.4,
        mask: false,
        return: false,
        ...noCache,
      },
      mesh: { enabled: false },
      attention: { enabled: false },
      iris: { enabled: false },
      description: { enabled: true, modelPath: 'faceres.json', minConfidence: 0.1, ...noCache },
      emotion: { enabled: true, modelPath: 'emotion.json', minConfidence: 0.1, ...noCache },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
  };
}
