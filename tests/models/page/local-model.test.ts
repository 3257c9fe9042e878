/**
 * @file A model file tried from the Models panel, read in the page: refusals (too large, not
 * ONNX, no task, no labels) as one sentence each, the model ids it fits, labels from a labels
 * file, the file's metadata or the replaced version, and the spec the checks run.
 */
import { describe, expect, it } from 'vitest';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import {
  checkLocalModelSize,
  inspectLocalModel,
  localModelSpec,
  LocalModelProblem,
  MAX_LOCAL_MODEL_BYTES,
} from '../../../src/models/page/local-model.ts';
import type { ModelSpec } from '../../../src/shared/worker-api.ts';
import { GraphBuilder } from '../../../tools/convert/onnx/graph-builder.ts';
import { brightnessExpression, constantDetector } from '../../helpers/onnx-fixtures.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { detectorVersion, makeManifest, probeFile } from '../../helpers/model-fixtures.ts';

const ctx = { tasks: TASKS, features: FEATURES };
const detector = constantDetector({ size: 320, boxes: [[0.1, 0.1, 0.5, 0.5]], scores: [0.9] });

function problem(fn: () => unknown): LocalModelProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof LocalModelProblem) return err;
    throw err;
  }
  throw new Error('expected a LocalModelProblem');
}

/** An expression net whose class dimension is symbolic, optionally with labels in its metadata. */
function openExpression(metadata?: Record<string, string>): Uint8Array {
  const g = new GraphBuilder('open-expression');
  const faces = g.input('faces', 'float32', ['b', 3, 112, 112]);
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [faces])]);
  const logits = g.node('MatMul', [flat, g.f32('w', new Array(21).fill(0.01), [3, 7])]);
  g.output(g.node('Softmax', [logits]), 'expression', 'float32', ['b', 'k']);
  return g.toModel({ opset: 18, ...(metadata ? { metadata } : {}) });
}

