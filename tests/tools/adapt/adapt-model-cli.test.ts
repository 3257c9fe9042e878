/**
 * @file `npm run adapt-model` refusals, one per message: each exits non-zero with one line
 * `adapt-model: <sentence>` on stderr, nothing on stdout, and writes neither the model nor its
 * labels. Plus the YOLO happy path through the CLI (the ResNet one is in resnet-wrapper.test.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../../tools/convert/onnx/graph-builder.ts';
import { adaptModel } from '../../../tools/adapt/adapt.ts';
import { resnet18Standin } from '../../../tools/adapt/standins/resnet18.ts';
import { yoloHeadStandin } from '../../../tools/adapt/standins/yolo-head.ts';
import { sha256Hex } from '../../../tools/lib/registry-io.ts';
import { expectRefusal, runCli } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/fs.ts';
import { expectObjectDetection } from './helpers/contracts.ts';
import { stubModel, withExternalInitializer, withIrVersion, type Decl } from './helpers/raw-models.ts';

const dir = tempDir('hotlens-adapt-cli-');
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const out = join(dir, 'wrapped.onnx');
const adapt = (args: string[]) => runCli('tools/adapt/adapt-model.ts', args);

/** Runs adapt-model and checks it refused with `message` and wrote nothing. */
async function refuses(args: string[], message: RegExp, code?: number): Promise<void> {
  const r = await adapt(args);
  expectRefusal(expect, r, 'adapt-model', message);
  if (code !== undefined) expect(r.code).toBe(code);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(join(dir, 'wrapped.labels.json'))).toBe(false);
}

const IMAGES: Decl = { name: 'images', dims: [1, 3, 640, 640] };
const HEAD: Decl = { name: 'output0', dims: [1, 84, 8400] };
const yoloStub = (inputs: Decl[], outputs: Decl[], metadata?: Record<string, string>) =>
  file(`yolo-${Math.random().toString(36).slice(2)}.onnx`, stubModel(inputs, outputs, { metadata }));
const resnetStub = (outputs: Decl[]) =>
  file(
    `resnet-${Math.random().toString(36).slice(2)}.onnx`,
    stubModel([{ name: 'input', dims: ['batch_size', 3, 224, 224] }], outputs),
  );
const yolo = (path: string, extra: string[] = []) => ['--kind', 'yolo', '--in', path, '--out', out, ...extra];
const resnet = (path: string, extra: string[] = []) => ['--kind', 'resnet', '--in', path, '--out', out, ...extra];

const sevenBoxes = Array.from({ length: 7 }, (_, i) => ({ cx: 40 + 60 * i, cy: 40, w: 30, h: 30, scores: { 0: 0.5 } }));
const threeClassYolo = () => file('three-class.onnx', yoloHeadStandin({ classes: 3, boxes: sevenBoxes }));

describe('adapt-model refuses bad usage (exit 2)', () => {
  it('without the required options', () => refuses([], /missing --kind, --in, --out/, 2));
  it('with an unknown kind', () =>
    refuses(['--kind', 'ssd', '--in', 'a', '--out', out], /--kind must be yolo or resnet, not "ssd"/, 2));
  it('with YOLO thresholds for a classifier', () =>
    refuses(resnet('a.onnx', ['--score', '0.3']), /--score applies only to --kind yolo/, 2));
  it('with a threshold that is not a number', () =>
    refuses(yolo('a.onnx', ['--iou', 'high']), /--iou must be a number, not "high"/, 2));
  it('with a threshold outside 0..1', () =>
    refuses(yolo('a.onnx', ['--score', '1.5']), /--score must be a number from 0 to 1/, 2));
  it('with a fractional or zero --max', async () => {
    await refuses(yolo('a.onnx', ['--max', '2.5']), /--max must be a whole number ≥ 1/, 2);
    await refuses(yolo('a.onnx', ['--max', '0']), /--max must be a whole number ≥ 1/, 2);
  });
  it('when --out would overwrite --in', () =>
    refuses(['--kind', 'yolo', '--in', out, '--out', out], /--out must not overwrite the raw model/, 2));
});

