/**
 * @file Real photos for the model-level tests, decoded once with sharp (bit-identical to
 * Chromium's decoder): face-api's demo samples, Human's `assets/samples.jpg` and the sample
 * JPEGs of Debian's `darknet` package. A missing darknet photo fails with the fix, not a skip.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { humanPackage } from '../../../../../tools/convert/tfjs-graph/models/packages.ts';

const require = createRequire(import.meta.url);

/** face-api's six demo photos. */
export const FACEAPI_SAMPLES = [1, 2, 3, 4, 5, 6].map((i) =>
  join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${i}.jpg`),
);

/** Human's collage of sample photos. */
export const HUMAN_SAMPLES = join(humanPackage().dir, 'assets', 'samples.jpg');

/** Debian darknet's sample photos (objects: dogs, horses, people, kites, giraffes, birds). */
export const DARKNET_SAMPLES = ['dog', 'horses', 'person', 'kite', 'giraffe', 'eagle'].map(
  (n) => `/usr/share/darknet/data/${n}.jpg`,
);

/** Fails with instructions when a darknet photo is missing. */
export function requireDarknetPhotos(): void {
  const missing = DARKNET_SAMPLES.filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(', ')}: install the Debian package that ships them (sudo apt-get install darknet)`,
    );
  }
}

/** An 8-bit RGB image, interleaved (HWC). */
export interface Photo {
  name: string;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes `path` to RGB with sharp (alpha dropped). */
export async function decodePhoto(path: string): Promise<Photo> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { name: path.split('/').pop()!, width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** `path` decoded and resized (stretched) by sharp to `width`×`height`, RGB. */
export async function photoAtSize(path: string, width: number, height: number): Promise<Uint8Array> {
  const data = await sharp(path).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return new Uint8Array(data);
}
