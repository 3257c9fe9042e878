/**
 * @file Compile-time checks (run by `tsc -p tsconfig.worker.json`, never executed): the pipeline
 * worker class implements the shared {@link WorkerApi}, and what `Comlink.wrap` gives the UI has the
 * same methods, all async. A signature drift between the worker and the UI fails the typecheck.
 */
import type * as Comlink from 'comlink';
import type { PipelineEngine } from './pipeline-engine.ts';
import type { ModelHost } from '../host/model-host.ts';
import type { ModelHostApi } from '../../shared/model-host-api.ts';
import type { FrameResult, PhotoResult, WorkerApi, EngineInfo, StagedSet } from '../../shared/worker-api.ts';
import type { LiveFrame, ShownFrame } from '../common/frames.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type AppApi = WorkerApi<LiveFrame, Blob, ShownFrame>;

/** The engine is usable wherever the API is expected… */
export type EngineImplementsApi = Expect<PipelineEngine extends AppApi ? true : false>;
/** …and exposes nothing else to the UI (no accidental public surface). */
export type NoExtraMethods = Expect<Equal<keyof PipelineEngine, keyof AppApi>>;
/** The wrapped remote returns the same result types as the API. */
type Remote = Comlink.Remote<AppApi>;
export type RemoteFrame = Expect<Equal<Awaited<ReturnType<Remote['analyzeFrame']>>, FrameResult<ShownFrame>>>;
export type RemotePhoto = Expect<Equal<Awaited<ReturnType<Remote['analyzePhoto']>>, PhotoResult>>;
export type RemoteStage = Expect<Equal<Awaited<ReturnType<Remote['stage']>>, StagedSet>>;
/** The model host implements its API and nothing more. */
export type HostImplementsApi = Expect<ModelHost extends ModelHostApi ? true : false>;
export type HostNoExtraMethods = Expect<Equal<keyof ModelHost, keyof ModelHostApi>>;
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
export type PlainStaged = Expect<NoFunctions<StagedSet>>;
