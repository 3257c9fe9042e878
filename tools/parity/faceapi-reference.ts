/**
 * @file The reference hotlens is measured against: @vladmandic/face-api itself, run in Node
 * on the TF.js WebAssembly backend (no native tfjs-node) with the weights it ships. Images
 * are decoded once with sharp (bit-identical to Chromium) and the same pixels feed both
 * face-api and our ONNX pipeline, so any difference comes from the models or the
 * pre/post-processing, never from decoding.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/shared/image.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type * as FaceApiModule from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type * as TfjsModule from '@tensorflow/tfjs';
import type * as TfWasmModule from '@tensorflow/tfjs-backend-wasm';

type FaceApi = typeof FaceApiModule;
type Tfjs = typeof TfjsModule;
type TfWasm = typeof TfWasmModule;
/** Tensors typed with face-api's bundled TF.js types (the runtime module is the same). */
type Tensor3D = ReturnType<FaceApi['tf']['tensor3d']>;

// Native require: face-api's CJS bundle requires '@tensorflow/tfjs' itself, and tensors we
// create must come from that same module instance (face-api checks `instanceof tf.Tensor`).
const require = createRequire(import.meta.url);

/** face-api's package directory (weights in `model/`, photos in `demo/`). */
export const FACEAPI_DIR = dirname(require.resolve('@vladmandic/face-api/package.json'));
/** The weights face-api ships, TF.js weights-manifest form. */
export const FACEAPI_MODEL_DIR = join(FACEAPI_DIR, 'model');
/** The six sample photos face-api ships. */
export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((i) => join(FACEAPI_DIR, 'demo', `sample${i}.jpg`));

/** Which face-api detector configuration produced a result. */
export type ReferenceDetector = { kind: 'tiny'; inputSize: number } | { kind: 'ssd' };

/** One face as face-api reports it (detection plus age/gender/expressions). */
export interface ReferenceFace {
  box: PixelBox;
  score: number;
  age: number;
  /** P(male) as face-api computes it (genderProbability or 1 − genderProbability). */
  probMale: number;
  gender: 'male' | 'female';
  genderProbability: number;
  /** Probabilities in face-api's label order: neutral, happy, sad, angry, fearful, disgusted, surprised. */
  expressions: number[];
}

/** Decodes an image file to interleaved RGB with sharp (alpha dropped). */
export async function decodeImage(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${path}: decoded to ${info.channels} channels, expected 3`);
  return {
    width: info.width,
    height: info.height,
    channels: 3,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

const EXPRESSION_ORDER = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** face-api with its nets loaded on the TF.js wasm backend. Create once; reuse for every image. */
export class FaceApiReference {
  private constructor(
    readonly faceapi: FaceApi,
    private readonly tf: Tfjs,
  ) {}

  /**
   * Selects the wasm backend (local binaries, no CDN) and loads the four nets from `modelDir`
   * (skip them with `loadNets: false` when only face-api's preprocessing is needed).
   */
  static async create(modelDir: string = FACEAPI_MODEL_DIR, loadNets = true): Promise<FaceApiReference> {
    const tf = require('@tensorflow/tfjs') as Tfjs;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as TfWasm;
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(`${wasmDir}/`);
    if (!(await tf.setBackend('wasm')))
      throw new Error('TF.js could not start its wasm backend; check @tensorflow/tfjs-backend-wasm');
    await tf.ready();
    if (loadNets) {
      await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
      await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
      await faceapi.nets.ageGenderNet.loadFromDisk(modelDir);
      await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
    }
    return new FaceApiReference(faceapi, tf);
  }

  /** TF.js backend and versions, for reports. */
  describe(): string {
    return `face-api ${this.faceapi.version} on tfjs ${this.tf.version.tfjs} (${this.tf.getBackend()})`;
  }

  private tensor(img: RgbImage): Tensor3D {
    if (img.channels !== 3) throw new Error('the reference takes RGB images (3 channels); decode with decodeImage()');
    const data =
      img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
    return this.faceapi.tf.tensor3d(data, [img.height, img.width, 3], 'int32');
  }

  private options(detector: ReferenceDetector) {
    const { faceapi } = this;
    return detector.kind === 'tiny'
      ? new faceapi.TinyFaceDetectorOptions({ inputSize: detector.inputSize, scoreThreshold: 0.5 })
      : new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });
  }

  /** Detects faces and estimates age, gender and expressions exactly as face-api's task chain does. */
  async analyse(img: RgbImage, detector: ReferenceDetector): Promise<ReferenceFace[]> {
    const input = this.tensor(img);
    try {
      const results = await this.faceapi
        .detectAllFaces(input, this.options(detector))
        .withAgeAndGender()
        .withFaceExpressions();
      return results.map((r) => {
        const b = r.detection.box;
        const probMale = r.gender === 'male' ? r.genderProbability : 1 - r.genderProbability;
        return {
          box: { x: b.x, y: b.y, width: b.width, height: b.height },
          score: r.detection.score,
          age: r.age,
          probMale,
          gender: r.gender as 'male' | 'female',
          genderProbability: r.genderProbability,
          expressions: EXPRESSION_ORDER.map((k) => r.expressions[k]),
        };
      });
    } finally {
      input.dispose();
    }
  }

  /** The detector input face-api builds (NetInput.toBatchTensor, pad bottom-right), NHWC float32. */
  async detectorInput(img: RgbImage, size: number): Promise<Float32Array> {
    const input = this.tensor(img);
    const batch = new this.faceapi.NetInput([input]).toBatchTensor(size, false);
    try {
      return (await batch.data()) as Float32Array;
    } finally {
      batch.dispose();
      input.dispose();
    }
  }

  /** The 112×112 crops the attribute nets see for `boxes` (extractFaceTensors + toBatchTensor, centred), NHWC. */
  async faceInputs(img: RgbImage, boxes: PixelBox[]): Promise<Float32Array[]> {
    const { faceapi } = this;
    const input = this.tensor(img);
    const rects = boxes.map((b) => new faceapi.Rect(b.x, b.y, b.width, b.height));
    const faces = await faceapi.extractFaceTensors(input, rects);
    try {
      const out: Float32Array[] = [];
      for (const face of faces) {
        const batch = new faceapi.NetInput([face]).toBatchTensor(112, true);
        out.push((await batch.data()) as Float32Array);
        batch.dispose();
      }
      return out;
    } finally {
      for (const f of faces) f.dispose();
      input.dispose();
    }
  }
}
