import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFaces, type AnalyzedFaces } from '../../../src/features/faces/analyze.ts';
import {
  laplacianVariance,
  measureFace,
  MIN_FACE_SIDE,
  MIN_SHARPNESS,
  qualityIssue,
  SHARPNESS_GRID,
} from '../../../src/features/faces/quality.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import { decodeRgb } from '../../../tools/lib/decode-image.ts';
import { loadRealModels } from '../../helpers/models.ts';
import { SAMPLES } from '../../helpers/samples.ts';

function flat(width: number, height: number, value: number): RgbImage {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(value) };
}

describe('quality metrics', () => {
  it('reads 0 on a flat plane and a lot on a checkerboard', () => {
    expect(laplacianVariance(new Float32Array(100).fill(7), 10, 10)).toBe(0);
    const board = Float32Array.from({ length: 100 }, (_, i) => (((i % 10) + Math.floor(i / 10)) % 2 === 0 ? 0 : 255));
    expect(laplacianVariance(board, 10, 10)).toBeGreaterThan(100_000);
  });

  it('measures the clipped box and never upsamples', () => {
    const img = flat(100, 80, 50);
    expect(measureFace(img, { x: -10, y: 60, width: 50, height: 50 })).toEqual({ side: 20, sharpness: 0 });
    expect(measureFace(img, { x: 200, y: 0, width: 10, height: 10 }).side).toBe(0);
  });

  it('says too-small before blurred, and nothing for a good face', () => {
    expect(qualityIssue({ side: MIN_FACE_SIDE - 1, sharpness: 0 })).toBe('too-small');
    expect(qualityIssue({ side: MIN_FACE_SIDE, sharpness: MIN_SHARPNESS - 0.01 })).toBe('blurred');
    expect(qualityIssue({ side: MIN_FACE_SIDE, sharpness: MIN_SHARPNESS })).toBeUndefined();
    expect(SHARPNESS_GRID).toBe(112);
  });
});

describe('quality gate on face-api sample photos (real models)', () => {
  let models: Awaited<ReturnType<typeof loadRealModels>>;
  beforeAll(async () => {
    models = await loadRealModels();
  });
  afterAll(async () => models.release());

  async function analyse(buf: Buffer | string): Promise<AnalyzedFaces> {
    const bytes = typeof buf === 'string' ? await sharp(buf).png().toBuffer() : buf;
    return analyzeFaces(await decodeRgb(new Uint8Array(bytes)), models);
  }

  it('passes every face detected in the six sharp photos', async () => {
    const metrics: { side: number; sharpness: number }[] = [];
    for (const path of SAMPLES) {
      const result = await analyse(path);
      expect(result.faces.length, path).toBeGreaterThan(0);
      for (const [i, face] of result.faces.entries()) {
        expect(face.quality, `${path} face ${i}: ${JSON.stringify(result.raw[i]!.quality)}`).toBeUndefined();
        expect(face.age).not.toBeNull();
        metrics.push(result.raw[i]!.quality);
      }
    }
    // The thresholds keep a margin below the weakest sharp face (documented in quality.ts).
    expect(Math.min(...metrics.map((m) => m.sharpness))).toBeGreaterThan(MIN_SHARPNESS * 1.5);
    expect(Math.min(...metrics.map((m) => m.side))).toBeGreaterThan(MIN_FACE_SIDE * 3);
  });

  it('flags every face of the photos blurred with sharp σ=4', async () => {
    let faces = 0;
    for (const path of SAMPLES) {
      const result = await analyse(await sharp(path).blur(4).png().toBuffer());
      for (const [i, face] of result.faces.entries()) {
        expect(face.quality, `${path} face ${i}: ${JSON.stringify(result.raw[i]!.quality)}`).toBe('blurred');
        expect(face.age).toBeNull();
        faces++;
      }
    }
    expect(faces).toBeGreaterThanOrEqual(15);
  });

  it('flags faces shrunk below MIN_FACE_SIDE as too small', async () => {
    let faces = 0;
    for (const path of SAMPLES.slice(0, 3)) {
      const result = await analyse(await sharp(path).resize(280).png().toBuffer());
      for (const [i, face] of result.faces.entries()) {
        expect(result.raw[i]!.quality.side).toBeLessThan(MIN_FACE_SIDE);
        expect(face.quality).toBe('too-small');
        expect(face.expression).toBeNull();
        faces++;
      }
    }
    expect(faces).toBeGreaterThanOrEqual(4);
  });
});