describe('adapt-model refuses files that are not a raw export it can wrap (exit 1)', () => {
  it('a missing file', () => refuses(yolo(join(dir, 'nope.onnx')), /cannot read .*nope\.onnx \(ENOENT\)/, 1));
  it('a directory', () => {
    mkdirSync(join(dir, 'a-dir'), { recursive: true });
    return refuses(yolo(join(dir, 'a-dir')), /a-dir is not a regular file/, 1);
  });
  it('a file that is not ONNX', () =>
    refuses(yolo(file('notes.onnx', 'just some text\n')), /notes\.onnx is not an ONNX model/, 1));
  it('a model with external weight files', () =>
    refuses(
      yolo(file('ext.onnx', withExternalInitializer(stubModel([IMAGES], [HEAD])))),
      /keeps 1 weight tensor\(s\) in external data files/,
    ));
  it('a model of an ancient IR version', () =>
    refuses(
      yolo(file('ir3.onnx', withIrVersion(stubModel([IMAGES], [HEAD]), 3))),
      /uses ONNX IR version 3 .* re-export it/,
    ));

  it('two inputs', () =>
    refuses(
      yolo(yoloStub([IMAGES, { name: 'scale', dims: [1] }], [HEAD])),
      /the model has 2 inputs \("images", "scale"\); a YOLO detect export takes/,
    ));
  it('an input that is not float32 NCHW RGB', async () => {
    await refuses(
      yolo(yoloStub([{ ...IMAGES, type: 'uint8' }], [HEAD])),
      /input "images" is uint8 \[1,3,640,640\]; a YOLO detect export takes/,
    );
    await refuses(
      resnet(yoloStub([{ name: 'input', dims: [1, 224, 224, 3] }], [{ name: 'output', dims: [1, 1000] }])),
      /input "input" is float32 \[1,224,224,3\]; a torchvision classifier export takes/,
    );
  });
  it('a symbolic input size', () =>
    refuses(
      yolo(yoloStub([{ name: 'images', dims: ['batch', 3, 'height', 'width'] }], [HEAD])),
      /symbolic image size .* re-export with a fixed square size/,
    ));
  it('a non-square input', () =>
    refuses(
      yolo(yoloStub([{ name: 'images', dims: [1, 3, 480, 640] }], [HEAD])),
      /input "images" is 480x640; .* square/,
    ));
  it('a YOLO export for batches of 4', () =>
    refuses(yolo(yoloStub([{ name: 'images', dims: [4, 3, 640, 640] }], [HEAD])), /input "images" has batch 4/));
  it('a YOLO export with two outputs (segmentation)', () =>
    refuses(
      yolo(
        yoloStub(
          [IMAGES],
          [
            { name: 'output0', dims: [1, 116, 8400] },
            { name: 'output1', dims: [1, 32, 160, 160] },
          ],
        ),
      ),
      /the model has 2 outputs \("output0", "output1"\)/,
    ));
  it('an Ultralytics export of another task', () =>
    refuses(
      yolo(yoloStub([IMAGES], [HEAD], { task: 'pose' })),
      /Ultralytics "pose" export; only "detect" exports can be wrapped/,
    ));
  it('an end-to-end export with NMS built in', () =>
    refuses(
      yolo(yoloStub([IMAGES], [{ name: 'output0', dims: [1, 300, 6] }])),
      /final detections of an end-to-end .* export the raw head/,
    ));
  it('a YOLOv5-style head (one row per box)', () =>
    refuses(yolo(yoloStub([IMAGES], [{ name: 'output0', dims: [1, 25200, 85] }])), /one row per box/));
  it('a head of the wrong rank', () =>
    refuses(
      yolo(yoloStub([IMAGES], [{ name: 'output0', dims: [8400, 84] }])),
      /output "output0" is float32 \[8400,84\]; a YOLO detect export has one output \[1,4\+K,N\]/,
    ));
  it('a classifier output that is not [b,K] logits', () =>
    refuses(
      resnet(resnetStub([{ name: 'output', dims: ['batch_size', 1000, 1, 1] }])),
      /output "output" is float32 \[batch_size,1000,1,1\]; .* logits \[b,K\]/,
    ));
  it('a model that is already wrapped', () =>
    refuses(
      resnet(resnetStub([{ name: 'probabilities', dims: ['batch_size', 1000] }])),
      /already has a value named "probabilities"/,
    ));
  it('a raw graph using a name the wrapper adds', () =>
    refuses(
      resnet(resnetStub([{ name: 'hotlens_adapt/k255', dims: ['batch_size', 1000] }])),
      /cannot be wrapped: the raw model already has a value named "hotlens_adapt\/k255"/,
    ));
});

