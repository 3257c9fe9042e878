/**
 * @file The one module that imports onnxruntime-web. Wraps an InferenceSession as an
 * {@link OrtModel}: created from bytes, signature read from the model, runs queued (ORT
 * throws "Session already started" on concurrent runs of one session), plain-data tensors
 * in and out. Used by the model hosts in the browser and by the Node tools (onnxruntime-web
 * resolves to its Node build there: the same engine as the browser).
 *
 * In the browser the runtime build is loaded on demand: the WASM-only build (its .wasm is
 * about half the size of the WebGPU-capable one) unless a host chose WebGPU because a real GPU
 * adapter exists, so a machine without one never downloads or compiles the WebGPU runtime.
 */
import type * as OrtModule from 'onnxruntime-web';
import type { TensorData, TensorSpec, TensorType } from '../../shared/tensor.ts';

type Ort = typeof OrtModule;

/** Which onnxruntime-web build to load in the browser. */
export type RuntimeBuild = 'wasm' | 'webgpu';

const isNode = !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;

function importBuild(build: RuntimeBuild): Promise<Ort> {
  // The package root is ORT's Node build in Node and its JSEP build (WASM + WebGPU) in the
  // browser; `/wasm` is the WASM-only build.
  return isNode || build === 'webgpu' ? import('onnxruntime-web') : import('onnxruntime-web/wasm');
}

let build: RuntimeBuild = 'wasm';
let pending: RuntimeSettings = {};
let loaded: Promise<Ort> | null = null;

/** The runtime, loaded (once) with the chosen build and settings. */
function runtime(): Promise<Ort> {
  loaded ??= importBuild(build).then((ort) => {
    if (pending.numThreads !== undefined) ort.env.wasm.numThreads = pending.numThreads;
    if (pending.wasmPaths !== undefined) ort.env.wasm.wasmPaths = pending.wasmPaths;
    return ort;
  });
  return loaded;
}

/** Execution providers hotlens may choose. */
export type ExecutionProvider = 'wasm' | 'webgpu';

/** Options for creating a model session. */
export interface CreateOptions {
  executionProvider?: ExecutionProvider;
}

/** Process-wide runtime settings; call before the first session is created. */
export interface RuntimeSettings {
  numThreads?: number;
  /** Base URL or path map for the .wasm files; leave unset under Vite (it resolves them itself). */
  wasmPaths?: string;
  /** The browser build to load (default `wasm`); ignored once the runtime is loaded. */
  build?: RuntimeBuild;
}

const SUPPORTED: ReadonlySet<string> = new Set<TensorType>(['float32', 'int64', 'int32', 'uint8', 'bool']);

/**
 * Applies process-wide runtime settings (build, threads, wasm location) before the runtime loads.
 * Once it has loaded, asking again for the settings it runs with is fine (several hosts in one
 * process, as in Node tests); asking for different ones is an error.
 */
export function configureRuntime(settings: RuntimeSettings): void {
  if (loaded) {
    const current: RuntimeSettings = { ...pending, build };
    const changed = (Object.keys(settings) as Array<keyof RuntimeSettings>).filter(
      (k) => settings[k] !== undefined && settings[k] !== current[k],
    );
    if (changed.length === 0) return;
    throw new Error(`configure the runtime before the first session is created (${changed.join(', ')} changed)`);
  }
  if (settings.build !== undefined) build = settings.build;
  pending = { ...pending, ...settings };
}

/**
 * A 157-byte ONNX model (y = Identity(x), float32 [1], opset 13) made with tools/convert's graph
 * builder: creating a session from it is the cheapest way to make ORT fetch, compile and
 * instantiate its WebAssembly and start its threads, which the first real session would
 * otherwise pay for.
 */
const RUNTIME_START_MODEL =
  'CAgSB2hvdGxlbnMaATE6hgEKJgoBeBIISWRlbnRpdHkaDUlkZW50aXR5X25vZGUiCElkZW50aXR5CiMKCElkZW50aXR5EgF5Ggp5X2lkZW50aXR5IghJZGVudGl0eRIVaG90bGVucy1ydW50aW1lLXN0YXJ0Wg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==';

/** Initialises the WASM runtime now (call after {@link configureRuntime}); later session creates skip that cost. */
export async function startRuntime(): Promise<void> {
  const ort = await runtime();
  const bytes = Uint8Array.from(atob(RUNTIME_START_MODEL), (c) => c.charCodeAt(0));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  await session.release();
}

/** The runtime's version string, for status displays and provenance. */
export async function runtimeVersion(): Promise<string> {
  return (await runtime()).env.versions.web ?? 'unknown';
}

function toSpec(meta: OrtModule.InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) throw new Error(`model value "${meta.name}" is not a tensor`);
  if (!SUPPORTED.has(meta.type)) throw new Error(`model value "${meta.name}" has unsupported type ${meta.type}`);
  return { name: meta.name, type: meta.type as TensorType, dims: [...meta.shape] };
}

function toOrt(ort: Ort, t: TensorData): OrtModule.Tensor {
  return new ort.Tensor(t.type, t.data, t.dims);
}

function fromOrt(t: OrtModule.Tensor): TensorData {
  if (!SUPPORTED.has(t.type)) throw new Error(`model produced unsupported tensor type ${t.type}`);
  // getData() downloads GPU tensors too; copy so the result outlives the session.
  const data = t.data as TensorData['data'];
  return { type: t.type as TensorType, dims: [...t.dims], data: data.slice() as TensorData['data'] };
}

/** A loaded model: signature plus a queue so runs never overlap. */
export class OrtModel {
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  private constructor(
    private readonly ort: Ort,
    private readonly session: OrtModule.InferenceSession,
    /** Inputs as declared by the model file. */
    readonly inputs: TensorSpec[],
    /** Outputs as declared by the model file. */
    readonly outputs: TensorSpec[],
    /** The provider the session runs on. */
    readonly executionProvider: ExecutionProvider,
  ) {}

  /** Creates a session from model bytes. Throws if the bytes are not a loadable ONNX model. */
  static async create(bytes: Uint8Array, options: CreateOptions = {}): Promise<OrtModel> {
    const ep = options.executionProvider ?? 'wasm';
    const ort = await runtime();
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
    });
    return new OrtModel(ort, session, session.inputMetadata.map(toSpec), session.outputMetadata.map(toSpec), ep);
  }

  /** Runs the model; calls are queued so at most one run is active on this session. */
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const next = this.queue.then(async () => {
      if (this.released) throw new Error('model session was released');
      const ortFeeds: Record<string, OrtModule.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(this.ort, t);
      const results = await this.session.run(ortFeeds);
      const out: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(results)) {
        out[name] = fromOrt(t);
        t.dispose();
      }
      return out;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Waits for queued runs, then frees the session. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    await this.queue;
    this.released = true;
    await this.session.release();
  }
}
