/**
 * @file Synthetic video frames and scripted face models for the tracking tests. A "face" is a
 * patch of random grey blocks (8×8 blocks, so a patch is sharp enough for the quality gate and
 * keeps its look when it is drawn a few pixels off or a few percent larger), drawn on a flat or
 * softly textured background. The fake face models answer what the test sets, count their calls,
 * and the detector can be held on a deferred promise to play a slow model. A scripted object
 * detector does the same for the objects feature.
 */
import type { FeatureRunner } from '../../src/shared/feature.ts';
import type { PixelBox } from '../../src/shared/geometry.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import type { ModelVersion } from '../../src/shared/manifest-types.ts';
import type { TensorData } from '../../src/shared/tensor.ts';
import { facePreprocess } from '../../src/features/faces/preprocess.ts';
import { objectsPreprocess } from '../../src/features/objects/preprocess.ts';
import { EXPRESSION_LABELS, GENDER_LABELS } from '../../src/features/faces/results.ts';
import { mulberry32 } from '../../tools/lib/prng.ts';

/** A promise with its resolve and reject, to let a test decide when async work ends. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise reaction run (enough for chains of a few dozen awaits). */
export async function flushPromises(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    for (let i = 0; i < 50; i++) await Promise.resolve();
    // Background refreshes start on a timer turn, after the frame's answer.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Deterministic pseudo-random numbers in [0, 1): the project's mulberry32. */
export const random = mulberry32;

/** Blocks per side of a face patch. */
export const BLOCKS = 8;

/** A face patch: `seed` picks its blocks; drawn at (x, y), `size` px square (any real numbers). */
export interface Patch {
  x: number;
  y: number;
  size: number;
  seed: number;
}

/** What {@link drawFrame} draws. */
export interface FrameSpec {
  width: number;
  height: number;
  channels?: 3 | 4;
  /** 'flat' grey 128 (default), or soft stripes unlike the patches. */
  background?: 'flat' | 'textured';
  patches: readonly Patch[];
  /** Pixel values become gain·v + offset (brightness and contrast changes). */
  gain?: number;
  offset?: number;
}

/** Grey levels 40…200 of a patch's blocks, and a small tint per block. */
function blocksOf(seed: number): { grey: Float32Array; tint: Float32Array } {
  const rand = random(seed);
  const grey = new Float32Array(BLOCKS * BLOCKS);
  const tint = new Float32Array(BLOCKS * BLOCKS);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = 40 + Math.floor(rand() * 161);
    tint[i] = Math.floor(rand() * 21) - 10;
  }
  return { grey, tint };
}

/** The frame described by `spec` (patches later in the list are drawn over earlier ones). */
export function drawFrame(spec: FrameSpec): RgbImage {
  const { width, height } = spec;
  const channels = spec.channels ?? 3;
  const gain = spec.gain ?? 1;
  const offset = spec.offset ?? 0;
  const data = new Uint8ClampedArray(width * height * channels);
  const alpha = random(999);
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const i = (y * width + x) * channels;
    data[i] = gain * r + offset;
    data[i + 1] = gain * g + offset;
    data[i + 2] = gain * b + offset;
    // Alpha is ignored by the pipeline: fill it with noise, so code reading it would notice.
    if (channels === 4) data[i + 3] = Math.floor(alpha() * 256);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v =
        spec.background === 'textured'
          ? 128 + 30 * Math.sin(x / 9) * Math.cos(y / 13) + 20 * Math.sin((x + y) / 5)
          : 128;
      put(x, y, v, v, v);
    }
  }
  for (const p of spec.patches) {
    const { grey, tint } = blocksOf(p.seed);
    const x0 = Math.max(0, Math.floor(p.x));
    const y0 = Math.max(0, Math.floor(p.y));
    const x1 = Math.min(width, Math.ceil(p.x + p.size));
    const y1 = Math.min(height, Math.ceil(p.y + p.size));
    for (let y = y0; y < y1; y++) {
      const v = (y + 0.5 - p.y) / p.size;
      if (v < 0 || v >= 1) continue;
      for (let x = x0; x < x1; x++) {
        const u = (x + 0.5 - p.x) / p.size;
        if (u < 0 || u >= 1) continue;
        const k = Math.floor(v * BLOCKS) * BLOCKS + Math.floor(u * BLOCKS);
        const g = grey[k]!;
        const t = tint[k]!;
        put(x, y, g + t, g, g - t);
      }
    }
  }
  return { width, height, channels, data };
}

