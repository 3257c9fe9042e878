/**
 * @file The registry's probe images, made by the project from a face-api sample photo: a
 * small PNG around one face for detectors and a 112×112 face crop for the attribute nets.
 * PNG is lossless, so the browser decodes exactly the pixels the expectations were computed
 * on. The regions are fixed (not found by a detector at build time) so publish-model can
 * create them in a fresh registry without any model; tests/unit/probe-images.test.ts checks
 * that the shipped detector really finds the face in them.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { TaskId } from '../../src/shared/manifest-types.ts';
import { PROBE_IMAGES } from '../../src/shared/pipeline/probe.ts';
import { exists, writeFileAtomic } from './registry-io.ts';

const require = createRequire(import.meta.url);

/** face-api's sample photo the probes are cut from (one clearly visible face). */
export const PROBE_SOURCE_PHOTO = join(
  dirname(require.resolve('@vladmandic/face-api/package.json')),
  'demo',
  'sample2.jpg',
);

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Output side in pixels. */
  size: number;
}

// sample2.jpg (1920×1367) has one face; face-detector 1.0.0 boxes it at x 1403, y 173,
// 277×264 px. The detector probe is a 600 px square around it scaled to 160 px (the face
// fills ~46 %: every published detector, tiny at 224/320/416 and SSD 512, finds it with
// score ≥ 0.67; a tighter 432 px square was missed at 320). The crop is the square the
// attribute nets would see.
const REGIONS: Readonly<Record<string, Region>> = {
  'probe/face-detection.png': { left: 1250, top: 20, width: 600, height: 600, size: 160 },
  'probe/face-112.png': { left: 1403, top: 167, width: 277, height: 277, size: 112 },
};

/** The registry path of the probe image for `task`. */
export function probeImagePath(task: TaskId): string {
  return PROBE_IMAGES[task];
}

/** Renders a probe image (PNG bytes); deterministic for a given sharp/libvips version. */
export async function renderProbeImage(path: string): Promise<Uint8Array> {
  const region = REGIONS[path];
  if (!region) throw new Error(`no probe image is defined for ${path}`);
  const png = await sharp(PROBE_SOURCE_PHOTO)
    .extract({ left: region.left, top: region.top, width: region.width, height: region.height })
    .resize(region.size, region.size, { kernel: 'lanczos3' })
    .removeAlpha()
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/**
 * The probe image for `task` in `registryDir`: the registry's own copy when present (never
 * replaced: published expectations refer to it), else freshly rendered. `write` stores a
 * rendered one in the registry.
 */
export async function loadProbeImage(
  registryDir: string,
  task: TaskId,
): Promise<{ path: string; png: Uint8Array; existing: boolean; write: () => Promise<void> }> {
  const path = probeImagePath(task);
  const file = join(registryDir, path);
  if (await exists(file)) {
    const png = new Uint8Array(await readFile(file));
    return { path, png, existing: true, write: async () => undefined };
  }
  const png = await renderProbeImage(path);
  return { path, png, existing: false, write: () => writeFileAtomic(file, png) };
}
