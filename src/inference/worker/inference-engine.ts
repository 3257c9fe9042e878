/**
 * @file The inference worker's logic behind {@link WorkerApi}: picks the runtime, loads the
 * serving models (model-loader.ts), decodes photos and frames (decode.ts) and runs the shared
 * pipeline (`analyzeImage`, the same code `npm run annotate` runs in Node). The entry file
 * only exposes an instance over Comlink.
 */
import * as Comlink from 'comlink';
import { configureRuntime, runtimeVersion } from '../engine/ort-engine.ts';
import { analyzeImage } from '../../shared/pipeline/analyze-image.ts';
import { EngineNotReadyError } from '../../shared/errors.ts';
import type { ImageAnnotation } from '../../shared/face-results.ts';
import type {
  AnalysisTimings,
  EngineInfo,
  EngineOptions,
  FrameResult,
  LoadProgress,
  PhotoResult,
  ProgressListener,
  ServingModel,
  WorkerApi,
} from '../../shared/worker-api.ts';
import { chooseRuntime } from './backend.ts';
import { decodePhoto, PixelReader, readFrame, type DecodedImage } from './decode.ts';
import { httpModelSource } from './http-source.ts';
import { loadModelSet, type ModelSet, type ModelSource } from './model-loader.ts';

interface Serving {
  info: EngineInfo;
  models: ModelSet;
  versions: Record<string, string>;
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

/** Implements the worker API; one instance per worker. */
export class InferenceEngine implements WorkerApi<ImageBitmap, Blob> {
  private loading: Promise<Serving> | null = null;
  private serving: Serving | null = null;
  private readonly reader = new PixelReader();

  /** @param sourceFor how to reach the registry (swappable for the later IndexedDB cache). */
  constructor(private readonly sourceFor: (registryUrl: string) => ModelSource = httpModelSource) {}

  async init(options: EngineOptions, onProgress?: ProgressListener): Promise<EngineInfo> {
    // Memoised, but a failed load is forgotten so the next call can retry.
    this.loading ??= this.load(options, onProgress).catch((err: unknown) => {
      this.loading = null;
      throw err;
    });
    return (await this.loading).info;
  }

  private async load(options: EngineOptions, onProgress?: ProgressListener): Promise<Serving> {
    const t0 = performance.now();
    const runtime = await chooseRuntime(options);
    configureRuntime({ numThreads: runtime.threads });
    notify(onProgress, { status: 'runtime', ...runtime });
    const source = this.sourceFor(options.registryUrl);
    const progress = (p: LoadProgress) => notify(onProgress, p);
    let backend = runtime.backend;
    let set: ModelSet;
    try {
      ({ models: set } = await loadModelSet(source, {
        backend,
        onProgress: progress,
        registryUrl: options.registryUrl,
      }));
    } catch (err) {
      // A real adapter can still fail to create sessions (driver limits): WASM always works.
      // Integrity or contract failures would fail on WASM too, so they are not retried.
      const sessionFailed = (err as Error).name === 'ModelLoadError';
      if (backend !== 'webgpu' || options.backend === 'webgpu' || !sessionFailed) throw err;
      backend = 'wasm';
      ({ models: set } = await loadModelSet(source, {
        backend,
        onProgress: progress,
        registryUrl: options.registryUrl,
      }));
    }
    const pipelineWarmupMs = await this.warmPipeline(source, set);
    const models: Record<string, ServingModel> = {};
    const versions: Record<string, string> = {};
    for (const m of Object.values(set)) {
      models[m.id] = {
        id: m.id,
        version: m.version,
        task: m.task,
        bytes: m.file.bytes,
        sha256: m.file.sha256,
        compileMs: m.compileMs,
        warmupMs: m.warmupMs,
      };
      versions[m.id] = m.version;
    }
    const info: EngineInfo = {
      backend,
      threads: backend === 'wasm' ? runtime.threads : 1,
      crossOriginIsolated: self.crossOriginIsolated,
      runtimeVersion,
      models,
      loadMs: performance.now() - t0,
      pipelineWarmupMs,
    };
    this.serving = { info, models: set, versions };
    notify(onProgress, { status: 'ready', ms: info.loadMs });
    return this.serving;
  }

  /**
   * Runs the whole pipeline once on the detector's probe image (a real face): the per-model
   * dummy runs warm the sessions, this also warms the JS pre/post-processing (JIT) and the
   * batched attribute/expression shapes, so the first webcam frame is as fast as the rest.
   * Best effort: a missing probe only costs first-frame speed.
   */
  private async warmPipeline(source: ModelSource, set: ModelSet): Promise<number | null> {
    const t0 = performance.now();
    try {
      const probe = await source.asset(set.detector.file.probe.image);
      const decoded = await decodePhoto(probe, 'probe', this.reader);
      const runners = {
        detector: set.detector.model,
        attributes: set.attributes.model,
        expression: set.expression.model,
      };
      await analyzeImage(decoded.image, runners, { scaleToOriginal: decoded.scaleToOriginal });
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
    const { detector, attributes, expression } = serving.models;
    const result = await analyzeImage(
      decoded.image,
      { detector: detector.model, attributes: attributes.model, expression: expression.model },
      {
        scaleToOriginal: decoded.scaleToOriginal,
        labels: { gender: attributes.file.labels, expression: expression.file.labels },
      },
    );
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
