/**
 * @file `npm run convert -- --out DIR [--weights DIR]`: writes every converted ONNX file (face-api's
 * generation 1 and Human's generation 2) as `DIR/<id>-<version>-<variant>.onnx` and prints a size
 * table. For inspecting and benchmarking the converter's output and for publishing by hand; the
 * registry build calls the converters directly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MODEL_DIR } from './index.ts';
import { convertRegistryModels } from './all-generations.ts';
import { parseCli } from '../lib/cli-args.ts';

const USAGE = 'usage: npm run convert -- --out DIR [--weights FACE_API_MODEL_DIR]';

function main(): number {
  const args = parseCli(
    {
      command: 'convert',
      usage: USAGE,
      options: { out: { type: 'string' }, weights: { type: 'string' } },
      required: ['out'],
    },
    process.argv.slice(2),
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
  const outDir = resolve(values.out!);
  const started = performance.now();
  const models = convertRegistryModels(values.weights ? resolve(values.weights) : DEFAULT_MODEL_DIR);
  const elapsed = performance.now() - started;
  mkdirSync(outDir, { recursive: true });
  const rows = models.map((m) => {
    const file = `${m.id}-${m.version}-${m.variant}.onnx`;
    writeFileSync(join(outDir, file), m.onnx);
    return [file, m.task, m.isDefault ? 'yes' : '', m.onnx.length.toLocaleString('en-US')];
  });
  const header = ['file', 'task', 'default', 'bytes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`${models.length} files written to ${outDir} (converted in ${(elapsed / 1000).toFixed(2)} s)`);
  return 0;
}

process.exitCode = main();
