/**
 * @file The converter's entry point: turns face-api's shipped TF.js weights into every ONNX
 * file the registry publishes (each model id, version, input size and weight encoding), with
 * provenance and metadata. Pure and deterministic: same weights in, same bytes out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readWeightsManifest, type Weight } from './weights.ts';
import { buildTinyFaceDetector } from './models/tiny-face-detector.ts';
import { buildSsdMobilenetV1 } from './models/ssd-mobilenetv1.ts';
import { buildAgeGender } from './models/age-gender.ts';
import { buildFaceExpression, EXPRESSION_CLASSES } from './models/face-expression.ts';
import { appendMetadata } from './models/model-metadata.ts';
import type { Preprocess, TaskId, WeightEncoding } from '../../src/shared/manifest-types.ts';

/** One ONNX file ready for the registry. */
export interface ConvertedModel {
  /**
   * face-detector 1.0.0 = tiny; 2.0.0 = SSD; face-attributes 1.0.0; face-expression 1.0.0 (this
   * module, from face-api); face-detector 3.0.0, face-attributes 2.0.0, face-expression 2.0.0
   * (generation-2.ts, from Human); object-detector and image-classifier (graph-models.ts).
   */
  id: string;
  version: string;
  task: TaskId;
  /** `<size>-<encoding>`, e.g. '416-uint8'. */
  variant: string;
  /** Square input side in pixels. */
  size: number;
  encoding: WeightEncoding;
  /** True for the file the registry serves by default for this version. */
  isDefault: boolean;
  labels: string[] | null;
  /** Provenance sentence. */
  source: string;
  onnx: Uint8Array;
  /** What the manifest's `preprocess` adds to the task's default description (fit, crop). */
  preprocess?: Pick<Preprocess, 'fit' | 'crop'>;
  /** The manifest `group` of this version (models that must change together). */
  group?: string;
}

const require = createRequire(import.meta.url);

/** face-api's `model/` directory (the weights this project converts). */
export const DEFAULT_MODEL_DIR = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

const ENCODINGS: readonly WeightEncoding[] = ['uint8', 'float32'];
const TINY_SIZES = [416, 320, 224] as const;
const TINY_DEFAULT_SIZE = 416;
const SSD_SIZE = 512;
const FACE_SIZE = 112;

/** Names the weights' origin: "@vladmandic/face-api 1.7.15" when the dir sits in that package. */
function weightsOrigin(modelDir: string): string {
  const pkgPath = join(modelDir, '..', 'package.json');
  if (existsSync(pkgPath)) {
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: string; version?: string };
    if (pkg.name && pkg.version) return `${pkg.name} ${pkg.version}`;
  }
  return `TF.js weights in ${modelDir}`;
}

function provenance(origin: string, model: string, encoding: WeightEncoding): string {
  const how =
    encoding === 'uint8'
      ? 'uint8-packed weights dequantised in-graph'
      : 'weights dequantised at conversion and stored as float32';
  return `converted from ${origin} ${model} (MIT), ${how}`;
}

/** metadata_props every file carries (builders add encoding, thresholds, labels...). */
type FileMetadata = { 'model-id': string; 'model-version': string; variant: string; source: string };

type Spec = Omit<ConvertedModel, 'onnx' | 'source' | 'variant'> & {
  manifest: string;
  build: (weights: Map<string, Weight>, metadata: FileMetadata) => Uint8Array;
};

function specs(): Spec[] {
  const out: Spec[] = [];
  for (const encoding of ENCODINGS) {
    for (const size of TINY_SIZES) {
      out.push({
        id: 'face-detector',
        version: '1.0.0',
        task: 'face-detection',
        size,
        encoding,
        isDefault: encoding === 'uint8' && size === TINY_DEFAULT_SIZE,
        labels: null,
        manifest: 'tiny_face_detector_model',
        build: (w, meta) => buildTinyFaceDetector(w, encoding, size, meta),
      });
    }
    out.push({
      id: 'face-detector',
      version: '2.0.0',
      task: 'face-detection',
      size: SSD_SIZE,
      encoding,
      isDefault: encoding === 'uint8',
      labels: null,
      manifest: 'ssd_mobilenetv1_model',
      // The SSD builder writes its own metadata (incl. a short 'source'); ours is appended and
      // the provenance sentence goes under another key so no key appears twice.
      build: (w, { source, ...meta }) =>
        appendMetadata(buildSsdMobilenetV1(w, encoding), { ...meta, provenance: source }),
    });
    out.push({
      id: 'face-attributes',
      version: '1.0.0',
      task: 'face-attributes',
      size: FACE_SIZE,
      encoding,
      isDefault: encoding === 'uint8',
      labels: ['male', 'female'],
      manifest: 'age_gender_model',
      build: (w, meta) => buildAgeGender(w, encoding, meta),
    });
    out.push({
      id: 'face-expression',
      version: '1.0.0',
      task: 'face-expression',
      size: FACE_SIZE,
      encoding,
      isDefault: encoding === 'uint8',
      labels: [...EXPRESSION_CLASSES],
      manifest: 'face_expression_model',
      build: (w, meta) => buildFaceExpression(w, encoding, meta),
    });
  }
  return out;
}

/** Converts every published model variant from the TF.js weights in `modelDir`. */
export function convertAll(modelDir: string = DEFAULT_MODEL_DIR): ConvertedModel[] {
  const origin = weightsOrigin(modelDir);
  const cache = new Map<string, Map<string, Weight>>();
  const load = (name: string): Map<string, Weight> => {
    let weights = cache.get(name);
    if (!weights) {
      const path = join(modelDir, `${name}-weights_manifest.json`);
      if (!existsSync(path)) throw new Error(`${path} not found; pass the directory holding face-api's model/ weights`);
      weights = readWeightsManifest(path);
      cache.set(name, weights);
    }
    return weights;
  };
  const order: Readonly<Record<string, number>> = { 'face-detector': 0, 'face-attributes': 1, 'face-expression': 2 };
  return specs()
    .sort(
      (a, b) =>
        order[a.id]! - order[b.id]! ||
        a.version.localeCompare(b.version) ||
        b.size - a.size ||
        b.encoding.localeCompare(a.encoding),
    )
    .map(({ manifest, build, ...rest }) => {
      const variant = `${rest.size}-${rest.encoding}`;
      const source = provenance(origin, manifest, rest.encoding);
      const onnx = build(load(manifest), { 'model-id': rest.id, 'model-version': rest.version, variant, source });
      return { ...rest, variant, source, onnx };
    });
}
