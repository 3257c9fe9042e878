/**
 * @file Runs one tiny graph model through TF.js (the reference) and through the translator +
 * onnxruntime-web, on the same seeded inputs, and measures the largest difference. Each case
 * runs twice: with the TF (NHWC) input layout and with the default NCHW graph input (rank-4
 * float inputs transposed before feeding), so the layout logic is exercised both ways.
 */
import { OrtModel } from '../../../../../src/inference/engine/ort-engine.ts';
import type { TensorData } from '../../../../../src/shared/tensor.ts';
import { permute } from '../../../../../tools/convert/layers.ts';
import { graphModelFromMemory } from '../../../../../tools/convert/tfjs-graph/model-source.ts';
import { convertGraphModel } from '../../../../../tools/convert/tfjs-graph/translate.ts';
import { GraphFixture } from './graph-fixture.ts';
import { loadTfGraphModel, type Tfjs } from './tfjs.ts';

/** One graph input's value. */
export interface Feed {
  shape: number[];
  data: ArrayLike<number>;
  dtype?: 'float32' | 'int32' | 'bool';
}

/** One op test: a graph (returns its output tensor names) and the inputs to feed. */
export interface OpCase {
  name: string;
  graph: (f: GraphFixture) => string[];
  feeds: Record<string, Feed>;
  /** Allowed |ours − TF| / max(1, |TF|) (default {@link FLOAT_TOLERANCE}); 0 for exact ops. */
  tolerance?: number;
}

/** Default tolerance for float32 ops: relative to the value's magnitude, absolute below 1. */
export const FLOAT_TOLERANCE = 1e-5;

/** Result of running one case in one layout. */
export interface CaseResult {
  maxError: number;
  shapes: number[][];
}

function typedFeed(f: Feed): Float32Array | Int32Array | Uint8Array {
  if (f.dtype === 'int32') return Int32Array.from(f.data);
  if (f.dtype === 'bool') return Uint8Array.from(f.data);
  return Float32Array.from(f.data);
}

/** Runs `c` on TF.js and on ORT with `layout`; throws when shapes or types disagree. */
export async function runOpCase(tf: Tfjs, c: OpCase, layout: 'nhwc' | 'nchw'): Promise<CaseResult> {
  const fixture = new GraphFixture();
  const outputs = c.graph(fixture);
  const { json, weightData } = fixture.build();

  const model = await loadTfGraphModel(tf, json, weightData);
  const feeds = Object.fromEntries(
    Object.entries(c.feeds).map(([name, f]) => [name, tf.tensor(typedFeed(f), f.shape, f.dtype ?? 'float32')]),
  );
  const tfOut = model.execute(feeds, outputs);
  const expected = (Array.isArray(tfOut) ? tfOut : [tfOut]).map((t) => ({
    shape: t.shape as number[],
    data: Array.from(t.dataSync() as ArrayLike<number>),
    dtype: t.dtype,
  }));
  tf.dispose([...Object.values(feeds), ...(Array.isArray(tfOut) ? tfOut : [tfOut])]);
  model.dispose();

  const converted = convertGraphModel(graphModelFromMemory(json, weightData, c.name), {
    inputLayout: layout,
    outputs,
  });
  const session = await OrtModel.create(converted.onnx);
  try {
    const ortFeeds: Record<string, TensorData> = {};
    for (const input of converted.inputs) {
      const f = c.feeds[input.placeholder]!;
      let data = typedFeed(f);
      let dims = f.shape;
      if (layout === 'nchw' && f.shape.length === 4 && (f.dtype ?? 'float32') === 'float32') {
        ({ data, shape: dims } = permute(data, f.shape, [0, 3, 1, 2]));
      }
      ortFeeds[input.name] = { type: f.dtype ?? 'float32', dims, data } as TensorData;
    }
    const got = await session.run(ortFeeds);
    let maxError = 0;
    converted.outputs.forEach((o, i) => {
      const want = expected[i]!;
      const have = got[o.name]!;
      if (have.dims.join() !== want.shape.join()) {
        throw new Error(`${c.name} [${layout}] ${o.tensor}: shape [${have.dims}] vs TF.js [${want.shape}]`);
      }
      const declared = o.dims.map((d) => (typeof d === 'number' ? d : -1));
      if (declared.some((d, k) => d !== -1 && d !== want.shape[k])) {
        throw new Error(`${c.name} [${layout}] ${o.tensor}: declared [${o.dims}] vs TF.js [${want.shape}]`);
      }
      const values = Array.from(have.data as ArrayLike<number | bigint>, Number);
      want.data.forEach((w, k) => {
        const h = values[k]!;
        const err = Number.isNaN(w) && Number.isNaN(h) ? 0 : Math.abs(h - w) / Math.max(1, Math.abs(w));
        maxError = Math.max(maxError, Number.isNaN(err) ? Infinity : err);
      });
    });
    return { maxError, shapes: expected.map((e) => e.shape) };
  } finally {
    await session.release();
  }
}