describe('adapt-model refuses labels that do not fit (exit 1)', () => {
  it('K classes but a labels file with another count', () =>
    refuses(
      yolo(threeClassYolo(), ['--labels', file('coco.txt', 'a\nb\nc\nd\n')]),
      /the model has 3 classes but labels file .*coco\.txt has 4 labels/,
      1,
    ));
  it('K classes with no labels and a default list of another count', async () => {
    await refuses(
      yolo(threeClassYolo()),
      /the model has 3 classes and the default labels \(COCO-80 .*\) have 80; pass --labels with 3 labels/,
    );
    await refuses(
      resnet(resnetStub([{ name: 'output', dims: ['batch_size', 10] }])),
      /the model has 10 classes and the default labels \(ImageNet-1000 .*\) have 1000/,
    );
  });
  it('a labels file that cannot be read or parsed', async () => {
    await refuses(
      yolo(threeClassYolo(), ['--labels', join(dir, 'none.txt')]),
      /cannot read labels file .*none\.txt \(ENOENT\)/,
    );
    await refuses(
      yolo(threeClassYolo(), ['--labels', file('bad.json', '["a", "b",')]),
      /labels file .*bad\.json starts with "\[" but is not a valid JSON array/,
    );
    await refuses(
      yolo(threeClassYolo(), ['--labels', file('blank.json', '["a", "", "c"]')]),
      /labels file .*blank\.json has an empty label at index 1/,
    );
  });
});

describe('adapt-model refuses a wrapped model the runtime will not run (exit 1)', () => {
  it('a raw graph an opset raise breaks (Upsample is gone from opset 10 on)', () => {
    const g = new GraphBuilder('main_graph');
    const images = g.input('images', 'float32', [1, 3, 64, 64]);
    const up = g.node('Upsample', [images, g.f32('scales', [1, 1, 1, 1])], { mode: attr.str('nearest') });
    const mean = g.node('ReduceMean', [up], { keepdims: attr.int(0) });
    const scores = g.node('Mul', [g.f32('cls', new Float32Array(3 * 90).fill(0.5), [1, 3, 90]), mean]);
    const head = g.node('Concat', [g.f32('box', new Float32Array(4 * 90).fill(9), [1, 4, 90]), scores], {
      axis: attr.int(1),
    });
    g.output(head, 'output0', 'float32', [1, 7, 90]);
    const raw = file('opset9.onnx', g.toModel({ opset: 9 }));
    return refuses(
      yolo(raw, ['--labels', file('abc.txt', 'a\nb\nc\n')]),
      /the wrapped model does not load in onnxruntime-web \(.*Upsample is deprecated.*\); the raw export's operators may not exist in opset 11, to which its opset 9 was raised/,
      1,
    );
  });
});

describe('adapt-model wraps', () => {
  it('writes the model and its labels, and says what it did', async () => {
    const raw = file('yolo.onnx', yoloHeadStandin({ boxes: sevenBoxes }));
    const r = await adapt(yolo(raw, ['--score', '0.3', '--iou', '0.6', '--max', '50']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /object-detection: image float32 \[1,3,640,640\] → boxes float32 \[n,4\], scores float32 \[n\], classes int32 \[n\]/,
    );
    expect(r.stdout).toMatch(/score > 0\.3, IoU > 0\.6\), best 50 by score/);
    expect(r.stdout).toMatch(/80 labels from COCO-80/);
    expectObjectDetection(new Uint8Array(readFileSync(out)));
    const labels = JSON.parse(readFileSync(join(dir, 'wrapped.labels.json'), 'utf8')) as string[];
    expect(labels).toHaveLength(80);
    expect(labels[0]).toBe('person');
  });

  it('a ResNet export, with the ImageNet labels beside it, byte for byte what the library writes', async () => {
    const raw = resnet18Standin();
    const input = file('resnet18.onnx', raw);
    const r = await adapt(['--kind', 'resnet', '--in', input, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /image-classification: image float32 \[batch_size,3,224,224\] → probabilities float32 \[batch_size,1000\]/,
    );
    expect(r.stdout).toMatch(/1000 labels from ImageNet-1000/);
    const library = adaptModel({ kind: 'resnet', bytes: raw, fileName: 'resnet18.onnx' });
    // (47 MB: compared by hash, a generic deep-equal of that size takes minutes)
    expect(sha256Hex(readFileSync(out))).toBe(sha256Hex(library.bytes));
    const labels = JSON.parse(readFileSync(join(dir, 'wrapped.labels.json'), 'utf8')) as string[];
    expect(labels).toEqual(library.labels.labels);
  });
});
