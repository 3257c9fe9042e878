/**
 * @file face-api's six sample photos, decoded the way the tools decode them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Absolute paths of face-api's demo/sample1-6.jpg. */
export const SAMPLES = [1, 2, 3, 4, 5, 6].map((i) =>
  join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${i}.jpg`),
);
