/**
 * @file Starts the inference engine at app start: the worker picks its backend, fetches and
 * verifies the models, compiles and warms them up, reporting progress into the engine slice.
 */
import { inferenceClient } from '../inference/client/inference-client.ts';
import type { EngineInfo, EngineOptions } from '../shared/worker-api.ts';
import { engineFailed, engineLoading, engineProgress, engineReady } from './engine-slice.ts';
import { announce } from './ui-slice.ts';

/**
 * Options from the page URL, for measuring and debugging: `?threads=1|2`, `?backend=wasm|webgpu`.
 */
export function engineOptionsFromUrl(href: string, baseUrl: string): EngineOptions {
  const params = new URL(href).searchParams;
  const options: EngineOptions = { registryUrl: new URL('models/', new URL(baseUrl, href)).href };
  const threads = Number(params.get('threads'));
  if (Number.isInteger(threads) && threads > 0) options.threads = threads;
  const backend = params.get('backend');
  if (backend === 'wasm' || backend === 'webgpu') options.backend = backend;
  return options;
}

/** Loads the models (once; a failed load can be retried by calling again). */
export async function startEngine(options: EngineOptions): Promise<EngineInfo | null> {
  engineLoading(performance.now());
  try {
    const info = await inferenceClient.init(options, engineProgress);
    engineReady(info, performance.now());
    announce(
      `Models ready on ${info.backend.toUpperCase()} with ${info.threads} thread${info.threads > 1 ? 's' : ''}.`,
    );
    return info;
  } catch (err) {
    engineFailed(err);
    return null;
  }
}

/** Drops the worker and loads everything again (the "Retry" button after a failure). */
export async function restartEngine(options: EngineOptions): Promise<EngineInfo | null> {
  await inferenceClient.terminate();
  return startEngine(options);
}
