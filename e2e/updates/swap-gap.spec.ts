/**
 * @file A hot swap must not stall the live video: the webcam runs on face-detector 1.0.0 (tiny,
 * uint8 weights) and 1.0.1 is published (the same network with float32 weights: other bytes and
 * another session, the same cost per frame, so the cadence before and after is comparable).
 * From the page's own frame timestamps: frames keep being annotated while the swap runs
 * (publish → old session released), none fails, only the detector is recompiled, and no gap
 * reaches stallBoundMs of the median interval before it (STALL_RATIO × it, never under half a
 * second; the design this replaced measured 10× on a loaded machine). The ratio is recorded in
 * e2e/.artifacts/swap-metrics.json. The 1.5× target is not met on two cores (1.57× in the
 * clean-clone CI of 2026-12-05; why: ARCHITECTURE.md, "Where sessions live"); `npm run bench`
 * holds the quiet and one-core-busy figures.
 */
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';
import { gapStats, recordMetrics, stallBoundMs, swapWindow } from '../support/swap-metrics.ts';

test('swapping the face detector while the webcam runs keeps the video going: no stall, no lost frame, one model recompiled', async ({
  app,
  page,
  registry,
}, testInfo) => {
  test.setTimeout(150_000);
  await app.openServing(registry);
  const framesFrom = Date.now();
  await page.waitForTimeout(4000); // the steady cadence before the swap

  const { sha256 } = await registry.publish('face-detector', '1.0.1', MODEL_FILES.tiny416f32);
  await app.serves('face-detector', '1.0.1');
  await page.waitForTimeout(1500);
  const samples = await app.framesSince(framesFrom);

  const status = await app.status();
  expect(status.frames.errors).toBe(0);
  const window = swapWindow(status.log, sha256);
  const gaps = gapStats(samples, window.start, window.end);
  await recordMetrics(testInfo, 'swap-gap', { ...gaps, ratio: gaps.maxGapDuringSwapMs / gaps.medianIntervalMs });
  expect(gaps.framesDuringSwap, 'frames annotated while the swap ran').toBeGreaterThan(0);
  expect(gaps.maxGapDuringSwapMs).toBeLessThan(stallBoundMs(gaps.medianIntervalMs));
  // Only the detector was recompiled: the attribute nets kept their sessions.
  const compiled = status.log.filter((r) => r.stage === 'compiling' && r.time >= window.start).map((r) => r.model);
  expect(compiled).toEqual(['face-detector']);
});
