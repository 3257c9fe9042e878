/**
 * @file The reference for hotlens's second model generation: @vladmandic/human 3.3.6 itself,
 * its Node wasm build (`dist/human.node-wasm.js`) on the TF.js wasm backend with the local
 * binaries, models read from the package's own `models/` directory through a file:// load
 * router (no network, no tfjs-node). It is fed the same sharp-decoded pixels as the face-api
 * reference, as an int32 [h, w, 3] tensor (Human casts it to float32; no canvas, no filters).
 *
 * Configuration (every value and why: tools/parity/HUMAN-FACE-PIPELINE.md §1):
 * - face detector BlazeFace, **FaceMesh off**: boxes and the face crop come from BlazeFace
 *   alone (enlarged 1.4×, squared, rounded), never from the 468-point mesh; iris, attention,
 *   antispoof and liveness off; description (FaceRes: age, gender, descriptor) and emotion on;
 * - body, hand, object, gesture, segmentation off;
 * - no caching between images: `cacheSensitivity: 0` (Human then never reuses a box or a
 *   result) plus `skipFrames: 0` / `skipTime: 0` on every face model;
 * - Human's defaults otherwise (minConfidence 0.2, iouThreshold 0.1, scale 1.4, rotation off),
 *   except `maxDetected`: 100 instead of Human's 1, because hotlens annotates every face.
 *
 * Besides Human's result, the reference records what Human fed its three graphs and what they
 * answered (by wrapping each GraphModel's `execute`), so a re-implementation can be compared
 * on the unrounded values Human's result hides (gender probability, age distribution, the
 * emotion probabilities) and its preprocessing can be checked tensor by tensor.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RgbImage } from '../../src/shared/image.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type * as HumanModule from '@vladmandic/human';
import { registerFileLoader } from './tfjs-graph-files.ts';
import { HUMAN_REFERENCE_MAX_DETECTED, humanFaceConfig } from './human-config.ts';

type HumanLib = typeof HumanModule;
type Human = InstanceType<HumanLib['Human']>;
type Config = HumanModule.Config;
type Tf = Human['tf'];
type Tensor = ReturnType<Tf['tensor']>;

const require = createRequire(import.meta.url);

/**
 * Human's package directory. Its `exports` keys lack the leading "./", so Node refuses every
 * subpath (package.json, dist/human.node-wasm.js): resolve the main entry (the tfjs-node build,
 * resolved but never loaded) and require the wasm build by absolute path.
 */
export const HUMAN_DIR = dirname(dirname(require.resolve('@vladmandic/human')));
/** The TF.js graph models Human ships. */
export const HUMAN_MODEL_DIR = join(HUMAN_DIR, 'models');
const WASM_DIR = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

/** Human's own default for `face.detector.maxDetected` (one face), which the reference overrides. */
export const HUMAN_DEFAULT_MAX_DETECTED = 1;

/** The configuration the reference runs Human with (merged over Human's defaults; tools/parity/human-config.ts). */
export function humanConfig(maxDetected = HUMAN_REFERENCE_MAX_DETECTED): Partial<Config> {
  return humanFaceConfig(
    { wasmPath: `${WASM_DIR}/`, modelBasePath: `${pathToFileURL(HUMAN_MODEL_DIR).href}/` },
    maxDetected,
  );
}

/** One graph call as Human made it: the input tensor it built and the outputs it read. */
export interface GraphCall {
  input: { dims: number[]; data: Float32Array };
  /** Outputs in the order `execute` returned them. */
  outputs: { dims: number[]; data: Float32Array }[];
}

/** One face as Human reports it, plus the graph calls behind it. */
export interface HumanFace {
  /** `face.box`: the enlarged square detector box clamped to the image, integer pixels. */
  box: PixelBox;
  /** The same box before clamping (`face.boxRaw` × image size, rounded back to Human's integers). */
  squareBox: PixelBox;
  /** `face.boxScore` (= `face.score` with the mesh off): detector confidence rounded to 0.01. */
  score: number;
  /** Years, rounded by Human to 0.1; null when Human left it unset (age 0). */
  age: number | null;
  gender: 'male' | 'female' | 'unknown';
  /** 2·|p − 0.5| truncated to 0.01 and capped at 0.99; null when Human left it unset (0). */
  genderScore: number | null;
  /** Emotions above minConfidence, score truncated to 0.01, best first, in Human's labels. */
  emotions: { label: string; score: number }[];
  /** The six BlazeFace landmarks in image pixels (Human's names: leftEye, rightEye, nose, mouth, leftEar, rightEar). */
  landmarks: [number, number][];
  /** FaceRes's 1024-value descriptor (`face.embedding`). */
  descriptor: number[];
  /** What FaceRes and the emotion net were given and answered for this face. */
  faceres: GraphCall;
  emotion: GraphCall;
}

