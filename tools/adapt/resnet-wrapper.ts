/**
 * @file Wraps a torchvision classifier export (ResNet-18 and kin: input [b,3,S,S] ImageNet-
 * normalised RGB; output [b,K] logits) so it meets the `image-classification` contract: input
 * RGB 0..255, output `probabilities` [b,K]. The prologue is torchvision's ToTensor + Normalize
 * in the same float operations and order (x / 255, − mean, / std); the epilogue is Softmax over
 * the classes. Resizing and cropping stay with the app (the manifest's preprocess).
 */
import { attr, GraphBuilder } from '../convert/onnx/graph-builder.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import type { OnnxModel, SplicePlan } from './onnx-splice.ts';
import {
  ADDED,
  AdaptError,
  checkOutputNamesFree,
  describeSpec,
  newInputName,
  singleOutput,
  squareImageInput,
  type ImageInput,
} from './raw-model.ts';

/** torchvision's ImageNet normalisation (the `transforms()` of every IMAGENET1K weight). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Broadcasting Sub/Div need opset 7; Softmax over axis 1 of a [b,K] tensor means the same in every opset. */
export const RESNET_MIN_OPSET = 7;

/** The contract's output name. */
export const CLASSIFICATION_OUTPUT = 'probabilities';

/** What the raw export looks like. */
export interface ResnetShape {
  input: ImageInput;
  output: TensorSpec;
  classes: number;
}

const EXPECTED_INPUT = 'a torchvision classifier export takes one float32 image batch [b,3,S,S]';
const EXPECTED_OUTPUT = 'a torchvision classifier export has one output of logits [b,K]';

/** Checks the raw model is a torchvision-style classifier export; reads S and K from its signature. */
export function inspectResnet(model: OnnxModel): ResnetShape {
  const input = squareImageInput(model, EXPECTED_INPUT);
  const output = singleOutput(model, EXPECTED_OUTPUT);
  const [, k] = output.dims;
  if (output.type !== 'float32' || output.dims.length !== 2 || typeof k !== 'number' || k < 2) {
    throw new AdaptError(`output "${output.name}" is ${describeSpec(output)}; ${EXPECTED_OUTPUT}`);
  }
  return { input, output, classes: k };
}

function prologue(model: OnnxModel, shape: ResnetShape): GraphBuilder {
  const g = new GraphBuilder(`${ADDED}_resnet_prologue`);
  const { spec, size, batch } = shape.input;
  const image = g.input(newInputName(model), 'float32', [batch, 3, size, size]);
  const unit = g.node('Div', [image, g.f32(`${ADDED}/k255`, [255], [])], {}, `${ADDED}/to_unit_range`);
  const centred = g.node('Sub', [unit, g.f32(`${ADDED}/mean`, IMAGENET_MEAN, [1, 3, 1, 1])], {}, `${ADDED}/centred`);
  const normalised = g.node(
    'Div',
    [centred, g.f32(`${ADDED}/std`, IMAGENET_STD, [1, 3, 1, 1])],
    {},
    `${ADDED}/normalised`,
  );
  g.output(normalised, spec.name, 'float32', spec.dims);
  return g;
}

function epilogue(shape: ResnetShape): GraphBuilder {
  const g = new GraphBuilder(`${ADDED}_resnet_epilogue`);
  const logits = g.input(shape.output.name, 'float32', shape.output.dims);
  const probabilities = g.node('Softmax', [logits], { axis: attr.int(1) }, `${ADDED}/softmax`);
  g.output(probabilities, CLASSIFICATION_OUTPUT, 'float32', [shape.output.dims[0]!, shape.classes]);
  return g;
}

/** The splice that turns a raw classifier export into an image-classification model. */
export function resnetPlan(model: OnnxModel, shape: ResnetShape, metadata: Record<string, string>): SplicePlan {
  checkOutputNamesFree(model, [CLASSIFICATION_OUTPUT]);
  return {
    prologue: prologue(model, shape),
    rawInput: shape.input.spec.name,
    epilogue: epilogue(shape),
    rawOutputs: [shape.output.name],
    minOpset: RESNET_MIN_OPSET,
    metadata,
  };
}
