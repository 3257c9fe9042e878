/**
 * @file Files the try-model spec drops into the Models panel, made with the converter's
 * GraphBuilder under e2e/.artifacts/try/: a file that is not ONNX, one over the size limit (a
 * sparse file: nothing is read before the size check), a valid ONNX model that fits no task, an
 * expression net whose class count is not fixed (so it has no labels unless given some), and the
 * NaN detector of the model-compat spec.
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../tools/convert/onnx/graph-builder.ts';
import { MAX_LOCAL_MODEL_BYTES } from '../../src/models/page/local-model.ts';
import { brokenDetector } from './broken-models.ts';
import { ARTIFACTS } from './paths.ts';

const DIR = join(ARTIFACTS, 'try');

/** A valid ONNX model: input x [1,10], output y [1,10] (y = x + 1). Fits no hotlens task. */
function otherTask(): Uint8Array {
  const g = new GraphBuilder('not_a_vision_model');
  const x = g.input('x', 'float32', [1, 10]);
  g.output(g.node('Add', [x, g.f32('one', [1], [])], {}, 'y_value'), 'y', 'float32', [1, 10]);
  return g.toModel({ producer: 'hotlens-e2e' });
}

/** Face crops [b,3,112,112] → expression [b,k]: mean colour · weights, softmax; k left symbolic. */
function unlabelledExpression(): Uint8Array {
  const g = new GraphBuilder('expression_without_labels');
  const faces = g.input('faces', 'float32', ['b', 3, 112, 112]);
  const pooled = g.node('GlobalAveragePool', [faces], {}, 'pooled');
  const flat = g.node('Flatten', [pooled], {}, 'flat');
  const weights = Array.from({ length: 21 }, (_, i) => ((i % 7) - 3) / 500);
  const logits = g.node('MatMul', [flat, g.f32('weights', weights, [3, 7])], {}, 'logits');
  g.output(g.node('Softmax', [logits], {}, 'probabilities'), 'expression', 'float32', ['b', 'k']);
  return g.toModel({ producer: 'hotlens-e2e' });
}

/** Writes every file and returns their paths. */
export function tryFiles() {
  mkdirSync(DIR, { recursive: true });
  const notOnnx = join(DIR, 'holiday-notes.onnx');
  writeFileSync(notOnnx, 'These are not the weights you are looking for.\n');
  const tooLarge = join(DIR, 'huge-detector.onnx');
  writeFileSync(tooLarge, '');
  truncateSync(tooLarge, MAX_LOCAL_MODEL_BYTES + 1024 * 1024);
  const wrongTask = join(DIR, 'tabular-regressor.onnx');
  writeFileSync(wrongTask, otherTask());
  const noLabels = join(DIR, 'expression-k.onnx');
  writeFileSync(noLabels, unlabelledExpression());
  const labels = join(DIR, 'expression-k-labels.txt');
  writeFileSync(labels, 'neutral\nhappy\nsad\nangry\nfearful\ndisgusted\nsurprised\n');
  return { notOnnx, tooLarge, wrongTask, noLabels, labels, nanDetector: brokenDetector('nanOnProbe') };
}