/** A manifest that names the face tasks' probe images with their digests, as a registry's does. */
function registryManifest(): Manifest {
  const m = makeManifest(1, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': new Uint8Array([1]) } } });
  const v = detectorVersion(new Uint8Array([2]));
  const probe = { ...v.probe, ...probeFile('probe/face-112.png') };
  m.models['face-expression'] = { task: 'face-expression', stable: '1.0.0', versions: { '1.0.0': { ...v, probe } } };
  return m;
}

const serving = (id: string, task: string, labels: string[] | null): ModelSpec => {
  const file = { ...detectorVersion(new Uint8Array([1, 2, 3])), labels };
  return { id, task, version: '1.0.0', sha256: file.sha256, file };
};

describe('inspectLocalModel', () => {
  it('refuses a file over the limit before reading it, stating the limit', () => {
    const p = problem(() => checkLocalModelSize('big.onnx', MAX_LOCAL_MODEL_BYTES + 1_048_576));
    expect(p.kind).toBe('too-large');
    expect(p.message).toBe('"big.onnx" is 129 MB, more than the 128 MB a model file tried here may have.');
    expect(() => checkLocalModelSize('ok.onnx', MAX_LOCAL_MODEL_BYTES)).not.toThrow();
  });

  it('refuses bytes that are not ONNX', () => {
    const p = problem(() => inspectLocalModel({ name: 'a.onnx', bytes: new TextEncoder().encode('hello') }, ctx));
    expect(p.kind).toBe('not-onnx');
    expect(p.message).toMatch(/^"a\.onnx" is not an ONNX model \(/);
  });

  it('refuses a model that fits no task, naming its signature', () => {
    const g = new GraphBuilder('other');
    const x = g.input('x', 'float32', [1, 10]);
    g.output(g.node('Relu', [x]), 'y', 'float32', [1, 10]);
    const p = problem(() => inspectLocalModel({ name: 'o.onnx', bytes: g.toModel() }, ctx));
    expect(p.kind).toBe('wrong-task');
    expect(p.message).toContain(
      "fits none of this app's tasks (face-detection, face-attributes, face-expression, object-detection, image-classification)",
    );
  });

  it('proposes the model ids whose task the file fits', () => {
    const found = inspectLocalModel({ name: 'd.onnx', bytes: detector }, ctx);
    expect(found.fits).toEqual([{ id: 'face-detector', task: 'face-detection' }]);
    expect(found.all.map((t) => t.id)).toEqual([
      'face-detector',
      'face-attributes',
      'face-expression',
      'object-detector',
      'image-classifier',
    ]);
  });
});

describe('localModelSpec', () => {
  const base = { sha256: 'ab'.repeat(32), manifest: registryManifest(), tasks: TASKS, features: FEATURES };

  it('builds a local spec from the file: signature, pre-processing at its size, probe with no expectations', () => {
    const inspection = inspectLocalModel({ name: 'd.onnx', bytes: detector }, ctx);
    const { spec, labelsFrom } = localModelSpec({ ...base, inspection, id: 'face-detector', serving: undefined });
    expect(spec).toMatchObject({ id: 'face-detector', task: 'face-detection', version: 'local-abababab' });
    expect(spec.local).toEqual({ name: 'd.onnx' });
    expect(spec.file.preprocess.size).toBe(320);
    expect(spec.file.probe.expect).toEqual({});
    // The task's probe image as the signed manifest states it: the worker verifies it before use.
    expect(spec.file.probe).toMatchObject(probeFile('probe/face-detection.png'));
    expect(spec.file.inputs[0]!.dims).toEqual([1, 3, 320, 320]);
    expect(labelsFrom).toBe('none');
  });

  it('refuses a file when the manifest names no probe image for its task (it could not be checked)', () => {
    const inspection = inspectLocalModel({ name: 'd.onnx', bytes: detector }, ctx);
    const p = problem(() =>
      localModelSpec({ ...base, manifest: undefined, inspection, id: 'face-detector', serving: undefined }),
    );
    expect(p.kind).toBe('no-probe');
    expect(p.message).toBe(
      `The registry's manifest names no probe image for face-detection models (probe/face-detection.png), so "d.onnx" cannot be checked here.`,
    );
  });

  it('refuses another id whose task the file does not fit, in one sentence', () => {
    const inspection = inspectLocalModel({ name: 'd.onnx', bytes: detector }, ctx);
    const p = problem(() => localModelSpec({ ...base, inspection, id: 'face-expression', serving: undefined }));
    expect(p.kind).toBe('wrong-task');
    expect(p.message).toMatch(/^"d\.onnx" cannot replace face-expression, a face-expression model: /);
  });

  it("borrows the replaced version's labels only when the class count is fixed and the same", () => {
    const labels = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
    const fixed = inspectLocalModel({ name: 'e.onnx', bytes: brightnessExpression() }, ctx);
    const replaced = serving('face-expression', 'face-expression', labels);
    const out = localModelSpec({ ...base, inspection: fixed, id: 'face-expression', serving: replaced });
    expect(out).toMatchObject({ labelsFrom: 'replaced', spec: { file: { labels } } });

    const open = inspectLocalModel({ name: 'k.onnx', bytes: openExpression() }, ctx);
    const p = problem(() => localModelSpec({ ...base, inspection: open, id: 'face-expression', serving: replaced }));
    expect(p.kind).toBe('missing-labels');
    expect(p.message).toMatch(/^"k\.onnx" has no labels for its output "expression" .*drop a labels file/);
  });

  it('takes labels from a labels file first, then from the file metadata', () => {
    const reversed = ['surprised', 'disgusted', 'fearful', 'angry', 'sad', 'happy', 'neutral'];
    const meta = inspectLocalModel(
      { name: 'm.onnx', bytes: openExpression({ labels: JSON.stringify(reversed) }) },
      ctx,
    );
    expect(localModelSpec({ ...base, inspection: meta, id: 'face-expression', serving: undefined })).toMatchObject({
      labelsFrom: 'metadata',
      spec: { file: { labels: reversed } },
    });
    const sidecar = { name: 'labels.txt', text: 'neutral\nhappy\nsad\nangry\nfearful\ndisgusted\nsurprised\n' };
    const out = localModelSpec({ ...base, inspection: meta, id: 'face-expression', serving: undefined, sidecar });
    expect(out.labelsFrom).toBe('sidecar');
    expect(out.spec.file.labels![0]).toBe('neutral');
    const empty = problem(() =>
      localModelSpec({
        ...base,
        inspection: meta,
        id: 'face-expression',
        serving: undefined,
        sidecar: { name: 'x.txt', text: ' ' },
      }),
    );
    expect(empty.message).toBe('The labels file "x.txt" holds no label list.');
  });
});
