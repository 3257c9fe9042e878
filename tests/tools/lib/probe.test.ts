import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { compareProbe } from '../../../src/shared/pipeline/probe.ts';
import { toPixelDetections } from '../../../src/features/faces/detection-boxes.ts';
import { FACE_PROBES } from '../../../src/features/faces/probes.ts';
import { TASKS } from '../../../src/features/index.ts';
import { squareInputSize } from '../../../src/shared/tasks.ts';
import type { Probe } from '../../../src/shared/manifest-types.ts';
import { computeProbe, PROBE_TOLERANCE } from '../../../tools/lib/probe.ts';
import { renderProbeImage } from '../../../tools/lib/probe-images.ts';
import { decodeRgb } from '../../../tools/lib/decode-image.ts';
import { inspectOnnx, NotOnnxError } from '../../../tools/lib/onnx-inspect.ts';
import { converted } from '../../helpers/models.ts';

const f32 = (values: number[]) => ({
  type: 'float32' as const,
  dims: [values.length],
  data: Float32Array.from(values),
});

describe('compareProbe', () => {
  const probe: Probe = { image: 'probe/x.png', expect: { a: [1, 2], b: [0.5] }, tolerance: 0.01 };

  it('accepts values within tolerance and reports the largest difference', () => {
    const r = compareProbe(probe, { a: f32([1.005, 2]), b: f32([0.5]) });
    expect(r.ok).toBe(true);
    expect(r.maxDiff).toBeCloseTo(0.005, 6);
  });

  it('rejects values outside tolerance, missing outputs, wrong lengths and NaN', () => {
    expect(compareProbe(probe, { a: f32([1, 2.02]), b: f32([0.5]) }).problems).toEqual([
      expect.stringMatching(/"a"\[1\] is 2\.0199.*expected 2 ± 0\.01/),
    ]);
    expect(compareProbe(probe, { a: f32([1, 2]) }).problems).toEqual(['output "b" is missing']);
    expect(compareProbe(probe, { a: f32([1]), b: f32([0.5]) }).problems).toEqual([
      'output "a" has 1 values, expected 2',
    ]);
    const nan = compareProbe(probe, { a: f32([NaN, 2]), b: f32([0.5]) });
    expect(nan.ok).toBe(false);
    expect(nan.maxDiff).toBe(Infinity);
  });
});

describe('probe images', () => {
  it('render deterministically at their documented sizes', async () => {
    for (const recipe of Object.values(FACE_PROBES)) {
      const path = recipe.image;
      const a = await renderProbeImage(recipe);
      const b = await renderProbeImage(recipe);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), path).toBe(0);
      const meta = await sharp(a).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([
        'png',
        path.includes('112') ? 112 : 160,
        path.includes('112') ? 112 : 160,
      ]);
    }
  });

  // float32 files compute the same function (the registry build probes them all).
  it('show one face near the centre to every published detector size', async () => {
    const recipe = FACE_PROBES['face-detection']!;
    const image = await decodeRgb(await renderProbeImage(recipe));
    for (const m of converted().filter((c) => c.task === 'face-detection' && c.encoding === 'uint8')) {
      const model = await OrtModel.create(m.onnx);
      const out = await model.run(recipe.feeds(image, model));
      const dets = toPixelDetections(
        out.boxes!.data as Float32Array,
        out.scores!.data as Float32Array,
        image,
        squareInputSize(model.inputs)!,
      );
      expect(dets.length, `${m.version} ${m.variant}`).toBe(1);
      const { x, y, width, height } = dets[0]!.box;
      expect(Math.abs(x + width / 2 - 80), `${m.version} ${m.variant} centre x`).toBeLessThan(20);
      expect(Math.abs(y + height / 2 - 80), `${m.version} ${m.variant} centre y`).toBeLessThan(20);
      expect(width).toBeGreaterThan(50);
      await model.release();
    }
  });

  it('expectations reproduce, and a channel swap breaks them (the tolerance catches wrong preprocessing)', async () => {
    for (const m of converted().filter((c) => c.isDefault)) {
      const recipe = FACE_PROBES[m.task]!;
      const png = await renderProbeImage(recipe);
      const model = await OrtModel.create(m.onnx);
      const probe = await computeProbe(model, { contract: TASKS.get(m.task)!, recipe }, png);
      expect(probe.tolerance).toBe(PROBE_TOLERANCE);
      const image = await decodeRgb(png);
      expect(compareProbe(probe, await model.run(recipe.feeds(image, model))).ok).toBe(true);
      const swapped = new Uint8Array(image.data.length);
      for (let i = 0; i < swapped.length; i += 3)
        swapped.set([image.data[i + 2]!, image.data[i + 1]!, image.data[i]!], i);
      const result = compareProbe(probe, await model.run(recipe.feeds({ ...image, data: swapped }, model)));
      expect(result.ok, `${m.id} ${m.version} with R and B swapped`).toBe(false);
      await model.release();
    }
  });
});

describe('inspectOnnx', () => {
  it('reads the weight encoding of every converted file', () => {
    for (const m of converted()) {
      const s = inspectOnnx(m.onnx);
      expect(s.encoding, `${m.id} ${m.variant}`).toBe(m.encoding);
      expect(s.opsets.length).toBeGreaterThan(0);
      expect(s.metadata['model-id']).toBe(m.id);
    }
  });

  it('rejects bytes that are not an ONNX model', () => {
    for (const bad of [
      new Uint8Array(0),
      new TextEncoder().encode('{"not": "onnx"}'),
      new Uint8Array(64).fill(0xff),
      new Uint8Array([0x08, 0x08]),
    ]) {
      expect(() => inspectOnnx(bad)).toThrow(NotOnnxError);
    }
  });
});
