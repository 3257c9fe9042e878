/**
 * @file The inference worker's logic behind {@link WorkerApi}: picks the runtime, loads one
 * fixed set of model versions (model-loader.ts, bytes from cache-source.ts), runs their probes
 * and warm-up when the bridge asks (the swap stages), decodes photos and frames (decode.ts) and
 * runs the shared pipeline (`analyzeImage`, the same code `npm run annotate` runs in Node).
 * Failures of a serving model come out as ModelRuntimeError naming the model, so the bridge can
 * roll back the right one. The entry file only exposes an instance over Comlink.
 */
import * as Comlink from 'comlink';
import { configureRuntime, runtimeVersion, startRuntime } from '../engine/ort-engine.ts';
import { analyzeImage } from '../../shared/pipeline/analyze-image.ts';
import type { ModelRunner } from '../../shared/pipeline/model-runner.ts';
import { compareProbe, probeFeeds } from '../../shared/pipeline/probe.ts';
import { EngineNotReadyError, ModelLoadError, ModelRuntimeError } from '../../shared/errors.ts';
import type { ImageAnnotation } from '../../shared/face-results.ts';
import type {
  AnalysisTimings,
  EngineInfo,
  EngineOptions,
  FrameResult,
  LoadProgress,
  PhotoResult,
  PipelineRole,
  ProbeReport,
  ProgressListener,
  ServingModel,
  WorkerApi,
} from '../../shared/worker-api.ts';
import { chooseRuntime, type RuntimeChoice } from './backend.ts';
import { cacheModelSource, type ModelSource } from './cache-source.ts';
import { decodePhoto, PixelReader, readFrame, type DecodedImage } from './decode.ts';
import { loadModelSet, warmModel, type LoadedModel, type ModelSet } from './model-loader.ts';

interface Serving {
  info: EngineInfo;
  models: ModelSet;
  runners: Record<PipelineRole, ModelRunner>;
  versions: Record<string, string>;
  source: ModelSource;
}

