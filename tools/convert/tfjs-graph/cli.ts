/**
 * @file `tsx tools/convert/tfjs-graph/cli.ts --model model.json --out model.onnx [--outputs a,b]
 * [--nhwc] [--float32]`: translates any TF.js graph model whose ops the translator covers and
 * prints the ONNX signature, size and time. For trying models out; the registry build calls the
 * model wrappers (models/*.ts) directly.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliOptions, parseCli } from '../../lib/cli-args.ts';
import { readGraphModel } from './model-source.ts';
import { convertGraphModel } from './translate.ts';

const USAGE =
  'usage: tsx tools/convert/tfjs-graph/cli.ts --model MODEL_JSON --out FILE.onnx [--outputs NODE,NODE:1] [--nhwc] [--float32]';

function main(): number {
  const args = parseCli(
    {
      command: 'tfjs-graph',
      usage: USAGE,
      options: cliOptions({ string: ['model', 'out', 'outputs'], boolean: ['nhwc', 'float32'] }),
      required: ['model', 'out'],
    },
    process.argv.slice(2),
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
  const started = performance.now();
  try {
    const converted = convertGraphModel(readGraphModel(resolve(values.model!)), {
      ...(values.outputs ? { outputs: values.outputs.split(',') } : {}),
      inputLayout: values.nhwc ? 'nhwc' : 'nchw',
      weights: values.float32 ? 'float32' : 'compact',
    });
    writeFileSync(resolve(values.out!), converted.onnx);
    const sig = (v: { name: string; type: string; dims: (number | string)[] }) => `${v.name} ${v.type} [${v.dims}]`;
    for (const i of converted.inputs) console.log(`input   ${sig(i)}`);
    for (const o of converted.outputs) console.log(`output  ${sig(o)}`);
    const ms = (performance.now() - started).toFixed(0);
    console.log(`${converted.onnx.length.toLocaleString('en-US')} bytes written to ${values.out} in ${ms} ms`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

process.exitCode = main();
