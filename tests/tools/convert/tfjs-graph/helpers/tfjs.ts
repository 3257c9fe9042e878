/**
 * @file TF.js for the translator's tests, loaded with Node's require so every user (our code,
 * nsfwjs's CommonJS build) shares one module instance, on an explicitly chosen backend: 'cpu'
 * (the plain-JS reference kernels) for per-op tests, 'wasm' (local binaries) for whole models.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfjsModule from '@tensorflow/tfjs';
import type * as TfWasmModule from '@tensorflow/tfjs-backend-wasm';
import type { GraphModelJson } from '../../../../../tools/convert/tfjs-graph/model-source.ts';

/** The @tensorflow/tfjs module. */
export type Tfjs = typeof TfjsModule;
/** A loaded TF.js graph model. */
export type TfGraphModel = Awaited<ReturnType<Tfjs['loadGraphModel']>>;

const require = createRequire(import.meta.url);

/** TF.js on `backend`, ready to run. */
export async function loadTfjs(backend: 'cpu' | 'wasm'): Promise<Tfjs> {
  const tf = require('@tensorflow/tfjs') as Tfjs;
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasmModule;
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its ${backend} backend`);
  await tf.ready();
  return tf;
}

/** Loads a graph model from memory, as tf.loadGraphModel does from a URL. */
export async function loadTfGraphModel(tf: Tfjs, json: GraphModelJson, weightData: Uint8Array): Promise<TfGraphModel> {
  const copy = weightData.slice().buffer;
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology,
    format: json.format ?? 'graph-model',
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as TfjsModule.io.WeightsManifestEntry[],
    weightData: copy,
    ...(json.signature ? { signature: json.signature } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
  } as TfjsModule.io.ModelArtifacts);
  return tf.loadGraphModel(handler);
}
