/**
 * @file adapt-model as a library (the CLI is adapt-model.ts): raw export bytes in, wrapped model
 * bytes and its labels out. Checks the export fits the chosen wrapper, settles the labels
 * (K must equal the label count), splices the wrapper's nodes into the raw graph and records
 * what was done in metadata_props (`provenance`, which publish-model uses as the manifest's
 * `source`, and `hotlens.adapt`, the details as JSON). Nothing touches the file system here.
 */
import { sha256Hex } from '../lib/registry-io.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import {
  OnnxEditError,
  parseOnnxModel,
  spliceModel,
  targetOpset,
  type OnnxModel,
  type SplicePlan,
} from './onnx-splice.ts';
import { AdaptError, describeSpec } from './raw-model.ts';
import { cocoLabels, imagenetLabels, ultralyticsNames, type LabelList } from './labels.ts';
import {
  checkYoloOptions,
  inspectYolo,
  yoloPlan,
  YOLO_DEFAULTS,
  YOLO_MIN_OPSET,
  type YoloOptions,
} from './yolo-wrapper.ts';
import { IMAGENET_MEAN, IMAGENET_STD, inspectResnet, resnetPlan, RESNET_MIN_OPSET } from './resnet-wrapper.ts';
import { readOnnxSignature } from '../../src/shared/onnx-signature.ts';

export { AdaptError };

/** The raw exports adapt-model knows. */
export const ADAPT_KINDS = ['yolo', 'resnet'] as const;
export type AdaptKind = (typeof ADAPT_KINDS)[number];

/** The task contract each kind's wrapped model meets. */
export const TASK_OF: Record<AdaptKind, 'object-detection' | 'image-classification'> = {
  yolo: 'object-detection',
  resnet: 'image-classification',
};

/** Where the CLI writes the labels of WRAPPED.onnx: WRAPPED.labels.json beside it. */
export function labelsPathFor(out: string): string {
  return `${out.replace(/\.onnx$/i, '')}.labels.json`;
}

/** What to wrap. */
export interface AdaptOptions {
  kind: AdaptKind;
  /** The raw export's bytes. */
  bytes: Uint8Array;
  /** The raw file's name, for messages and provenance. */
  fileName: string;
  /** Labels from --labels; without them the model's own names or the kind's default list are used. */
  labels?: LabelList;
  /** YOLO only; Ultralytics' predict defaults when absent. */
  yolo?: Partial<YoloOptions>;
}

/** The wrapped model and what the CLI reports about it. */
export interface AdaptResult {
  bytes: Uint8Array;
  task: 'object-detection' | 'image-classification';
  labels: LabelList;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  opset: { from: number | null; to: number };
  /** YOLO only: the thresholds built into the graph. */
  yolo?: YoloOptions;
  /** One line on what was added. */
  summary: string;
}

function parse(bytes: Uint8Array, fileName: string): OnnxModel {
  let model: OnnxModel;
  try {
    model = parseOnnxModel(bytes);
  } catch (err) {
    if (err instanceof OnnxEditError) throw new AdaptError(`${fileName} is not an ONNX model (${err.message})`);
    throw err;
  }
  if (model.externalData.length > 0) {
    throw new AdaptError(
      `${fileName} keeps ${model.externalData.length} weight tensor(s) in external data files; export the weights inside the .onnx file`,
    );
  }
  if (model.irVersion < 4) {
    throw new AdaptError(
      `${fileName} uses ONNX IR version ${model.irVersion} (before 2019); re-export it with a current exporter`,
    );
  }
  return model;
}

/** The labels for K classes: --labels, else the export's own names, else the default list when it has K entries. */
function settleLabels(
  given: LabelList | undefined,
  own: LabelList | null,
  fallback: () => LabelList,
  k: number,
): LabelList {
  if (given) {
    if (given.labels.length !== k) {
      throw new AdaptError(`the model has ${k} classes but ${given.source} has ${given.labels.length} labels`);
    }
    return given;
  }
  if (own && own.labels.length === k) return own;
  const list = fallback();
  if (list.labels.length !== k) {
    throw new AdaptError(
      `the model has ${k} classes and the default labels (${list.source}) have ${list.labels.length}; pass --labels with ${k} labels`,
    );
  }
  return list;
}

