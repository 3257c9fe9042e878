/**
 * @file The "run a graph" half of the re-implemented Human pipeline, on TF.js: Human's three
 * graph models loaded from its package with `tf.loadGraphModel` (file IO handler, no network)
 * and executed on the wasm backend, plain-data tensors in and out. Everything else
 * (pre/post-processing) lives in human-pipeline.ts, so swapping this file for an
 * onnxruntime-web runner swaps only the engine.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfjsModule from '@tensorflow/tfjs';
import type * as TfWasmModule from '@tensorflow/tfjs-backend-wasm';
import type { TensorData } from '../../src/shared/tensor.ts';
import type { HumanGraph, RunGraph } from './human-pipeline.ts';
import { graphModelFromFile } from './tfjs-graph-files.ts';

type Tfjs = typeof TfjsModule;
type GraphModel = Awaited<ReturnType<Tfjs['loadGraphModel']>>;
type Tensor = ReturnType<Tfjs['tensor']>;

// Native require: the same module instances Human's and face-api's Node bundles use.
const require = createRequire(import.meta.url);

const GRAPHS: HumanGraph[] = ['blazeface', 'faceres', 'emotion'];

/** Selects TF.js' wasm backend with the local binaries unless it is already running. */
async function ensureWasmBackend(tf: Tfjs): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasmModule;
  wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its wasm backend');
  await tf.ready();
}

/** Human's graphs on TF.js, as a {@link RunGraph} callback. */
export class TfjsGraphRunner {
  /** Graph calls made so far, for reports. */
  calls = 0;

  private constructor(
    private readonly tf: Tfjs,
    private readonly models: Map<HumanGraph, GraphModel>,
  ) {}

  /** Loads `blazeface.json`, `faceres.json` and `emotion.json` from `modelDir`. */
  static async create(modelDir: string): Promise<TfjsGraphRunner> {
    const tf = require('@tensorflow/tfjs') as Tfjs;
    await ensureWasmBackend(tf);
    const models = new Map<HumanGraph, GraphModel>();
    for (const g of GRAPHS)
      models.set(g, await tf.loadGraphModel(graphModelFromFile(tf.io, join(modelDir, `${g}.json`))));
    return new TfjsGraphRunner(tf, models);
  }

  /** The callback the pipeline takes; inputs are NHWC float32 as TF.js graphs expect. */
  readonly run: RunGraph = async (graph: HumanGraph, input: TensorData): Promise<TensorData[]> => {
    const model = this.models.get(graph);
    if (!model) throw new Error(`no ${graph} graph loaded`);
    if (!(input.data instanceof Float32Array)) throw new Error(`${graph} input must be float32`);
    this.calls++;
    const x = this.tf.tensor(input.data, input.dims, 'float32');
    try {
      const result = model.execute(x);
      const list: Tensor[] = Array.isArray(result) ? result : [result as Tensor];
      try {
        return await Promise.all(
          list.map(async (t) => ({
            type: 'float32' as const,
            dims: [...t.shape],
            data: (await t.data()) as Float32Array,
          })),
        );
      } finally {
        for (const t of list) t.dispose();
      }
    } finally {
      x.dispose();
    }
  };
}
