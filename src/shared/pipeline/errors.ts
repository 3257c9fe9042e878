/**
 * @file Errors the shared pipeline throws, distinguished by `name` so they survive Comlink
 * (which keeps only name/message/stack) and the worker can roll back a model that misbehaves.
 */

/** A model produced missing, mis-shaped or non-finite outputs. */
export class ModelOutputError extends Error {
  override name = 'ModelOutputError';
  constructor(
    /** Which model ("detector", "attributes", "expression"). */
    readonly model: string,
    problem: string,
  ) {
    super(`the ${model} model ${problem}; the model is faulty, roll back to the previous version`);
  }
}

/** A model whose signature the pipeline cannot use (e.g. a detector without a fixed input size). */
export class ModelSignatureError extends Error {
  override name = 'ModelSignatureError';
}
