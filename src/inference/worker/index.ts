/**
 * @file Inference worker entry: only wires the engine to Comlink. All logic lives in
 * inference-engine.ts so it can be tested and reused without a worker.
 */
import * as Comlink from 'comlink';
import { InferenceEngine } from './inference-engine.ts';

Comlink.expose(new InferenceEngine());
