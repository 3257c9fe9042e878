/**
 * @file Human 3.3.6's face pipeline with the mesh off (BlazeFace → square crop → FaceRes +
 * emotion), re-implemented from tools/parity/HUMAN-FACE-PIPELINE.md as plain functions over
 * typed arrays. Running a graph is the caller's business: a {@link RunGraph} callback takes
 * the input tensor and returns the graph's outputs, so the same pre/post-processing runs on
 * TF.js today (human-tfjs-runner.ts) and on onnxruntime-web once the graphs are translated.
 * Outputs are told apart by shape, as Human does, never by name.
 *
 * Every step cites the spec section it implements; the reported values carry Human's own
 * rounding, and the unrounded values are reported beside them.
 */
import type { RgbImage } from '../../src/shared/image.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type { TensorData } from '../../src/shared/tensor.ts';
import {
  cropAndResize,
  hitsWasmCropShortcut,
  mapF32,
  nonMaxSuppression,
  resizeBilinear,
  sigmoid,
  type CropBox,
  type Nhwc,
} from './human-ops.ts';

const f32 = Math.fround;

/** The three graphs of the pipeline, named after Human's model files. */
export type HumanGraph = 'blazeface' | 'faceres' | 'emotion';

/** Runs one graph on one NHWC float32 input and returns all its outputs (any order). */
export type RunGraph = (graph: HumanGraph, input: TensorData) => Promise<TensorData[]>;

/** Human's emotion labels for a one-channel (grayscale) emotion model, in output order (spec §5). */
export const HUMAN_EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

/** Every constant of the pipeline (spec §1 for where each comes from). */
export const HUMAN_FACE_PIPELINE = {
  detector: {
    /** BlazeFace input side (blazeface.json input [1,256,256,3]); also the face-crop side with the mesh off. */
    inputSize: 256,
    /** Anchor grids: strides inputSize/16 and inputSize/8 (16 and 32 px), 2 and 6 anchors per cell → 512 + 384 = 896. */
    strideDivisors: [16, 8],
    anchorsPerCell: [2, 6],
    minConfidence: 0.2,
    iouThreshold: 0.1,
    /** Human's default is 1; hotlens annotates every face. */
    maxDetected: 100,
    /** Box enlargement before squaring. */
    scale: 1.4,
    minSize: 0,
  },
  faceres: { inputSize: 224, minConfidence: 0.1 },
  emotion: { inputSize: 64, minConfidence: 0.1, grayWeights: [0.2989, 0.587, 0.114], labels: HUMAN_EMOTION_LABELS },
} as const;

/** Settings a caller may change (Human's config names). */
export interface HumanPipelineOptions {
  maxDetected?: number;
  minConfidence?: number;
  iouThreshold?: number;
}

/** One face, with Human's reported (rounded) values and the unrounded ones behind them. */
export interface HumanPipelineFace {
  /** Human's `face.box`: the square box clamped to the image, truncated to integers. */
  box: PixelBox;
  /** The enlarged, squared, rounded box before clamping (may extend past the image). */
  squareBox: PixelBox;
  /** Human's `face.boxScore`: confidence rounded to 0.01. */
  score: number;
  /** Sigmoid of BlazeFace's logit. */
  confidence: number;
  /** The square box's corners [x1, y1, x2, y2] before Human rounds them (how close a 1-px flip is). */
  squareCorners: [number, number, number, number];
  /** Six landmarks in image pixels, in Human's annotation names: leftEye, rightEye, nose, mouth, leftEar, rightEar. */
  landmarks: [number, number][];
  /** Human's age (0.1 year steps); null where Human leaves it unset (0 or NaN). */
  age: number | null;
  /** Age before Human's 0.1 rounding. */
  ageUnrounded: number;
  /** FaceRes's 100-bin age distribution. */
  ageDistribution: Float32Array;
  gender: 'male' | 'female' | 'unknown';
  /** Human's genderScore; null where Human leaves it unset. */
  genderScore: number | null;
  /** FaceRes's sigmoid: probability of male. */
  probMale: number;
  /** Human's emotion list: above minConfidence, truncated to 0.01, capped at 0.99, best first. */
  emotions: { label: string; score: number }[];
  /** The seven emotion probabilities in {@link HUMAN_EMOTION_LABELS} order. */
  emotionProbabilities: Float32Array;
  descriptor: Float32Array;
  /** True if tfjs-backend-wasm would have taken its buggy crop shortcut here (spec §3.3). */
  wasmCropShortcut: boolean;
}