/** Calls a (Comlink-proxied) listener without letting a closed page break loading. */
function notify(listener: ProgressListener | undefined, progress: LoadProgress): void {
  if (!listener) return;
  try {
    void Promise.resolve(listener(progress)).catch(() => undefined);
  } catch {
    // The UI went away; loading continues regardless.
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A runner whose failures name the model (ORT errors say nothing about which session failed). */
function tagged(m: LoadedModel): ModelRunner {
  const { id, version } = m.spec;
  return {
    inputs: m.model.inputs,
    outputs: m.model.outputs,
    run: (feeds) =>
      m.model.run(feeds).catch((err: unknown) => {
        throw new ModelRuntimeError(id, version, message(err));
      }),
  };
}

function servingModel(m: LoadedModel): ServingModel {
  const { id, version, task, sha256, file } = m.spec;
  return {
    id,
    version,
    task,
    sha256,
    bytes: file.bytes,
    origin: m.origin,
    compileMs: m.compileMs,
    warmupMs: m.warmupMs,
  };
}

/** Implements the worker API; one instance per worker, one set of versions per instance. */
export class InferenceEngine implements WorkerApi<ImageBitmap, Blob> {
  private loading: Promise<Serving> | null = null;
  /** The runtime, chosen and configured once per worker (ORT fixes its thread count at start). */
  private runtime: Promise<RuntimeChoice> | null = null;
  /** The runtime start begun by {@link prepare}; init waits for it rather than racing it. */
  private prepared: Promise<void> | null = null;
  private serving: Serving | null = null;
  private readonly reader = new PixelReader();

  /** @param sourceFor how to reach the model bytes (tests inject a fake). */
  constructor(private readonly sourceFor: (registryUrl: string) => ModelSource = (url) => cacheModelSource(url)) {}

  async init(options: EngineOptions, onProgress?: ProgressListener): Promise<EngineInfo> {
    // Memoised, but a failed load is forgotten so the next call can retry.
    this.loading ??= this.load(options, onProgress).catch((err: unknown) => {
      this.loading = null;
      throw err;
    });
    return (await this.loading).info;
  }

  async prepare(options: Omit<EngineOptions, 'models'>): Promise<void> {
    this.prepared ??= this.startRuntime(options).then(async (runtime) => {
      // Best effort: a failure here surfaces (with its real cause) when init creates the sessions.
      if (runtime.backend === 'wasm') await startRuntime().catch(() => undefined);
    });
    return this.prepared;
  }

  private startRuntime(options: Omit<EngineOptions, 'models'>): Promise<RuntimeChoice> {
    this.runtime ??= chooseRuntime(options).then((runtime) => {
      configureRuntime({ numThreads: runtime.threads });
      return runtime;
    });
    return this.runtime;
  }

  private async load(options: EngineOptions, onProgress?: ProgressListener): Promise<Serving> {
    const t0 = performance.now();
    const runtime = await this.startRuntime(options);
    await this.prepared;
    notify(onProgress, { status: 'runtime', ...runtime });
    const source = this.sourceFor(options.registryUrl);
    const progress = (p: LoadProgress) => notify(onProgress, p);
    let backend = runtime.backend;
    let models: ModelSet;
    try {
      models = await loadModelSet(source, options.models, { backend, onProgress: progress });
    } catch (err) {
      // A real adapter can still fail to create sessions (driver limits): WASM always works.
      // Integrity or contract failures would fail on WASM too, so they are not retried.
      const sessionFailed = (err as Error).name === 'ModelCompileError';
      if (backend !== 'webgpu' || options.backend === 'webgpu' || !sessionFailed) throw err;
      backend = 'wasm';
      models = await loadModelSet(source, options.models, { backend, onProgress: progress });
    }
    const all = Object.values(models);
    const info: EngineInfo = {
      backend,
      threads: backend === 'wasm' ? runtime.threads : 1,
      crossOriginIsolated: self.crossOriginIsolated,
      runtimeVersion,
      models: Object.fromEntries(all.map((m) => [m.spec.id, servingModel(m)])),
      loadMs: performance.now() - t0,
      pipelineWarmupMs: null,
    };
    const runners = {
      detector: tagged(models.detector),
      attributes: tagged(models.attributes),
      expression: tagged(models.expression),
    };
    const versions = Object.fromEntries(all.map((m) => [m.spec.id, m.spec.version]));
    this.serving = { info, models, runners, versions, source };
    return this.serving;
  }

  private loaded(id: string): LoadedModel {
    const m = Object.values(this.ready().models).find((x) => x.spec.id === id);
    if (!m) throw new ModelLoadError(id, 'this worker does not serve it');
    return m;
  }

  private async probeImage(source: ModelSource, path: string): Promise<DecodedImage> {
    return decodePhoto(await source.asset(path), path, this.reader);
  }

  async probe(id: string): Promise<ProbeReport> {
    const serving = this.ready();
    const m = this.loaded(id);
    const t0 = performance.now();
    const decoded = await this.probeImage(serving.source, m.spec.file.probe.image);
    const outputs = await m.model.run(probeFeeds(m.spec.task, decoded.image, m.model.inputs));
    const result = compareProbe(m.spec.file.probe, outputs);
    return {
      id,
      version: m.spec.version,
      problems: result.problems,
      maxDiff: result.maxDiff,
      ms: performance.now() - t0,
    };
  }

  async warmUp(onProgress?: ProgressListener): Promise<EngineInfo> {
    const serving = this.ready();
    for (const m of Object.values(serving.models)) {
      notify(onProgress, { status: 'warmup', id: m.spec.id, version: m.spec.version });
      await warmModel(m);
      serving.info.models[m.spec.id] = servingModel(m);
    }
    serving.info.pipelineWarmupMs = await this.warmPipeline(serving);
    notify(onProgress, { status: 'ready', ms: serving.info.loadMs });
    return serving.info;
  }

  /**
   * Runs the whole pipeline once on the detector's probe image (a real face): the per-model
   * dummy runs warm the sessions, this also warms the JS pre/post-processing (JIT) and the
   * batched attribute/expression shapes, so the first webcam frame is as fast as the rest.
   * Best effort: a missing probe only costs first-frame speed.
   */
  private async warmPipeline(serving: Serving): Promise<number | null> {
    const t0 = performance.now();
    try {
      const decoded = await this.probeImage(serving.source, serving.models.detector.spec.file.probe.image);
      await analyzeImage(decoded.image, serving.runners, { scaleToOriginal: decoded.scaleToOriginal });
      return performance.now() - t0;
    } catch {
      // The per-model warm-up already ran; serving does not depend on this.
      return null;
    }
  }

  async info(): Promise<EngineInfo> {
    return this.ready().info;
  }

  private ready(): Serving {
    if (!this.serving) throw new EngineNotReadyError();
    return this.serving;
  }

  private async run(decoded: DecodedImage, decodeMs: number, started: number) {
    const serving = this.ready();
    const { attributes, expression } = serving.models;
    let result;
    try {
      result = await analyzeImage(decoded.image, serving.runners, {
        scaleToOriginal: decoded.scaleToOriginal,
        labels: { gender: attributes.spec.file.labels, expression: expression.spec.file.labels },
      });
    } catch (err) {
      // Missing, mis-shaped or non-finite outputs: name the model that produced them.
      const role = (err as { model?: unknown }).model;
      if ((err as Error).name === 'ModelOutputError' && typeof role === 'string' && role in serving.models) {
        const m = serving.models[role as PipelineRole];
        throw new ModelRuntimeError(m.spec.id, m.spec.version, message(err));
      }
      throw err;
    }
    const timings: AnalysisTimings = {
      decodeMs,
      detectMs: result.timings.detectMs,
      attributesMs: result.timings.attributesMs,
      expressionMs: result.timings.expressionMs,
      totalMs: performance.now() - started,
    };
    return { faces: result.faces, versions: { ...serving.versions }, timings };
  }

  async analyzePhoto(photo: Blob, fileName: string): Promise<PhotoResult> {
    this.ready();
    const started = performance.now();
    const decoded = await decodePhoto(photo, fileName, this.reader);
    const { faces, versions, timings } = await this.run(decoded, performance.now() - started, started);
    const annotation: ImageAnnotation = {
      file: fileName,
      width: decoded.width,
      height: decoded.height,
      models: versions,
      faces,
    };
    return { annotation, inferenceWidth: decoded.image.width, inferenceHeight: decoded.image.height, timings };
  }

  async analyzeFrame(frame: ImageBitmap): Promise<FrameResult<ImageBitmap>> {
    try {
      this.ready();
      const started = performance.now();
      const decoded = readFrame(frame, this.reader);
      const { faces, versions, timings } = await this.run(decoded, performance.now() - started, started);
      const result: FrameResult<ImageBitmap> = {
        frame,
        width: frame.width,
        height: frame.height,
        faces,
        models: versions,
        timings,
      };
      // Hand the bitmap back so the UI draws these boxes on exactly this frame.
      return Comlink.transfer(result, [frame]);
    } catch (err) {
      frame.close();
      throw err;
    }
  }

  async dispose(): Promise<void> {
    const serving = this.serving;
    this.serving = null;
    this.loading = null;
    if (serving) await Promise.allSettled(Object.values(serving.models).map((m) => m.model.release()));
  }
}
