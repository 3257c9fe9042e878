/**
 * @file `npm run bench [-- --only models,pipeline,...]`: measures hotlens in headless Chromium
 * against its production build, side by side with face-api, Human's centernet path, nsfwjs and
 * Human's face pipeline (beside hotlens's second face-model generation) on the same weights and
 * photos, and writes bench/results.json, bench/REPORT.md and bench/chart.svg. Not part of `npm test`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as prettier from 'prettier';
import { errorMessage, logger, type BenchContext } from './lib/context.ts';
import { load1, machineAfter, machineBefore } from './lib/machine.ts';
import { parseOptions, usage, type BenchOptions } from './lib/options.ts';
import { buildPages, ensureDist, ensureFakeVideo, snapshotDist } from './lib/prepare.ts';
import { ensureMovingVideo } from './lib/moving-video.ts';
import { resetRegistry } from './lib/registry.ts';
import { cspViolations, startBenchServer } from './lib/serve-bench.ts';
import { CHART_SVG, DIAGNOSTIC_JSON, PROFILES, REPORT_MD, RESULTS_JSON } from './lib/paths.ts';
import { useJsFlags } from './lib/browser.ts';
import { runSwapSession } from './lib/swap-session.ts';
import { runModels } from './sections/models.ts';
import { runPipeline } from './sections/pipeline.ts';
import { runFeatures } from './sections/features.ts';
import { runFacesGen2 } from './sections/faces-gen2.ts';
import { runVisits } from './sections/visits.ts';
import { runSwap, skippedSwaps, summarizeSwaps, swapPlans } from './sections/swap.ts';
import { runMemory, summarizeMemory } from './sections/memory.ts';
import { runWebcam } from './sections/webcam.ts';
import { completeResults } from './report/results.ts';
import { checkTargets } from './report/targets.ts';
import { renderReport } from './report/report.ts';
import { renderChart } from './report/chart.ts';

type Json = Record<string, unknown>;

/** Swap and memory share one session when both run (the quiet phase's first swaps are the swap figures). */
async function swapAndMemory(ctx: BenchContext, options: BenchOptions): Promise<Record<string, Json>> {
  const session = await runSwapSession(ctx, { phases: swapPlans(options.swaps, options.memorySwaps, options.quick) });
  if ('skipped' in session) {
    return {
      ...skippedSwaps(session.skipped),
      memory: { growth_ratio_50_swaps: null, growth_ratio_50_swaps_skipped: session.skipped },
    };
  }
  return { ...summarizeSwaps(session, options.swaps), memory: summarizeMemory(session, options.memorySwaps) };
}

async function main(options: BenchOptions): Promise<void> {
  const log = logger('setup');
  const started = Date.now();
  ensureDist(log);
  await snapshotDist();
  await resetRegistry();
  log('building bench pages');
  await buildPages();
  ensureFakeVideo();
  if (options.only.has('webcam')) ensureMovingVideo();
  useJsFlags(options.jsFlags);
  const previous: Json =
    !options.jsFlags && options.merge && existsSync(RESULTS_JSON)
      ? (JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as Json)
      : {};
  const results: Json = { ...previous };
  const machine = machineBefore();
  const server = await startBenchServer();
  log(`serving on ${server.origin}; load average ${machine.load_average_before.join(' ')}`);
  const ctx = (section: string): BenchContext => ({ server, options, log: logger(section) });
  const stamp = () => ({ measured_at: new Date().toISOString() });
  const run = async (names: string[], fn: () => Promise<Record<string, Json>>) => {
    const t0 = Date.now();
    const loadBefore = load1();
    const l = logger(names.join('+'));
    l('start');
    try {
      for (const [name, value] of Object.entries(await fn())) {
        results[name] = {
          ...value,
          ...stamp(),
          section_seconds: Math.round((Date.now() - t0) / 1000),
          load_average_1min: { before: loadBefore, after: load1() },
        };
      }
    } catch (err) {
      l(`FAILED: ${errorMessage(err)}`);
      if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      for (const name of names) results[name] = { error: errorMessage(err), ...stamp() };
    }
    l(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  };
  const has = (s: string) => options.only.has(s as never);
  let csp: ReturnType<typeof cspViolations> | undefined;
  try {
    if (has('models')) await run(['models'], async () => ({ models: await runModels(ctx('models')) }));
    if (has('pipeline')) await run(['pipeline'], async () => ({ pipeline: await runPipeline(ctx('pipeline')) }));
    if (has('features')) await run(['features'], async () => ({ features: await runFeatures(ctx('features')) }));
    if (has('faces_gen2'))
      await run(['faces_gen2'], async () => ({ faces_gen2: await runFacesGen2(ctx('faces_gen2')) }));
    if (has('cold_start') || has('bytes')) await run(['cold_start', 'bytes'], () => runVisits(ctx('visits')));
    const swapKeys = ['swap', 'swap_busy', 'swap_ssd'];
    if (has('swap') && has('memory'))
      await run([...swapKeys, 'memory'], () => swapAndMemory(ctx('swap+memory'), options));
    else if (has('swap')) await run(swapKeys, () => runSwap(ctx('swap')));
    else if (has('memory')) await run(['memory'], async () => ({ memory: await runMemory(ctx('memory')) }));
    if (has('webcam')) await run(['webcam'], async () => ({ webcam: await runWebcam(ctx('webcam')) }));
  } finally {
    csp = cspViolations(server.all());
    await server.close();
    // Browser profiles hold a few hundred MB of caches; nothing reads them after the run.
    await rm(PROFILES, { recursive: true, force: true });
  }
  const full = completeResults({
    ...results,
    machine: machineAfter(machine),
    run: {
      sections: [...options.only],
      options: { ...options, only: [...options.only] },
      seconds: Math.round((Date.now() - started) / 1000),
      // Reports the browser POSTed for Content Security Policy violations (app: the production policy).
      csp_violations: csp ?? null,
    },
  });
  full.targets = checkTargets(full);
  if (options.jsFlags) {
    // A diagnosis under browser flags no user has: kept apart from the figures and the report.
    writeFileSync(DIAGNOSTIC_JSON, `${JSON.stringify({ js_flags: options.jsFlags, ...full }, null, 2)}\n`);
    log(`wrote bench/results.diagnostic.json (V8 flags: ${options.jsFlags})`);
    return;
  }
  writeFileSync(RESULTS_JSON, `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(CHART_SVG, renderChart(full));
  // Formatted like the rest of the repository, so a committed report passes format:check.
  const config = (await prettier.resolveConfig(REPORT_MD)) ?? {};
  writeFileSync(REPORT_MD, await prettier.format(renderReport(full), { ...config, filepath: REPORT_MD }));
  log(`wrote bench/results.json, bench/REPORT.md, bench/chart.svg (${Math.round((Date.now() - started) / 1000)} s)`);
}

let parsed: ReturnType<typeof parseOptions>;
try {
  parsed = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(`bench: ${errorMessage(err)}`);
  process.exit(2);
}
if (parsed === 'help') {
  console.log(usage);
} else {
  main(parsed).catch((err: unknown) => {
    console.error(`bench: ${errorMessage(err)}`);
    if (err instanceof Error && err.stack) console.error(err.stack);
    process.exit(1);
  });
}
