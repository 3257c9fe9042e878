/**
 * @file Model files and registry steps the feature specs need beyond the base registry (which
 * holds the face models only): the shipped object-detector and image-classifier 1.0.0, an
 * object-detector 1.0.1 (same network, float32 weights: other bytes, same detections), the
 * ResNet-18 stand-in wrapped by `npm run adapt-model`, and `npm run publish-model` with
 * `--task` for a model id new to a registry. Files are written once under e2e/.artifacts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { convertGraphModels, convertObjectDetectorFloat32 } from '../../tools/convert/graph-models.ts';
import { resnet18Standin } from '../../tools/adapt/standins/resnet18.ts';
import { ARTIFACTS } from './paths.ts';

const run = promisify(execFile);
const DIR = join(ARTIFACTS, 'feature-models');

/** Paths of the feature models and their label files. */
export const FEATURE_MODELS = {
  objectDetector: join(DIR, 'object-detector-1.0.0.onnx'),
  objectDetectorLabels: join(DIR, 'object-detector.labels.json'),
  objectDetectorFloat32: join(DIR, 'object-detector-1.0.1-float32.onnx'),
  imageClassifier: join(DIR, 'image-classifier-1.0.0.onnx'),
  imageClassifierLabels: join(DIR, 'image-classifier.labels.json'),
  resnetRaw: join(DIR, 'resnet18-standin-raw.onnx'),
  resnetWrapped: join(DIR, 'resnet18-standin.onnx'),
  resnetLabels: join(DIR, 'resnet18-standin.labels.json'),
} as const;

/** Writes the converted object-detector and image-classifier files (1.0.0 and the float32 1.0.1). */
export function writeFeatureModels(): void {
  if (existsSync(FEATURE_MODELS.objectDetectorFloat32)) return;
  mkdirSync(DIR, { recursive: true });
  const [detector, classifier] = convertGraphModels();
  writeFileSync(FEATURE_MODELS.objectDetector, detector!.onnx);
  writeFileSync(FEATURE_MODELS.objectDetectorLabels, JSON.stringify(detector!.labels));
  writeFileSync(FEATURE_MODELS.imageClassifier, classifier!.onnx);
  writeFileSync(FEATURE_MODELS.imageClassifierLabels, JSON.stringify(classifier!.labels));
  writeFileSync(FEATURE_MODELS.objectDetectorFloat32, convertObjectDetectorFloat32().onnx);
}

/** The ResNet-18 stand-in export, wrapped with `npm run adapt-model -- --kind resnet` (labels beside it). */
export async function writeWrappedResnet(): Promise<void> {
  if (existsSync(FEATURE_MODELS.resnetLabels)) return;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(FEATURE_MODELS.resnetRaw, resnet18Standin());
  await run('npm', [
    ...['run', '--silent', 'adapt-model', '--', '--kind', 'resnet'],
    ...['--in', FEATURE_MODELS.resnetRaw, '--out', FEATURE_MODELS.resnetWrapped],
  ]);
}

/** `npm run publish-model` into `registryDir` with a task (needed when the id is new there) and labels. */
export async function publishWithTask(
  registryDir: string,
  id: string,
  version: string,
  file: string,
  task: string,
  labels: string,
): Promise<void> {
  await run(
    'npm',
    [
      ...['run', '--silent', 'publish-model', '--', '--registry', registryDir, '--id', id, '--version', version],
      ...['--file', file, '--task', task, '--labels', labels],
    ],
    { maxBuffer: 1 << 20 },
  );
}

/** Adds object-detector and image-classifier 1.0.0 to a test registry (before the app opens it). */
export async function publishFeatureModels(registryDir: string): Promise<void> {
  writeFeatureModels();
  const m = FEATURE_MODELS;
  await publishWithTask(
    registryDir,
    'object-detector',
    '1.0.0',
    m.objectDetector,
    'object-detection',
    m.objectDetectorLabels,
  );
  await publishWithTask(
    registryDir,
    'image-classifier',
    '1.0.0',
    m.imageClassifier,
    'image-classification',
    m.imageClassifierLabels,
  );
}
