/**
 * @file The second face-model generation for the registry: Human 3.3.6's BlazeFace, FaceRes and
 * emotion graphs translated to ONNX (tools/convert/tfjs-graph/models/) and published as
 * face-detector 3.0.0, face-attributes 2.0.0 and face-expression 2.0.0 — one group, since the
 * attribute models' crops are cut from BlazeFace's boxes by Human's rule and would be wrong
 * behind a first-generation detector (and the other way round). Deterministic, like convertAll.
 */
import { convertBlazeface } from './tfjs-graph/models/blazeface.ts';
import { convertEmotion } from './tfjs-graph/models/emotion.ts';
import { convertFaceres } from './tfjs-graph/models/faceres.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphModelJson } from './tfjs-graph/model-source.ts';
import { humanPackage } from './tfjs-graph/models/packages.ts';
import type { ConvertedTaskModel } from './tfjs-graph/models/task-model.ts';
import type { ConvertedModel } from './index.ts';

/** The group the second generation's versions share in the manifest. */
export const GENERATION_2_GROUP = 'faces-gen2';

/** Registry id and version of each second-generation model. */
export const GENERATION_2 = {
  'face-detector': '3.0.0',
  'face-attributes': '2.0.0',
  'face-expression': '2.0.0',
} as const;

/** Human's graph files these models are made from (the registry build's stamp hashes them). */
export const GENERATION_2_SOURCES = ['blazeface', 'faceres', 'emotion'];

function entry(
  id: keyof typeof GENERATION_2,
  task: string,
  m: Omit<ConvertedTaskModel, 'labels'> & { labels: string[] | null },
  encoding: ConvertedModel['encoding'],
): ConvertedModel {
  return {
    id,
    version: GENERATION_2[id],
    task,
    variant: `${m.inputSize}-${encoding}`,
    size: m.inputSize,
    encoding,
    isDefault: true,
    labels: m.labels,
    source: m.source,
    onnx: m.onnx,
    ...(m.preprocess ? { preprocess: m.preprocess } : {}),
    group: GENERATION_2_GROUP,
  };
}

/** The three second-generation files (weights as Human ships them: float32, float16, float32). */
export function convertGeneration2(): ConvertedModel[] {
  return [
    entry('face-detector', 'face-detection', convertBlazeface(), 'float32'),
    entry('face-attributes', 'face-attributes', convertFaceres(), 'float16'),
    entry('face-expression', 'face-expression', convertEmotion(), 'float32'),
  ];
}

/** Paths of Human's graph files behind {@link convertGeneration2}: each model.json and its weight shards. */
export function generation2SourceFiles(): string[] {
  const dir = join(humanPackage().dir, 'models');
  return GENERATION_2_SOURCES.flatMap((stem) => {
    const json = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as GraphModelJson;
    return [join(dir, `${stem}.json`), ...json.weightsManifest.flatMap((g) => g.paths.map((p) => join(dir, p)))];
  });
}