/** One BlazeFace detection after Human's box chain. */
export interface Detection {
  /** Enlarged, squared box corners in image pixels (integers). */
  start: [number, number];
  end: [number, number];
  /** The same corners before rounding. */
  corners: [number, number, number, number];
  confidence: number;
  landmarks: [number, number][];
}

const tensor = (data: Float32Array, dims: number[]): TensorData => ({ type: 'float32', dims, data });

function floats(t: TensorData, what: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error(`${what} output is ${t.type}, expected float32`);
  return t.data;
}

/** Anchor centres in input pixels, two values per anchor (spec §2.3). */
export function blazefaceAnchors(inputSize: number): Float32Array {
  const { strideDivisors, anchorsPerCell } = HUMAN_FACE_PIPELINE.detector;
  const out: number[] = [];
  strideDivisors.forEach((divisor, i) => {
    const stride = inputSize / divisor;
    const grid = Math.floor((inputSize + stride - 1) / stride);
    for (let gy = 0; gy < grid; gy++)
      for (let gx = 0; gx < grid; gx++)
        for (let n = 0; n < anchorsPerCell[i]!; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
  });
  return Float32Array.from(out);
}

/** The BlazeFace input: the whole image stretched to a square (no letterbox), v/127.5 − 1 (spec §2.1). */
export function blazefaceInput(img: RgbImage, size: number): TensorData {
  const resized = resizeBilinear(img, size, size, 3);
  return tensor(
    mapF32(resized.data, (v) => f32(v / 127.5) - 1),
    [1, size, size, 3],
  );
}

/**
 * BlazeFace's outputs as rows of 17 values [logit, cx, cy, w, h, 6 × (x, y)], one per anchor
 * (spec §2.2): four outputs (scores and regressors of the 16-stride and 32-stride heads) are
 * paired by size and concatenated 512-head first, as Human's "pinto" branch does; a single
 * [1, 896, 17] output is taken as is.
 */
export function blazefaceRows(outputs: TensorData[]): Float32Array {
  if (outputs.length === 1) return floats(outputs[0]!, 'blazeface');
  if (outputs.length !== 4) throw new Error(`blazeface returned ${outputs.length} outputs, expected 1 or 4`);
  const bySize = [...outputs].sort((a, b) => a.data.length - b.data.length);
  const heads = [
    [bySize[1]!, bySize[3]!],
    [bySize[0]!, bySize[2]!],
  ];
  const rows = heads.reduce((n, [s]) => n + s!.data.length, 0);
  const out = new Float32Array(rows * 17);
  let r = 0;
  for (const [scores, regs] of heads) {
    const s = floats(scores!, 'blazeface scores');
    const g = floats(regs!, 'blazeface regressors');
    if (g.length !== s.length * 16) throw new Error('blazeface regressor output is not 16 values per anchor');
    for (let i = 0; i < s.length; i++, r++) {
      out[r * 17] = s[i]!;
      out.set(g.subarray(i * 16, i * 16 + 16), r * 17 + 1);
    }
  }
  return out;
}

/** Decodes rows into float32 corner boxes in input pixels and sigmoid scores (spec §2.3–2.4). */
export function decodeBlazeface(
  rows: Float32Array,
  anchors: Float32Array,
  size: number,
): { boxes: Float32Array; scores: Float32Array } {
  const n = rows.length / 17;
  if (anchors.length !== 2 * n)
    throw new Error(`blazeface gave ${n} anchors' rows, the grid has ${anchors.length / 2}`);
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * 17;
    for (let k = 0; k < 2; k++) {
      const centre = f32(f32(rows[row + 1 + k]! + anchors[2 * i + k]!) / size);
      const half = f32(f32(rows[row + 3 + k]! / size) / 2);
      boxes[4 * i + k] = f32(f32(centre - half) * size);
      boxes[4 * i + 2 + k] = f32(f32(centre + half) * size);
    }
    scores[i] = sigmoid(rows[row]!);
  }
  return { boxes, scores };
}