/** Human's answer for one image. */
export interface HumanResult {
  faces: HumanFace[];
  /** The single BlazeFace call of this image. */
  blazeface: GraphCall;
}

type Recorder = (name: string, call: GraphCall) => void;

function snapshot(t: Tensor): { dims: number[]; data: Float32Array } {
  return { dims: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
}

/** Human with its face models loaded on the TF.js wasm backend. Create once; reuse for every image. */
export class HumanReference {
  private recorder: Recorder | null = null;

  private constructor(
    readonly human: Human,
    readonly config: Partial<Config>,
  ) {}

  /** Starts the wasm backend (local binaries) and loads BlazeFace, FaceRes and the emotion net. */
  static async create(config: Partial<Config> = humanConfig()): Promise<HumanReference> {
    const lib = require(join(HUMAN_DIR, 'dist', 'human.node-wasm.js')) as HumanLib;
    const human = new lib.Human(config);
    registerFileLoader(human.tf.io);
    await human.load();
    if (human.tf.getBackend() !== 'wasm') throw new Error(`Human runs on ${human.tf.getBackend()}, expected wasm`);
    const ref = new HumanReference(human, config);
    for (const name of ['blazeface', 'faceres', 'emotion'] as const) {
      const model = human.models.models[name];
      if (!model) throw new Error(`Human did not load its ${name} model from ${HUMAN_MODEL_DIR}`);
      const execute = model.execute.bind(model);
      model.execute = ((inputs: Tensor, outputs?: string | string[]) => {
        const result = execute(inputs, outputs);
        const list = Array.isArray(result) ? result : [result];
        ref.recorder?.(name, { input: snapshot(inputs), outputs: list.map(snapshot) });
        return result;
      }) as typeof model.execute;
    }
    return ref;
  }

  /** Versions and backend, for reports. */
  describe(): string {
    return `human ${this.human.version} on tfjs ${this.human.tf.version_core} (${this.human.tf.getBackend()})`;
  }

  /** Runs `human.detect` on the decoded pixels and returns its faces with their graph calls. Not re-entrant: await each call. */
  async analyse(img: RgbImage): Promise<HumanResult> {
    if (img.channels !== 3) throw new Error('the reference takes RGB images (3 channels); decode with decodeImage()');
    const { tf } = this.human;
    const calls: Record<string, GraphCall[]> = { blazeface: [], faceres: [], emotion: [] };
    this.recorder = (name, call) => calls[name]!.push(call);
    const input = tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
    let result;
    try {
      result = await this.human.detect(input, this.config);
    } finally {
      this.recorder = null;
      input.dispose();
    }
    if (result.error) throw new Error(`Human failed: ${result.error}`);
    const faces = result.face;
    if (calls.blazeface!.length !== 1) throw new Error(`expected one BlazeFace call, saw ${calls.blazeface!.length}`);
    if (calls.faceres!.length !== faces.length || calls.emotion!.length !== faces.length)
      throw new Error(
        `${faces.length} faces but ${calls.faceres!.length} FaceRes and ${calls.emotion!.length} emotion calls`,
      );
    return {
      blazeface: calls.blazeface![0]!,
      faces: faces.map((f, i) => {
        const [x, y, w, h] = f.box;
        const [rx, ry, rw, rh] = f.boxRaw;
        const sx = Math.round(rx * img.width);
        const sy = Math.round(ry * img.height);
        return {
          box: { x, y, width: w, height: h },
          squareBox: { x: sx, y: sy, width: Math.round(rw * img.width), height: Math.round(rh * img.height) },
          score: f.boxScore,
          age: f.age ?? null,
          gender: (f.gender ?? 'unknown') as HumanFace['gender'],
          genderScore: f.genderScore ?? null,
          emotions: (f.emotion ?? []).map((e) => ({ label: e.emotion, score: e.score })),
          landmarks: f.mesh.map((p) => [p[0], p[1]] as [number, number]),
          descriptor: f.embedding ?? [],
          faceres: calls.faceres![i]!,
          emotion: calls.emotion![i]!,
        };
      }),
    };
  }
}