/** A patch's box. */
export const boxOf = (p: Patch): PixelBox => ({ x: p.x, y: p.y, width: p.size, height: p.size });

/** Side of the fake detector's square input. */
export const DETECTOR_SIDE = 64;

const entry = (task: string, size: number, labels: readonly string[] | null) =>
  ({ preprocess: facePreprocess(task, size), labels: labels ? [...labels] : null }) as unknown as ModelVersion;

const f32 = (dims: number[], values: ArrayLike<number>): TensorData => ({
  type: 'float32',
  dims,
  data: Float32Array.from(values),
});

/** One face the fake detector reports, in pixels of the frame. */
export interface ScriptedFace {
  box: PixelBox;
  score: number;
}

/** The fake detector's script and record. */
export interface FakeDetector {
  /** Faces reported for the frame of the next call (read when the call starts). */
  faces: ScriptedFace[];
  /** Longer side of the frames (the letterboxed input maps pixels by it); read when a call starts. */
  frameSide: number;
  /** When set as a call starts, that call waits for it before answering. */
  hold: Deferred | null;
  /** When set, the next call fails with it (and clears it). */
  fail: unknown;
  /** Scores returned as NaN (a broken model: ModelOutputError). */
  nan: boolean;
  /** Calls started so far. */
  calls: number;
  /** Calls answered (or failed) so far. */
  answered: number;
  /** Most calls ever running at once. */
  maxInFlight: number;
}

/** The fake attribute and expression nets' settings and record. */
export interface FakeEstimators {
  age: number;
  /** Probability of the first gender label. */
  male: number;
  expression: number[];
  attributeCalls: number;
  expressionCalls: number;
  /** Batch size of each attribute call. */
  batches: number[];
}

/** The three face models as FeatureRunners by role, with their scripts. */
export interface FakeFaceModels {
  models: Record<'detector' | 'attributes' | 'expression', FeatureRunner>;
  detector: FakeDetector;
  estimators: FakeEstimators;
}

/** Scripted face models; `versions` sets each runner's version (all "1.0.0" by default). */
export function fakeFaceModels(
  options: { frameSide?: number; versions?: Partial<Record<'detector' | 'attributes' | 'expression', string>> } = {},
): FakeFaceModels {
  const detector: FakeDetector = {
    faces: [],
    frameSide: options.frameSide ?? 400,
    hold: null,
    fail: null,
    nan: false,
    calls: 0,
    answered: 0,
    maxInFlight: 0,
  };
  const estimators: FakeEstimators = {
    age: 30,
    male: 0.9,
    expression: [0.1, 0.6, 0.05, 0.05, 0.05, 0.05, 0.1],
    attributeCalls: 0,
    expressionCalls: 0,
    batches: [],
  };
  const version = (role: 'detector' | 'attributes' | 'expression') => options.versions?.[role] ?? '1.0.0';
  const batchOf = (feeds: Record<string, TensorData>) => Object.values(feeds)[0]!.dims[0]!;
  const faceInputs = [{ name: 'faces', type: 'float32' as const, dims: ['b', 3, 112, 112] }];
  const models: FakeFaceModels['models'] = {
    detector: {
      id: 'face-detector',
      version: version('detector'),
      entry: entry('face-detection', DETECTOR_SIDE, null),
      inputs: [{ name: 'image', type: 'float32', dims: [1, 3, DETECTOR_SIDE, DETECTOR_SIDE] }],
      outputs: [
        { name: 'boxes', type: 'float32', dims: ['n', 4] },
        { name: 'scores', type: 'float32', dims: ['n'] },
      ],
      async run() {
        detector.calls++;
        detector.maxInFlight = Math.max(detector.maxInFlight, detector.calls - detector.answered);
        const faces = detector.faces.map((f) => ({ ...f, box: { ...f.box } }));
        const { fail, nan, hold, frameSide: s } = detector;
        detector.fail = null;
        try {
          if (hold) await hold.promise;
        } finally {
          detector.answered++;
        }
        if (fail) throw fail;
        const boxes = faces.flatMap(({ box: b }) => [b.x / s, b.y / s, (b.x + b.width) / s, (b.y + b.height) / s]);
        return {
          boxes: f32([faces.length, 4], boxes),
          scores: f32(
            [faces.length],
            faces.map((f) => (nan ? NaN : f.score)),
          ),
        };
      },
    },
    attributes: {
      id: 'face-attributes',
      version: version('attributes'),
      entry: entry('face-attributes', 112, GENDER_LABELS),
      inputs: faceInputs,
      outputs: [
        { name: 'age', type: 'float32', dims: ['b', 1] },
        { name: 'gender', type: 'float32', dims: ['b', 2] },
      ],
      async run(feeds) {
        estimators.attributeCalls++;
        const b = batchOf(feeds);
        estimators.batches.push(b);
        return {
          age: f32([b, 1], new Array<number>(b).fill(estimators.age)),
          gender: f32([b, 2], Array.from({ length: b }, () => [estimators.male, 1 - estimators.male]).flat()),
        };
      },
    },
    expression: {
      id: 'face-expression',
      version: version('expression'),
      entry: entry('face-expression', 112, EXPRESSION_LABELS),
      inputs: faceInputs,
      outputs: [{ name: 'expression', type: 'float32', dims: ['b', 7] }],
      async run(feeds) {
        estimators.expressionCalls++;
        const b = batchOf(feeds);
        return { expression: f32([b, 7], Array.from({ length: b }, () => estimators.expression).flat()) };
      },
    },
  };
  return { models, detector, estimators };
}

