/**
 * @file The real converted face-api models for tests, converted once per test file, plus
 * helpers to load them with the same engine the app uses.
 */
import { convertAll, type ConvertedModel } from '../../tools/convert/index.ts';
import { OrtModel } from '../../src/inference/engine/ort-engine.ts';
import type { FaceModels } from '../../src/features/faces/analyze.ts';

let cached: ConvertedModel[] | null = null;

/** All converted files (memoised). */
export function converted(): ConvertedModel[] {
  cached ??= convertAll();
  return cached;
}

/** The default file of `id` `version`. */
export function convertedFile(id: string, version: string, variant?: string): ConvertedModel {
  const m = converted().find(
    (c) => c.id === id && c.version === version && (variant ? c.variant === variant : c.isDefault),
  );
  if (!m) throw new Error(`no converted model ${id} ${version} ${variant ?? '(default)'}`);
  return m;
}

/** Loads the stable trio (tiny detector 1.0.0 unless `detectorVersion` says otherwise). */
export async function loadRealModels(detectorVersion = '1.0.0'): Promise<FaceModels & { release(): Promise<void> }> {
  const detector = await OrtModel.create(convertedFile('face-detector', detectorVersion).onnx);
  const attributes = await OrtModel.create(convertedFile('face-attributes', '1.0.0').onnx);
  const expression = await OrtModel.create(convertedFile('face-expression', '1.0.0').onnx);
  return {
    detector,
    attributes,
    expression,
    release: async () => {
      await Promise.all([detector.release(), attributes.release(), expression.release()]);
    },
  };
}
