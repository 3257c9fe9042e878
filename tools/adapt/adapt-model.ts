/**
 * @file `npm run adapt-model -- --kind yolo|resnet --in RAW.onnx --out WRAPPED.onnx
 * [--labels FILE] [--score X] [--iou X] [--max N]`: wraps a raw Ultralytics YOLO detect export
 * or a torchvision classifier export so it meets hotlens's object-detection or
 * image-classification contract (see adapt.ts and README.md here). Writes WRAPPED.onnx and
 * WRAPPED.labels.json (a JSON array publish-model's --labels reads), each atomically, only after
 * the wrapped model has loaded and run in onnxruntime-web. A refusal prints one sentence on
 * stderr and exits non-zero (2 for bad usage, 1 for a file that does not fit) without writing.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { cliOptions, parseCli, usageError } from '../lib/cli-args.ts';
import { writeFileAtomic } from '../lib/registry-io.ts';
import { ADAPT_KINDS, adaptModel, AdaptError, labelsPathFor, type AdaptKind } from './adapt.ts';
import { LabelsError, readLabelsFile, type LabelList } from './labels.ts';
import { checkWrappedRuns } from './verify.ts';
import { checkYoloOptions, YOLO_DEFAULTS, type YoloOptions } from './yolo-wrapper.ts';

const USAGE =
  'usage: npm run adapt-model -- --kind yolo|resnet --in RAW.onnx --out WRAPPED.onnx [--labels FILE] [--score X] [--iou X] [--max N]';
const spec = { command: 'adapt-model', usage: USAGE };

function fail(message: string): number {
  console.error(`adapt-model: ${message}`);
  return 1;
}

async function readRaw(path: string): Promise<Uint8Array> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new AdaptError(`${path} is not a regular file`);
  } catch (err) {
    if (err instanceof AdaptError) throw err;
    throw new AdaptError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return new Uint8Array(await readFile(path));
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(
    {
      ...spec,
      options: cliOptions({ string: ['kind', 'in', 'out', 'labels', 'score', 'iou', 'max'] }),
      required: ['kind', 'in', 'out'],
    },
    argv,
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
  const kind = values.kind as AdaptKind;
  if (!ADAPT_KINDS.includes(kind)) return usageError(spec, `--kind must be ${ADAPT_KINDS.join(' or ')}, not "${kind}"`);
  const yolo: Partial<YoloOptions> = {};
  for (const key of ['score', 'iou', 'max'] as const) {
    const raw = values[key];
    if (raw === undefined) continue;
    if (kind !== 'yolo') return usageError(spec, `--${key} applies only to --kind yolo`);
    const n = /^\s*[0-9]*\.?[0-9]+(e-?[0-9]+)?\s*$/i.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(n)) return usageError(spec, `--${key} must be a number, not "${raw}"`);
    yolo[key] = n;
  }
  try {
    if (kind === 'yolo') checkYoloOptions({ ...YOLO_DEFAULTS, ...yolo });
  } catch (err) {
    if (err instanceof AdaptError) return usageError(spec, err.message);
    throw err;
  }
  const input = resolve(values.in!);
  const output = resolve(values.out!);
  const labelsOut = labelsPathFor(output);
  if (input === output || input === labelsOut) return usageError(spec, '--out must not overwrite the raw model --in');

  try {
    const bytes = await readRaw(input);
    const labels: LabelList | undefined = values.labels ? await readLabelsFile(values.labels) : undefined;
    const result = adaptModel({ kind, bytes, fileName: basename(input), labels, yolo });
    await checkWrappedRuns(result.bytes, result.inputs[0]!, result.opset);
    await writeFileAtomic(labelsOut, `${JSON.stringify(result.labels.labels, null, 2)}\n`);
    try {
      await writeFileAtomic(output, result.bytes);
    } catch (err) {
      await rm(labelsOut, { force: true });
      throw err;
    }
    console.log(`wrapped ${input} → ${output} (${result.bytes.length.toLocaleString('en-US')} bytes)`);
    console.log(`  ${result.summary}`);
    console.log(`  ${result.labels.labels.length} labels from ${result.labels.source} → ${labelsOut}`);
    return 0;
  } catch (err) {
    if (err instanceof AdaptError || err instanceof LabelsError) return fail(err.message);
    return fail(`unexpected failure: ${(err as Error).message.split('\n')[0]}`);
  }
}

process.exitCode = await main(process.argv.slice(2));
