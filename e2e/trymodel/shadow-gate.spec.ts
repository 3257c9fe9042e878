/**
 * @file The shadow gate of registry versions: face-detector 2.0.0 is published with
 * `publish-model --shadow 10:0.8`, and it is a detector that always reports one box in the
 * top-left corner, never where the faces are. The client downloads, verifies, compiles, probes
 * and warms it, then runs it beside 1.0.0 on 10 live webcam frames: agreement 0 is below 0.8, so
 * it is rejected at stage `shadowed` (logged, shown, marked bad, never retried) while 1.0.0 keeps
 * serving with no frame error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, GraphBuilder } from '../../tools/convert/onnx/graph-builder.ts';
import { expect, test } from '../support/fixtures.ts';
import { ARTIFACTS } from '../support/paths.ts';

/** A valid detector (passes contract and probe) that always finds one small box in the corner. */
function cornerDetector(): string {
  const g = new GraphBuilder('corner_detector');
  const image = g.input('image', 'float32', [1, 3, 224, 224]);
  const zero = g.node('Mul', [g.node('ReduceMean', [image], { keepdims: attr.int(0) }), g.f32('zero', [0], [])]);
  const boxes = g.node('Add', [g.f32('box', [0, 0, 0.08, 0.08], [1, 4]), zero], {}, 'boxes_value');
  const scores = g.node('Add', [g.f32('score', [0.9], [1]), zero], {}, 'scores_value');
  g.output(boxes, 'boxes', 'float32', ['n', 4]);
  g.output(scores, 'scores', 'float32', ['n']);
  const path = join(ARTIFACTS, 'face-detector-corner.onnx');
  writeFileSync(path, g.toModel({ producer: 'hotlens-e2e' }));
  return path;
}

test('a registry version below its shadow bar is rejected at shadowed while the old one serves', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(300_000);
  await app.openServing(registry);
  const { sha256 } = await registry.publish('face-detector', '2.0.0', cornerDetector(), { shadow: '10:0.8' });
  expect(registry.manifest().models['face-detector']!.versions['2.0.0']!.shadow).toEqual({
    frames: 10,
    minAgreement: 0.8,
  });
  await expect
    .poll(async () => (await app.logWhere({ sha256, outcome: 'rejected' })).map((r) => r.stage), { timeout: 240_000 })
    .toEqual(['shadowed']);
  const stages = (await app.logWhere({ sha256 })).map((r) => `${r.stage} ${r.outcome}`);
  expect(stages).toEqual([
    'found ok',
    'downloading ok',
    'verifying ok',
    'stored ok',
    'compat-checked ok',
    'compiling ok',
    'probed ok',
    'warmed ok',
    'shadowed rejected',
  ]);
  const record = (await app.logWhere({ sha256, stage: 'shadowed' }))[0]!;
  expect(record.reason).toMatch(/agreement with the serving version 0\.00 is below the bar 0\.8 \(.*10 live frames/);
  console.log(`shadow gate: ${record.reason}`);
  await expect
    .poll(async () => await app.model('face-detector'), { timeout: 10_000 })
    .toMatchObject({ active: '1.0.0', stage: 'rejected', stageVersion: '2.0.0' });
  await app.keepsAnnotating(3000);
  await expect(page.getByTestId('hud')).toContainText('detector 1.0.0');
  // Never retried: one download, and still 1.0.0 after a few polls.
  await page.waitForTimeout(3000);
  expect(registry.blobRequests(sha256)).toHaveLength(1);
  await page.getByRole('tab', { name: 'Models' }).click();
  const card = page.getByTestId('model-face-detector');
  await expect(card.getByTestId('model-stage')).toHaveText('Rejected 2.0.0');
  await expect(card.getByRole('row', { name: /2\.0\.0/ })).toContainText('bad (shadowed)');
  expect((await app.status()).frames.errors).toBe(0);
});