/** What the wrapper for one kind contributes. */
interface KindPlan {
  labels: LabelList;
  minOpset: number;
  /** What the added nodes do, in words. */
  added: string;
  /** Wrapper settings recorded in `hotlens.adapt`. */
  details: Record<string, unknown>;
  plan: (metadata: Record<string, string>) => SplicePlan;
  yolo?: YoloOptions;
}

function yoloKind(model: OnnxModel, opts: AdaptOptions): KindPlan {
  const yolo = { ...YOLO_DEFAULTS, ...opts.yolo };
  checkYoloOptions(yolo);
  const shape = inspectYolo(model);
  const names = ultralyticsNames(model.metadata.names);
  const own = names ? { labels: names, source: 'the model\'s own "names" metadata (Ultralytics)' } : null;
  return {
    labels: settleLabels(opts.labels, own, cocoLabels, shape.classes),
    minOpset: YOLO_MIN_OPSET,
    added:
      `RGB 0..255 input (÷255), boxes decoded to x1,y1,x2,y2 ÷${shape.size}, best class per box, ` +
      `class-aware NMS (score > ${yolo.score}, IoU > ${yolo.iou}), best ${yolo.max} by score, clipped to 0..1`,
    details: { score: yolo.score, iou: yolo.iou, max: yolo.max, inputSize: shape.size, classes: shape.classes },
    plan: (metadata) => yoloPlan(model, shape, yolo, metadata),
    yolo,
  };
}

function resnetKind(model: OnnxModel, opts: AdaptOptions): KindPlan {
  if (opts.yolo && Object.keys(opts.yolo).length > 0) {
    throw new AdaptError('--score, --iou and --max apply only to --kind yolo');
  }
  const shape = inspectResnet(model);
  return {
    labels: settleLabels(opts.labels, null, imagenetLabels, shape.classes),
    minOpset: RESNET_MIN_OPSET,
    added: `RGB 0..255 input (÷255, − mean [${IMAGENET_MEAN.join(', ')}], ÷ std [${IMAGENET_STD.join(', ')}]), Softmax → probabilities`,
    details: { mean: IMAGENET_MEAN, std: IMAGENET_STD, inputSize: shape.input.size, classes: shape.classes },
    plan: (metadata) => resnetPlan(model, shape, metadata),
  };
}

/** Wraps a raw export; throws {@link AdaptError} with one sentence when it does not fit. */
export function adaptModel(opts: AdaptOptions): AdaptResult {
  const model = parse(opts.bytes, opts.fileName);
  const sha256 = sha256Hex(opts.bytes);
  const task = TASK_OF[opts.kind];
  const kind = opts.kind === 'yolo' ? yoloKind(model, opts) : resnetKind(model, opts);
  const to = targetOpset(model, kind.minOpset);
  const producer = model.producer ? `, producer ${model.producer}` : '';
  const metadata = {
    provenance: `adapt-model --kind ${opts.kind} on ${opts.fileName} (sha256 ${sha256.slice(0, 16)}${producer}): ${kind.added}`,
    'hotlens.adapt': JSON.stringify({
      tool: 'adapt-model',
      kind: opts.kind,
      task,
      raw: {
        file: opts.fileName,
        sha256,
        producer: model.producer,
        inputs: model.signature.inputs,
        outputs: model.signature.outputs,
      },
      ...kind.details,
      opset: { from: model.opset, to },
      labels: { count: kind.labels.labels.length, source: kind.labels.source },
    }),
  };
  let bytes: Uint8Array;
  try {
    bytes = spliceModel(model, kind.plan(metadata));
  } catch (err) {
    if (err instanceof OnnxEditError) throw new AdaptError(`${opts.fileName} cannot be wrapped: ${err.message}`);
    throw err;
  }
  const signature = readOnnxSignature(bytes);
  const opsetNote = model.opset !== null && to > model.opset ? `; opset raised from ${model.opset} to ${to}` : '';
  return {
    bytes,
    task,
    labels: kind.labels,
    inputs: signature.inputs,
    outputs: signature.outputs,
    opset: { from: model.opset, to },
    ...(kind.yolo ? { yolo: kind.yolo } : {}),
    summary:
      `${task}: ${signature.inputs.map((t) => `${t.name} ${describeSpec(t)}`).join(', ')} → ` +
      `${signature.outputs.map((t) => `${t.name} ${describeSpec(t)}`).join(', ')}; added ${kind.added}${opsetNote}`,
  };
}
