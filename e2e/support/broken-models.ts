/**
 * @file Broken face detectors for the model-compat spec, built with the converter's
 * GraphBuilder, and a way to get them into a test registry. publish-model refuses all three
 * (it checks the task contract and computes the probe on the file), so each is published the
 * way a broken pipeline would produce it: a normal `registry.publish` of a good stand-in
 * detector, whose manifest entry is then pointed at the broken file's bytes (blob, sha256,
 * size) and re-signed. The manifest stays valid and signed and still declares the stand-in's
 * signature and probe; only the file disagrees, which is what the client's checks must catch.
 *
 * - `wrongInput`: one grey channel, input [1,1,320,320] (the contract wants 3 channels);
 * - `wrongOutputs`: outputs named `bbox` / `confidence` (the contract wants `boxes` / `scores`);
 * - `nanOnProbe`: fits the contract exactly, but every output is NaN (0·√(−1 − mean)).
 */
import { FACE_DETECTION } from '../../src/features/faces/tasks.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, GraphBuilder } from '../../tools/convert/onnx/graph-builder.ts';
import { writeBlob } from '../../tools/lib/registry-io.ts';
import { fileSignatureProblems } from '../../src/shared/onnx-signature.ts';
import { ARTIFACTS, MODEL_FILES } from './paths.ts';
import type { TestRegistry } from './registry.ts';

/** Input size of the broken detectors and of their stand-in (MODEL_FILES.tiny320). */
const SIZE = 320;

/** Which broken detector. */
export type BrokenKind = 'wrongInput' | 'wrongOutputs' | 'nanOnProbe';

function build(kind: BrokenKind): Uint8Array {
  const g = new GraphBuilder(`broken_detector_${kind}`);
  const image = g.input('image', 'float32', [1, kind === 'wrongInput' ? 1 : 3, SIZE, SIZE]);
  const mean = g.node('ReduceMean', [image], { keepdims: attr.int(0) }, 'mean');
  // 0·mean keeps the image in the graph; √(−1 − mean) is NaN for every input.
  const offset =
    kind === 'nanOnProbe'
      ? g.node('Sqrt', [g.node('Sub', [g.f32('minus_one', [-1], []), mean], {}, 'negative')], {}, 'nan')
      : mean;
  const zeroed = g.node('Mul', [offset, g.f32('zero', [0], [])], {}, 'zeroed');
  const boxes = g.node('Add', [g.f32('box', [0.3, 0.3, 0.7, 0.7], [1, 4]), zeroed], {}, 'boxes_value');
  const scores = g.node('Add', [g.f32('score', [0.9], [1]), zeroed], {}, 'scores_value');
  const [boxesName, scoresName] = kind === 'wrongOutputs' ? ['bbox', 'confidence'] : ['boxes', 'scores'];
  g.output(boxes, boxesName, 'float32', ['n', 4]);
  g.output(scores, scoresName, 'float32', ['n']);
  return g.toModel({ producer: 'hotlens-e2e', metadata: { provenance: `e2e fixture: broken detector (${kind})` } });
}

/** Writes the broken detector to e2e/.artifacts/broken/ and returns its path. */
export function brokenDetector(kind: BrokenKind): string {
  const dir = join(ARTIFACTS, 'broken');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `face-detector-${kind}.onnx`);
  writeFileSync(path, build(kind));
  return path;
}

/**
 * Publishes `kind` as face-detector `version`: the stand-in (tiny detector, 320 px) goes through
 * publish-model, then its entry is pointed at the broken file. Returns the broken file's sha256.
 */
export async function publishBroken(
  registry: TestRegistry,
  version: string,
  kind: BrokenKind,
): Promise<{ sha256: string }> {
  const bytes = new Uint8Array(readFileSync(brokenDetector(kind)));
  // Content-addressed and unreferenced until the manifest names it: clients never see it before.
  const { blob, sha256 } = await writeBlob(registry.dir, bytes);
  await registry.publish('face-detector', version, MODEL_FILES.tiny320, {
    edit: (manifest) => {
      const entry = manifest.models['face-detector']!.versions[version]!;
      const problems = fileSignatureProblems(FACE_DETECTION, entry, bytes);
      // Guard the fixture itself: the NaN detector must look right, the others must not.
      if ((kind === 'nanOnProbe') !== (problems.length === 0)) {
        throw new Error(`broken detector ${kind} has unexpected signature problems: ${problems.join('; ') || 'none'}`);
      }
      Object.assign(entry, { blob, sha256, bytes: bytes.length, encoding: 'float32', source: `broken: ${kind}` });
    },
  });
  return { sha256 };
}
