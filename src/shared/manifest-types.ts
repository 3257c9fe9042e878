/**
 * @file The model registry's manifest (schema 1) as TypeScript types. Validation lives in
 * manifest-validate.ts; these types are the contract between the registry tools, the service
 * worker and the inference worker.
 */
import type { TaskId } from './tasks.ts';
import type { TensorSpec } from './tensor.ts';

export type { TaskId } from './tasks.ts';

/** How the weights are stored inside the ONNX file. */
export type WeightEncoding = 'float32' | 'float16' | 'uint8';

/** How an image becomes the model input (documented for humans and checked by tools). */
export interface Preprocess {
  /** Square side of the model input in pixels. */
  size: number;
  /** 'bottom-right': pad to square at the bottom/right (detectors); 'centre': pad evenly (face crops). */
  pad: 'bottom-right' | 'centre';
  /**
   * How a whole image becomes the square input: 'letterbox' (padded to a square per `pad`, the
   * meaning when absent) or 'stretch' (each axis scaled to `size` on its own; `pad` unused).
   */
  fit?: 'letterbox' | 'stretch';
  channels: 'rgb';
  layout: 'nchw';
  /** Input range: raw RGB 0..255 (normalisation is inside the graph). */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  /**
   * Resampling used to reach `size` (ONNX Resize terms): bilinear with asymmetric coordinates
   * (TF.js resizeBilinear's default) or with align_corners (resizeBilinear(…, true)).
   */
  resize: 'bilinear-asymmetric' | 'bilinear-align-corners';
  /** For a model fed crops of a detector's boxes: how a crop is cut (absent: {@link PadSquareCrop}). */
  crop?: BoxCrop;
}

/**
 * face-api's crop, the default: the box clipped to the image and floored, padded to a square
 * with zeros (centred, the odd pixel bottom/right), resized to `size` (`resize`).
 */
export interface PadSquareCrop {
  method: 'pad-square';
}

/**
 * Human's crop (TF `crop_and_resize`): the box enlarged `enlarge`× about its centre, made a square
 * of its longer side (same centre), corners rounded to whole pixels (Math.round); that square is
 * sampled at `side`×`side` with TF crop_and_resize semantics (bilinear, corners scaled by
 * (W − 1)/W, samples outside the image = `fill`), which may leave the image; the values are
 * divided by `unit`, resized to `size` (`resize`) and multiplied by `unit` again, all in float32
 * (Human resizes its 0..1 crop and scales back: this reproduces its input bit for bit).
 */
export interface EnlargedSquareCrop {
  method: 'crop-and-resize';
  enlarge: number;
  square: 'longer-side';
  round: 'nearest';
  /** Side of the intermediate crop in pixels (Human: its detector's input side, 256). */
  side: number;
  fill: number;
  unit: number;
}

/** How a crop of a box becomes a model input. */
export type BoxCrop = PadSquareCrop | EnlargedSquareCrop;

/** The smoke test a version must pass before it may serve. */
export interface Probe {
  /** Registry-relative path of a small PNG (e.g. "probe/face-1.png"). */
  image: string;
  /**
   * SHA-256 of that PNG (lowercase hex) and its size in bytes: the signed manifest vouches for
   * the probe image as for the model, so clients verify it before they cache or decode it.
   */
  sha256: string;
  bytes: number;
  /** Expected outputs by output name (flattened values) when the probe image is run. */
  expect: Record<string, number[]>;
  /** Max absolute difference allowed per value. */
  tolerance: number;
}

/** One ONNX file in the registry. */
export interface ModelFile {
  blob: string;
  sha256: string;
  bytes: number;
  encoding: WeightEncoding;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  probe: Probe;
}

/**
 * A registry version's shadow gate: after it is warmed up and before it may serve, the client runs
 * it beside the serving version on `frames` live webcam frames (or, with no camera running, on the
 * probe image and the photos on screen) and rejects it at stage `shadowed` when the agreement of
 * the comparison (0..1, see src/shared/compare/report.ts) is below `minAgreement`.
 */
export interface ShadowGate {
  frames: number;
  minAgreement: number;
}

/** One published version: its default file plus optional variants (other sizes/encodings). */
export interface ModelVersion extends ModelFile {
  preprocess: Preprocess;
  /** Output labels (expression classes, gender classes), null when the outputs are not classes. */
  labels: string[] | null;
  /** Provenance: where the weights came from and how they were converted. */
  source: string;
  /** Alternative files of the same version, keyed e.g. "320-uint8", "416-float32". */
  variants?: Record<string, ModelFile & { preprocess: Preprocess }>;
  /** Run beside the serving version before it may serve (`publish-model --shadow FRAMES:MIN`). */
  shadow?: ShadowGate;
  /**
   * Models that must change together: every version with this group name (one per model) serves
   * only alongside the others, and they are stable, canary, swapped and rolled back as one set
   * (manifest-groups.ts). Absent: the version swaps alone.
   */
  group?: string;
}

/** A canary rollout: `percent` of clients (by stable bucket) follow `version`. */
export interface Canary {
  version: string;
  percent: number;
}

/** Everything the registry knows about one model id. */
export interface ModelEntry {
  task: TaskId;
  stable: string;
  canary?: Canary;
  versions: Record<string, ModelVersion>;
}

/** ES256 signature over the canonical JSON of the manifest without `signature`. */
export interface ManifestSignature {
  alg: 'ES256';
  keyId: string;
  value: string;
}

/** The registry index, `models/manifest.json`. */
export interface Manifest {
  schema: 1;
  /**
   * The registry's identity (lowercase words joined by "-", like model ids), signed with the
   * rest: clients keep one replay floor (the last accepted `serial`) per identity, whatever URL
   * spelling the manifest was fetched under.
   */
  registry: string;
  serial: number;
  published: string;
  models: Record<string, ModelEntry>;
  signature?: ManifestSignature;
}

/**
 * A manifest as received, before schema validation: a well-formed `signature` (if any) and
 * every other member unchecked. The signature check reads this, so that unsigned input is
 * refused before it is validated in depth.
 */
export interface ManifestDocument {
  signature?: ManifestSignature;
  [member: string]: unknown;
}