/** Human's box chain: scale to the image, enlarge ×scale about the centre, square, round (spec §2.6). */
function toDetection(
  box: ArrayLike<number>,
  landmarks: [number, number][],
  confidence: number,
  factor: [number, number],
  scale: number,
): Detection & { size: [number, number] } {
  const s = [box[0]! * factor[0], box[1]! * factor[1]];
  const e = [box[2]! * factor[0], box[3]! * factor[1]];
  // enlargeBox
  let cx = s[0]! + (e[0]! - s[0]!) / 2;
  let cy = s[1]! + (e[1]! - s[1]!) / 2;
  const hx = (scale * Math.abs(e[0]! - s[0]!)) / 2;
  const hy = (scale * Math.abs(e[1]! - s[1]!)) / 2;
  const es = [cx - hx, cy - hy];
  const ee = [cx + hx, cy + hy];
  // squarifyBox
  cx = es[0]! + (ee[0]! - es[0]!) / 2;
  cy = es[1]! + (ee[1]! - es[1]!) / 2;
  const sw = Math.abs(ee[0]! - es[0]!);
  const sh = Math.abs(ee[1]! - es[1]!);
  const half = Math.max(sw, sh) / 2;
  const corners: [number, number, number, number] = [cx - half, cy - half, cx + half, cy + half];
  return {
    start: [Math.round(corners[0]), Math.round(corners[1])],
    end: [Math.round(corners[2]), Math.round(corners[3])],
    corners,
    confidence,
    landmarks,
    size: [Math.round(sw), Math.round(sh)],
  };
}

/** Runs BlazeFace and returns Human's detections, best first (spec §2). */
export async function detectFaces(
  img: RgbImage,
  run: RunGraph,
  options: HumanPipelineOptions = {},
): Promise<Detection[]> {
  const d = HUMAN_FACE_PIPELINE.detector;
  const size = d.inputSize;
  // Human's `config || default` fallbacks (blazeface.ts, facemesh.ts): a 0 threshold falls back to 0
  // for NMS but to 1 for the final gate, so minConfidence 0 would drop every face.
  const minConfidence = options.minConfidence ?? d.minConfidence;
  const gate = minConfidence || 1;
  const rows = blazefaceRows(await run('blazeface', blazefaceInput(img, size)));
  const anchors = blazefaceAnchors(size);
  const { boxes, scores } = decodeBlazeface(rows, anchors, size);
  const kept = nonMaxSuppression(
    boxes,
    scores,
    options.maxDetected ?? d.maxDetected,
    options.iouThreshold ?? d.iouThreshold,
    minConfidence,
  );
  const factor: [number, number] = [img.width / size, img.height / size];
  const out: Detection[] = [];
  for (const i of kept) {
    const confidence = scores[i]!;
    if (!(confidence > minConfidence)) continue;
    const ax = anchors[2 * i]!;
    const ay = anchors[2 * i + 1]!;
    const landmarks: [number, number][] = [];
    for (let k = 0; k < 6; k++) {
      const px = rows[i * 17 + 5 + 2 * k]!;
      const py = rows[i * 17 + 6 + 2 * k]!;
      landmarks.push([(px + ax) * factor[0], (py + ay) * factor[1]]);
    }
    const det = toDetection(boxes.subarray(4 * i, 4 * i + 4), landmarks, confidence, factor, d.scale);
    // Human's final gate uses the score rounded to 0.01 (facemesh.ts), after its own minSize check.
    if (!(det.size[0] > d.minSize && det.size[1] > d.minSize)) continue;
    if (!(Math.round(100 * confidence) / 100 > gate)) continue;
    out.push(det);
  }
  return out;
}

/** The 256×256 face crop, 0..1 (spec §3): cropAndResize of the square box, divided by 255. */
export function faceCrop(img: RgbImage, det: Detection, size: number): { crop: Nhwc; shortcut: boolean } {
  const box: CropBox = [
    det.start[1] / img.height,
    det.start[0] / img.width,
    det.end[1] / img.height,
    det.end[0] / img.width,
  ];
  const crop = cropAndResize(img, box, size, 3);
  return { crop: { ...crop, data: mapF32(crop.data, (v) => v / 255) }, shortcut: hitsWasmCropShortcut(img, box, size) };
}

/** FaceRes input: crop resized to 224 (bilinear, legacy), × 255 (spec §4.1). */
export function faceresInput(crop: Nhwc): TensorData {
  const s = HUMAN_FACE_PIPELINE.faceres.inputSize;
  const r = resizeBilinear(crop, s, s);
  return tensor(
    mapF32(r.data, (v) => v * 255),
    [1, s, s, 3],
  );
}

