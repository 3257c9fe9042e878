/**
 * @file `npm run annotate -- FILE... [--json] [--detector ID@VERSION] [--registry DIR]`: the
 * app's pipeline (analyzeImage) and the registry's verified models, in Node. Prints a table or
 * the JSON of DESIGN.md; a file that fails becomes `{file, error}` and the others still run;
 * the exit code is 1 when any file failed.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AnnotateOutput, ImageAnnotation } from '../../src/shared/face-results.ts';
import { analyzeImage } from '../../src/shared/pipeline/analyze-image.ts';
import { decodeImageFile } from '../lib/decode-image.ts';
import { loadFaceModels } from '../lib/registry-models.ts';
import { DEFAULT_REGISTRY } from '../lib/project-root.ts';
import { formatTable } from './format-table.ts';

const USAGE = 'usage: npm run annotate -- FILE... [--json] [--detector ID@VERSION] [--registry DIR]';

async function main(argv: string[]): Promise<number> {
  let values: { json?: boolean; detector?: string; registry?: string; help?: boolean };
  let files: string[];
  try {
    ({ values, positionals: files } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        detector: { type: 'string' },
        registry: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    console.error(`annotate: ${(err as Error).message.split('\n')[0]} (${USAGE})`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (files.length === 0) {
    console.error(`annotate: no image files given (${USAGE})`);
    return 2;
  }
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
