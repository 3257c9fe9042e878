/**
 * @file A deliberately faulty face detector for the runtime-rollback spec: a valid ONNX model
 * that fits the face-detection contract and passes its probe (the probe image is bright, so its
 * outputs are finite), but returns NaN for dark inputs such as the fake webcam's frames. That is
 * the failure the probe cannot catch and the runtime health check must: a version that is
 * broken on real inputs after it went live.
 *
 * Graph: m = mean(image); z = 0 · sqrt(m − threshold)  (NaN when m < threshold, else 0);
 * boxes = [[0.3, 0.3, 0.7, 0.7]] + z; scores = [0.9] + z.
 */
import { writeFileSync } from 'node:fs';
import { attr, GraphBuilder } from '../../tools/convert/onnx/graph-builder.ts';

/** Mean input value (0..255) below which the detector returns NaN. The probe image's letterboxed mean is ~135, the fake webcam's ~24. */
export const NAN_BELOW_MEAN = 80;

/** Writes the faulty detector (224×224 input) to `path`. */
export function writeFaultyDetector(path: string): void {
  const g = new GraphBuilder('nan_on_dark_detector');
  const image = g.input('image', 'float32', [1, 3, 224, 224]);
  const mean = g.node('ReduceMean', [image], { keepdims: attr.int(0) }, 'mean');
  const shifted = g.node('Sub', [mean, g.f32('threshold', [NAN_BELOW_MEAN], [])], {}, 'shifted');
  const root = g.node('Sqrt', [shifted], {}, 'root');
  const poison = g.node('Mul', [root, g.f32('zero', [0], [])], {}, 'poison');
  const boxes = g.node('Add', [g.f32('box', [0.3, 0.3, 0.7, 0.7], [1, 4]), poison], {}, 'boxes');
  const scores = g.node('Add', [g.f32('score', [0.9], [1]), poison], {}, 'scores');
  g.output(boxes, 'boxes', 'float32', ['n', 4]);
  g.output(scores, 'scores', 'float32', ['n']);
  const bytes = g.toModel({
    producer: 'hotlens-e2e',
    metadata: { provenance: 'e2e fixture: finite on bright images (the probe), NaN on dark ones (the fake webcam)' },
  });
  writeFileSync(path, bytes);
}
