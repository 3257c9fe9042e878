import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFaces } from '../../../src/features/faces/analyze.ts';
import { decodeImageFile } from '../../../tools/lib/decode-image.ts';
import { loadRealModels } from '../../helpers/models.ts';
import { SAMPLES } from '../../helpers/samples.ts';
import { tempDir } from '../../helpers/fs.ts';

describe('photos above MAX_INFERENCE_SIDE (real models)', () => {
  let models: Awaited<ReturnType<typeof loadRealModels>>;
  const dir = tempDir();
  beforeAll(async () => {
    models = await loadRealModels();
  });
  afterAll(async () => models.release());

  it('are downscaled for inference and their boxes come back in original pixels', async () => {
    const path = join(dir, 'sample1-4096.png');
    writeFileSync(path, await sharp(SAMPLES[0]!).resize(4096).png().toBuffer());
    const big = await decodeImageFile(path);
    expect(big.original).toEqual({ width: 4096, height: 2731 });
    expect(big.image.width).toBe(2048);
    const fromBig = await analyzeFaces(big.image, models, { scaleToOriginal: big.scale });

    const small = await decodeImageFile(SAMPLES[0]!);
    const fromSmall = await analyzeFaces(small.image, models);
    const k = 4096 / 1920;
    expect(fromBig.faces.length).toBe(fromSmall.faces.length);
    for (const ref of fromSmall.faces) {
      const cx = (ref.box.x + ref.box.width / 2) * k;
      const cy = (ref.box.y + ref.box.height / 2) * k;
      const match = fromBig.faces.find(
        (f) => Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy) < 0.1 * ref.box.width * k,
      );
      expect(match, `face at ${cx.toFixed(0)},${cy.toFixed(0)}`).toBeDefined();
      expect(match!.box.width / (ref.box.width * k)).toBeGreaterThan(0.85);
      expect(match!.box.width / (ref.box.width * k)).toBeLessThan(1.15);
    }
  });
});
