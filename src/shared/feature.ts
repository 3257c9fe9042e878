/**
 * @file What a feature is, as the generic code sees it. A feature (faces, objects, …) lives in
 * one folder under `src/features/` and hands the rest of the app one {@link Feature} object:
 * the models it needs (by role), their task contracts and probes, how it analyses an image with
 * them (DOM-free, so the worker and the Node CLI run the same code), and how its result is shown
 * (an overlay as data, detail rows, a one-line summary). The worker, the model manager, the UI
 * and the tools receive the list of features from `src/features/index.ts` and never import a
 * feature themselves.
 */
import type { ComparisonCounts } from './compare/counts.ts';
import type { PixelBox } from './geometry.ts';
import type { RgbImage } from './image.ts';
import type { ModelVersion, Preprocess } from './manifest-types.ts';
import type { ModelRunner } from './pipeline/model-runner.ts';
import type { TaskContract, TaskId } from './tasks.ts';
import type { TensorData, TensorSpec } from './tensor.ts';

/** One model a feature needs: its registry id and the task it must serve. */
export interface FeatureModel {
  id: string;
  task: TaskId;
}

/** A serving model as a feature runs it: the session plus the manifest entry of its version. */
export interface FeatureRunner extends ModelRunner {
  id: string;
  version: string;
  /** The version's manifest entry: version-specific pre-processing and labels come from here. */
  entry: ModelVersion;
}

/** The image and models one analysis gets. */
export interface FeatureInput {
  /** Inference pixels (downscaled when the original is very large). */
  image: RgbImage;
  /** Factor from inference pixels back to original pixels (1 when not downscaled). */
  scaleToOriginal: number;
  /** The feature's models by role. */
  models: Readonly<Record<string, FeatureRunner>>;
  /** Millisecond clock for timings. */
  now: () => number;
}

/** A feature's result for one image plus where the time went (stage → ms). */
export interface FeatureOutput<R> {
  result: R;
  timings: Record<string, number>;
  /**
   * model id → version of the models that produced `result`, when not the ones in the input (a
   * tracker still answering from older versions while the newly swapped ones start).
   */
  models?: Readonly<Record<string, string>>;
}

/**
 * Follows a feature's result across the frames of one video stream, so the models need not run
 * on every frame (src/shared/tracking/box-tracker.ts). A tracker serves one set of model
 * versions. `step` answers for the frame it is given and may start model work in the
 * background; that work uses the sessions of `input.models`, which the caller keeps alive until
 * {@link FeatureTracker.settled} resolves. An error of the background work is thrown by the next
 * `step`.
 */
export interface FeatureTracker<R> {
  step(input: FeatureInput): Promise<FeatureOutput<R>>;
  /**
   * Answers from what it follows without touching a model (the models in `input` are newer
   * versions: a swap is handing over to another tracker). Its output names its own versions.
   * Null when it has nothing to answer with (its first frame never completed).
   */
  hold(input: FeatureInput): FeatureOutput<R> | null;
  /** Resolves when the model work started so far has finished (never rejects). */
  settled(): Promise<void>;
  /**
   * Whether it may still read `image`'s pixels: background work runs on that frame, or has
   * landed and is applied on a later one. The caller reuses a frame's buffer only once no tracker
   * uses it.
   */
  uses(image: RgbImage): boolean;
}

/** Where a probe image comes from: a region of a photo shipped by an npm package, as a PNG. */
export interface ProbeImageSource {
  /** npm package and path inside it. */
  photo: { package: string; path: string };
  region: { left: number; top: number; width: number; height: number };
  /** Output side in pixels (square). */
  size: number;
}

/** The function-level check of one task: the probe image and how it becomes model inputs. */
export interface ProbeRecipe {
  /** Registry-relative PNG path, e.g. "probe/face-detection.png". */
  image: string;
  source: ProbeImageSource;
  /** Feeds for a model with these inputs (and manifest entry, for its pre-processing). */
  feeds(image: RgbImage, model: { inputs: readonly TensorSpec[]; entry?: ModelVersion }): Record<string, TensorData>;
  /** Problems with outputs that would make the probe useless (e.g. a detector that finds nothing). */
  usable?(outputs: Readonly<Record<string, TensorData>>): string[];
}

/** One shape of an overlay, in original-image pixels. */
export interface OverlayBox {
  box: PixelBox;
  /** CSS colour of the box and the label's marker. */
  colour: string;
  /** Drawn dashed (e.g. a face too small to estimate, a candidate model's box). */
  dashed?: boolean;
  /** Short text drawn next to the box. */
  label: string;
  /** Labels never cover a box that asks for it (faces); others may be overlapped by labels. */
  keepClear?: boolean;
}

/** A fact shown for one item of a result, e.g. {label:"age", value:"31.2"}. */
export interface DetailFact {
  label?: string;
  value: string;
  /** Emphasised value. */
  strong?: boolean;
  /** A probability shown as a bar (0..1). */
  bar?: number;
  /** Secondary text (e.g. a detection score). */
  muted?: boolean;
}

/** One row of a result's details (a face, an object, a class). */
export interface DetailItem {
  title: string;
  /** Colour swatch matching the overlay. */
  swatch?: string;
  facts: DetailFact[];
  /** Shown greyed out (e.g. a face too small to estimate). */
  muted?: boolean;
  /** One sentence for screen readers. */
  description: string;
  /** data-testid of the row, for tests. */
  testId: string;
  /** Where it is in the image (original pixels), for things found in a region. */
  box?: PixelBox;
}

/** A feature's block in a photo card. */
export interface DetailSection {
  title: string;
  /** Shown when there are no items ("No faces found."). */
  empty: string;
  items: DetailItem[];
}

/**
 * One feature. `R` is its result type (also declared on `FeatureResults` under `id`). Methods
 * are written as methods so a `Feature<FaceAnnotation[]>` can stand in a `Feature[]`.
 */
export interface Feature<R = unknown> {
  /** URL and result key: `?features=faces`, `annotation.faces`. */
  readonly id: string;
  /** Name in the UI ("Faces"). */
  readonly label: string;
  /** One line for the feature picker. */
  readonly description: string;
  /** For features whose result is a list of things found: how to count them ("face", "faces"). */
  readonly noun?: readonly [singular: string, plural: string];
  /** The models it needs, by role. */
  readonly models: Readonly<Record<string, FeatureModel>>;
  /** Contracts of the tasks its models serve. */
  readonly tasks: readonly TaskContract[];
  /** The probe of each task. */
  readonly probes: Readonly<Record<TaskId, ProbeRecipe>>;
  /** The manifest's pre-processing description for a model of `task` with input side `size`. */
  preprocess(task: TaskId, size: number): Preprocess;
  /** Analyses one image with the feature's models. */
  analyze(input: FeatureInput): Promise<FeatureOutput<R>>;
  /**
   * A tracker for a video stream (webcam frames); absent: every frame runs {@link analyze}. Its
   * results have the same shape as `analyze`'s.
   */
  track?(): FeatureTracker<R>;
  /** What to draw over the image. */
  overlay(result: R): OverlayBox[];
  /** Rows for the photo card. */
  details(result: R): DetailSection;
  /** One line for the webcam HUD and screen readers. */
  summary(result: R): string;
  /** How many things the result found (with {@link noun}); absent for whole-image results. */
  count?(result: R): number;
  /**
   * Compares a candidate model's result with the serving version's on the same image (shadow
   * comparison). Optional: without it, results that are lists of boxes or of classes are compared
   * generically (src/shared/compare/generic.ts); a feature adds it when its results say more.
   */
  compare?(serving: R, candidate: R): ComparisonCounts;
}
