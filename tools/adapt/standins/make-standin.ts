/**
 * @file `npx tsx tools/adapt/standins/make-standin.ts --kind yolo|resnet --out RAW.onnx
 * [--seed N]`: writes a stand-in raw export to try adapt-model on (no real YOLO or ResNet
 * weights are reachable here). `resnet`: the ResNet-18 architecture with seeded random weights
 * (47 MB). `yolo`: a YOLO-shaped export whose head holds the scene below (COCO classes).
 */
import { writeFileSync } from 'node:fs';
import { parseCli, usageError } from '../../lib/cli-args.ts';
import { resnet18Standin } from './resnet18.ts';
import { yoloHeadStandin, type HeadBox } from './yolo-head.ts';

const USAGE = 'usage: npx tsx tools/adapt/standins/make-standin.ts --kind yolo|resnet --out RAW.onnx [--seed N]';
const spec = { command: 'make-standin', usage: USAGE };

/** A small scene: a person with a duplicate NMS removes, a dog and a cat on one box, a car, a faint bench. */
const DEMO_SCENE: HeadBox[] = [
  { cx: 160, cy: 300, w: 120, h: 360, scores: { 0: 0.91 } },
  { cx: 166, cy: 304, w: 118, h: 350, scores: { 0: 0.83 } },
  { cx: 420, cy: 420, w: 220, h: 160, scores: { 16: 0.78, 15: 0.2 } },
  { cx: 424, cy: 418, w: 210, h: 150, scores: { 15: 0.55 } },
  { cx: 520, cy: 120, w: 160, h: 90, scores: { 2: 0.66 } },
  { cx: 320, cy: 600, w: 200, h: 60, scores: { 13: 0.12 } },
  { cx: 40, cy: 40, w: 30, h: 30, scores: {} },
];

function main(argv: string[]): number {
  const args = parseCli(
    {
      ...spec,
      options: { kind: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } },
      required: ['kind', 'out'],
    },
    argv,
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { kind, out, seed } = args.values;
  if (kind !== 'yolo' && kind !== 'resnet') return usageError(spec, `--kind must be yolo or resnet, not "${kind}"`);
  if (seed !== undefined && !/^\d+$/.test(seed)) return usageError(spec, '--seed must be a whole number');
  const bytes =
    kind === 'resnet'
      ? resnet18Standin({ seed: seed === undefined ? undefined : Number(seed) })
      : yoloHeadStandin({ boxes: DEMO_SCENE, background: 0.001 });
  writeFileSync(out!, bytes);
  console.log(`wrote a ${kind} stand-in (${bytes.length.toLocaleString('en-US')} bytes) to ${out}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
