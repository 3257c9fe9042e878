/**
 * @file Pipeline worker entry: only wires the engine, with the app's features, to Comlink. All
 * logic lives in pipeline-engine.ts so it can be tested and reused without a worker.
 */
import * as Comlink from 'comlink';
import { FEATURES, TASKS } from '../../features/index.ts';
import { PipelineEngine } from './pipeline-engine.ts';

Comlink.expose(new PipelineEngine({ features: FEATURES, tasks: TASKS }));