/** Class names of the fake object detector's version (its manifest entry's `labels`). */
export const OBJECT_LABELS = ['person', 'bicycle', 'car', 'dog', 'cat', 'cup', 'bowl'] as const;

/** One object the fake object detector reports, in pixels of the frame; `label` is one of its labels. */
export interface ScriptedObject {
  box: PixelBox;
  score: number;
  label: string;
}

/** A scripted object detector (task object-detection, stretched input) and its script and record. */
export interface FakeObjectDetector {
  runner: FeatureRunner;
  /** Objects reported for the frame of the next call (read when the call starts). */
  objects: ScriptedObject[];
  /** Size of the frames (the stretched input maps pixels per axis); read when a call starts. */
  frame: { width: number; height: number };
  /** When set as a call starts, that call waits for it before answering. */
  hold: Deferred | null;
  /** When set, the next call fails with it (and clears it). */
  fail: unknown;
  /** Scores returned as NaN (a broken model: ModelOutputError). */
  nan: boolean;
  /** Calls started so far. */
  calls: number;
  /** Calls answered (or failed) so far. */
  answered: number;
}

/**
 * A scripted `object-detector` runner (version "1.0.0" unless said): outputs `boxes`
 * (x1,y1,x2,y2 normalised to the stretched input), `scores` and int32 `classes` indexing `labels`
 * (default {@link OBJECT_LABELS}); input side {@link DETECTOR_SIDE}.
 */
export function fakeObjectDetector(options: { version?: string; labels?: readonly string[] } = {}): FakeObjectDetector {
  const labels = [...(options.labels ?? OBJECT_LABELS)];
  const fake: FakeObjectDetector = {
    runner: null as unknown as FeatureRunner,
    objects: [],
    frame: { width: 400, height: 300 },
    hold: null,
    fail: null,
    nan: false,
    calls: 0,
    answered: 0,
  };
  fake.runner = {
    id: 'object-detector',
    version: options.version ?? '1.0.0',
    entry: { preprocess: objectsPreprocess('object-detection', DETECTOR_SIDE), labels } as unknown as ModelVersion,
    inputs: [{ name: 'image', type: 'float32', dims: [1, 3, DETECTOR_SIDE, DETECTOR_SIDE] }],
    outputs: [
      { name: 'boxes', type: 'float32', dims: ['n', 4] },
      { name: 'scores', type: 'float32', dims: ['n'] },
      { name: 'classes', type: 'int32', dims: ['n'] },
    ],
    async run() {
      fake.calls++;
      const objects = fake.objects.map((o) => ({ ...o, box: { ...o.box } }));
      const { fail, nan, hold } = fake;
      const { width: w, height: h } = fake.frame;
      fake.fail = null;
      try {
        if (hold) await hold.promise;
      } finally {
        fake.answered++;
      }
      if (fail) throw fail;
      const classes = objects.map((o) => {
        const c = labels.indexOf(o.label);
        if (c < 0) throw new Error(`the fake object detector has no label "${o.label}"`);
        return c;
      });
      const n = objects.length;
      const boxes = objects.flatMap(({ box: b }) => [b.x / w, b.y / h, (b.x + b.width) / w, (b.y + b.height) / h]);
      return {
        boxes: f32([n, 4], boxes),
        scores: f32(
          [n],
          objects.map((o) => (nan ? NaN : o.score)),
        ),
        classes: { type: 'int32', dims: [n], data: Int32Array.from(classes) },
      };
    },
  };
  return fake;
}

/** A settable millisecond clock for FeatureInput.now. */
export function manualClock(start = 0): { now: () => number; set(ms: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
