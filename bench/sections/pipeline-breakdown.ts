/**
 * @file Where a photo's time goes in hotlens: the pipeline's stages timed one by one in a
 * bench worker with the serving models (1 and 2 WASM threads), for the pipeline section's
 * "why" — pre-processing vs model runs, and what a second thread buys.
 */
import type { Page } from '@playwright/test';
import type { BenchModelsApi, BreakdownJob } from '../pages/api.ts';
import type { BenchContext } from '../lib/context.ts';
import { SAMPLE_NAMES } from '../lib/paths.ts';
import { registryManifest } from '../lib/registry.ts';
import { median, round } from '../lib/stats.ts';

/** Stage p50s (ms per photo) for 1 and 2 threads. */
export async function pipelineBreakdown(ctx: BenchContext, page: Page, rounds: number) {
  const manifest = await registryManifest();
  const file = (id: string) => {
    const entry = manifest.models[id];
    const v = entry?.versions[entry.stable];
    if (!v) throw new Error(`the registry has no stable ${id}`);
    return v;
  };
  const det = file('face-detector');
  const base: Omit<BreakdownJob, 'threads'> = {
    detector: { url: ctx.server.url(`/models/${det.blob}`), size: det.preprocess.size },
    attributesUrl: ctx.server.url(`/models/${file('face-attributes').blob}`),
    expressionUrl: ctx.server.url(`/models/${file('face-expression').blob}`),
    photos: SAMPLE_NAMES.map((n) => ctx.server.url(`/samples/${n}`)),
    rounds,
  };
  await page.goto(ctx.server.url('/bench/models.html'));
  await page.waitForFunction(() => 'benchModels' in globalThis);
  const results = await page.evaluate(
    (jobs) => (globalThis as unknown as { benchModels: BenchModelsApi }).benchModels.breakdown(jobs),
    [1, 2].map((threads) => ({ ...base, threads })),
  );
  const out: Record<string, unknown> = {};
  for (const r of results) {
    const name = `wasm-${r.threads}t`;
    if ('error' in r) {
      out[name] = { error: r.error };
      continue;
    }
    out[name] = Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, round(median(v))]));
  }
  return {
    stage_ms_p50: out,
    how: 'the app pipeline’s steps (decode with the app worker’s decodePhoto, downscale included → letterbox → detector → boxes + quality gate → crops → attributes → expression) timed one by one in a bench worker with the serving models, six photos × rounds; ms per photo, p50',
  };
}