/** Emotion input: crop resized to 64, weighted grayscale (sum in channel order), (g − 0.5)·2 (spec §5.1). */
export function emotionInput(crop: Nhwc): TensorData {
  const { inputSize: s, grayWeights } = HUMAN_FACE_PIPELINE.emotion;
  const w = grayWeights.map(f32);
  const r = resizeBilinear(crop, s, s);
  const out = new Float32Array(s * s);
  for (let i = 0; i < out.length; i++) {
    let g = 0;
    for (let c = 0; c < 3; c++) g = f32(g + f32(r.data[3 * i + c]! * w[c]!));
    out[i] = f32(f32(g - 0.5) * 2);
  }
  return tensor(out, [1, s, s, 1]);
}

/** Human's age from the 100-bin distribution: argmax bin ± 10 × the larger neighbour (spec §4.2). */
export function humanAge(dist: Float32Array): { age: number | null; unrounded: number } {
  let idx = 0;
  for (let i = 1; i < dist.length; i++) if (dist[i]! > dist[idx]!) idx = i;
  const prev = idx > 0 ? dist[idx - 1]! : undefined;
  const next = idx < dist.length - 1 ? dist[idx + 1]! : undefined;
  // JS comparisons with undefined are false and arithmetic with it is NaN; Human relies on both.
  const tenths =
    prev !== undefined && next !== undefined && prev > next ? 10 * idx - 100 * prev : 10 * idx + 100 * (next ?? NaN);
  const age = Math.round(tenths) / 10;
  return { age: age ? age : null, unrounded: tenths / 10 };
}

/** Human's gender from the sigmoid (spec §4.3). */
export function humanGender(probMale: number): { gender: HumanPipelineFace['gender']; genderScore: number | null } {
  const confidence = Math.trunc(200 * Math.abs(probMale - 0.5)) / 100;
  if (!(confidence > HUMAN_FACE_PIPELINE.faceres.minConfidence)) return { gender: 'unknown', genderScore: null };
  return { gender: probMale <= 0.5 ? 'female' : 'male', genderScore: Math.min(0.99, confidence) || null };
}

/** Human's emotion list (spec §5.2): threshold, truncate to 0.01, cap 0.99, stable sort by the truncated score. */
export function humanEmotions(probs: Float32Array): { label: string; score: number }[] {
  const { minConfidence, labels } = HUMAN_FACE_PIPELINE.emotion;
  const out: { label: string; score: number }[] = [];
  probs.forEach((p, i) => {
    if (p > minConfidence) out.push({ label: labels[i]!, score: Math.min(0.99, Math.trunc(100 * p) / 100) });
  });
  return out.sort((a, b) => b.score - a.score);
}

const outputWith = (outputs: TensorData[], width: number, graph: string): Float32Array => {
  const t = outputs.find((o) => o.dims[1] === width);
  if (!t) throw new Error(`${graph} returned no output of shape [1, ${width}]`);
  return floats(t, graph);
};

/** The whole pipeline on one image: faces in Human's order (detector confidence, best first). */
export async function analyseWithHumanPipeline(
  img: RgbImage,
  run: RunGraph,
  options: HumanPipelineOptions = {},
): Promise<HumanPipelineFace[]> {
  const size = HUMAN_FACE_PIPELINE.detector.inputSize;
  const faces: HumanPipelineFace[] = [];
  for (const det of await detectFaces(img, run, options)) {
    const { crop, shortcut } = faceCrop(img, det, size);
    const emotion = floats((await run('emotion', emotionInput(crop)))[0]!, 'emotion');
    const res = await run('faceres', faceresInput(crop));
    const probMale = outputWith(res, 1, 'faceres')[0]!;
    const ageDistribution = outputWith(res, 100, 'faceres');
    const { age, unrounded } = humanAge(ageDistribution);
    const x = Math.max(0, det.start[0]);
    const y = Math.max(0, det.start[1]);
    faces.push({
      box: {
        x: Math.trunc(x),
        y: Math.trunc(y),
        width: Math.trunc(Math.min(img.width, det.end[0]) - x),
        height: Math.trunc(Math.min(img.height, det.end[1]) - y),
      },
      squareBox: {
        x: det.start[0],
        y: det.start[1],
        width: det.end[0] - det.start[0],
        height: det.end[1] - det.start[1],
      },
      squareCorners: det.corners,
      score: Math.round(100 * det.confidence) / 100,
      confidence: det.confidence,
      landmarks: det.landmarks,
      age,
      ageUnrounded: unrounded,
      ageDistribution,
      ...humanGender(probMale),
      probMale,
      emotions: humanEmotions(emotion),
      emotionProbabilities: emotion,
      descriptor: outputWith(res, 1024, 'faceres'),
      wasmCropShortcut: shortcut,
    });
  }
  return faces;
}
