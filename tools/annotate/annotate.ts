/**
 * @file `npm run annotate -- FILE... [--json] [--detector ID@VERSION] [--registry DIR]`: the
 * app's pipeline (analyzeImage) and the registry's verified models, in Node. Prints a table or
 * the JSON of DESIGN.md; a file that fails becomes `{file, error}` and the others still run;
 * the exit code is 1 when any file failed.
 */
import { resolve } from 'node:path';
import type { AnnotateOutput, ImageAnnotation } from '../../src/shared/face-results.ts';
import { analyzeImage } from '../../src/shared/pipeline/analyze-image.ts';
import { decodeImageFile } from '../lib/decode-image.ts';
import { loadFaceModels } from '../lib/registry-models.ts';
import { DEFAULT_REGISTRY } from '../lib/project-root.ts';
import { formatTable } from './format-table.ts';
import { parseCli, usageError } from '../lib/cli-args.ts';

const USAGE = 'usage: npm run annotate -- FILE... [--json] [--detector ID@VERSION] [--registry DIR]';

async function main(argv: string[]): Promise<number> {
  const args = parseCli(
    {
      command: 'annotate',
      usage: USAGE,
      options: { json: { type: 'boolean' }, detector: { type: 'string' }, registry: { type: 'string' } },
      positionals: true,
    },
    argv,
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values, positionals: files } = args;
  if (files.length === 0) return usageError({ command: 'annotate', usage: USAGE }, 'no image files given');
  const registry = resolve(values.registry ?? DEFAULT_REGISTRY);
  let loaded;
  try {
    loaded = await loadFaceModels(registry, { detector: values.detector });
  } catch (err) {
    console.error(`annotate: ${(err as Error).message}`);
    return 1;
  }
  const results: AnnotateOutput[] = [];
  const timings: number[] = [];
  try {
    for (const file of files) {
      const started = performance.now();
      try {
        const { image, scale, original } = await decodeImageFile(file);
        const analysed = await analyzeImage(image, loaded.models, { scaleToOriginal: scale, labels: loaded.labels });
        const result: ImageAnnotation = {
          file,
          width: original.width,
          height: original.height,
          models: loaded.versions,
          faces: analysed.faces,
        };
        results.push(result);
      } catch (err) {
        results.push({ file, error: (err as Error).message });
      }
      timings.push(performance.now() - started);
    }
  } finally {
    await loaded.release();
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else console.log(formatTable(results, timings));
  return results.some((r) => 'error' in r) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
