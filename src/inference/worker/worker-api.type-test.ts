/**
 * @file Compile-time checks (run by `tsc -p tsconfig.worker.json`, never executed): the worker
 * class implements the shared {@link WorkerApi}, and what `Comlink.wrap` gives the UI has the
 * same methods, all async. A signature drift between the worker and the UI fails the typecheck.
 */
import type * as Comlink from 'comlink';
import type { InferenceEngine } from './inference-engine.ts';
import type { FrameResult, PhotoResult, WorkerApi, EngineInfo } from '../../shared/worker-api.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type AppApi = WorkerApi<ImageBitmap, Blob>;

/** The engine is usable wherever the API is expected… */
export type EngineImplementsApi = Expect<InferenceEngine extends AppApi ? true : false>;
/** …and exposes nothing else to the UI (no accidental public surface). */
export type NoExtraMethods = Expect<Equal<keyof InferenceEngine, keyof AppApi>>;
/** The wrapped remote returns the same result types as the API. */
type Remote = Comlink.Remote<AppApi>;
export type RemoteFrame = Expect<Equal<Awaited<ReturnType<Remote['analyzeFrame']>>, FrameResult<ImageBitmap>>>;
export type RemotePhoto = Expect<Equal<Awaited<ReturnType<Remote['analyzePhoto']>>, PhotoResult>>;
export type RemoteInit = Expect<Equal<Awaited<ReturnType<Remote['init']>>, EngineInfo>>;
/** Results are plain data: no functions anywhere in them. */
type NoFunctions<T> = T extends (...args: never[]) => unknown
  ? false
  : T extends object
    ? false extends { [K in keyof T]: NoFunctions<T[K]> }[keyof T]
      ? false
      : true
    : true;
export type PlainPhoto = Expect<NoFunctions<PhotoResult>>;
export type PlainInfo = Expect<NoFunctions<EngineInfo>>;
