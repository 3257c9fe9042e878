/**
 * @file Model host worker entry: only wires the host to Comlink. All logic lives in
 * model-host.ts so it can be tested and reused without a worker.
 */
import * as Comlink from 'comlink';
import { ModelHost } from './model-host.ts';

Comlink.expose(new ModelHost());
