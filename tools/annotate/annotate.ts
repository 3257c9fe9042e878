/**
 * @file `npm run annotate -- FILE... [--json] [--features LIST] [--detector ID@VERSION]
 * [--model ID@VERSION] [--registry DIR]`: the app's features (the same pre- and post-processing
 * the worker runs) and the registry's verified models, in Node. Prints a table or the JSON the
 * README documents (one key per feature run); a file that fails becomes `{file, error}` and the
 * others still run; the exit code is 1 when any file failed.
 */
import { resolve } from 'node:path';
import { FEATURES, TASKS } from '../../src/features/index.ts';
import {
  analyzeWithFeatures,
  DEFAULT_FEATURES,
  parseFeatureList,
  selectFeatures,
} from '../../src/shared/feature-set.ts';
import type { AnnotateOutput, ImageAnnotation } from '../../src/shared/results.ts';
import { decodeImageFile } from '../lib/decode-image.ts';
import { loadModels, parseModelRef, type ModelRef } from '../lib/registry-models.ts';
import { DEFAULT_REGISTRY } from '../lib/project-root.ts';
import { formatTable } from './format-table.ts';
import { cliOptions, parseCli, usageError } from '../lib/cli-args.ts';

const USAGE =
  'usage: npm run annotate -- FILE... [--json] [--features faces,objects,classification] [--detector ID@VERSION] [--model ID@VERSION]... [--registry DIR]';

async function main(argv: string[]): Promise<number> {
  const spec = {
    command: 'annotate',
    usage: USAGE,
    options: cliOptions({ string: ['features', 'detector', 'registry'], boolean: ['json'], multiple: ['model'] }),
    positionals: true,
  } as const;
  const args = parseCli(spec, argv);
  if (args.exitCode !== undefined) return args.exitCode;
  const { values, positionals: files } = args;
  if (files.length === 0) return usageError(spec, 'no image files given');
  let featureIds: string[];
  try {
    featureIds = parseFeatureList(values.features ?? DEFAULT_FEATURES.join(','), FEATURES);
  } catch (err) {
    return usageError(spec, (err as Error).message);
  }
  const features = selectFeatures(FEATURES, featureIds);
  const overrides: Record<string, ModelRef> = {};
  for (const ref of values.model ?? []) {
    const parsed = parseModelRef(ref);
    overrides[parsed.id] = parsed;
  }
  // --detector chooses the faces feature's detector (any registry model of the face-detection task).
  if (values.detector !== undefined) overrides['face-detector'] = parseModelRef(values.detector);
  const registry = resolve(values.registry ?? DEFAULT_REGISTRY);
  let loaded;
  try {
    loaded = await loadModels(registry, features, TASKS, overrides);
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
        const analysed = await analyzeWithFeatures(features, {
          image,
          scaleToOriginal: scale,
          runners: loaded.runners,
        });
        const result: ImageAnnotation = {
          file,
          width: original.width,
          height: original.height,
          models: analysed.models,
          ...analysed.results,
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
  else console.log(formatTable(results, timings, features));
  return results.some((r) => 'error' in r) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
