/**
 * @file Every way "Try a model file" refuses a file, each with one clear sentence in the panel
 * and a `local` record in the update log, and nothing changed: not ONNX, too large (the limit
 * stated), a model of another task, an expression net with no labels, a detector whose outputs
 * are NaN on the probe image. The same expression net with a labels file dropped beside it passes.
 */
import { expect, test, type HotlensPage } from '../support/fixtures.ts';
import { tryFiles } from '../support/try-files.ts';

/** Picks `paths` in the Models panel and returns the one-sentence problem shown. */
async function refusal(app: HotlensPage, paths: string[]): Promise<string> {
  await app.pickModelFiles(paths);
  const problem = app.page.getByTestId('trial-problem');
  await expect(problem).toBeVisible({ timeout: 60_000 });
  return (await problem.textContent())!;
}

/** Nothing changed: the registry versions serve, no override, no trial running. */
async function unchanged(app: HotlensPage): Promise<void> {
  const status = await app.status();
  for (const id of ['face-detector', 'face-attributes', 'face-expression']) {
    expect(status.models[id]).toMatchObject({ active: '1.0.0', channel: 'stable', local: null });
  }
  expect(await app.trialReport()).toBeNull();
}

const oneSentence = (text: string) => expect(text.trim().match(/[.!?](\s|$)/g) ?? []).toHaveLength(1);

test('bad model files are refused with one sentence each and change nothing; a labels file completes one', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(240_000);
  const files = tryFiles();
  await app.openRegistry(registry);
  await app.ready();
  await page.getByRole('tab', { name: 'Models' }).click();

  const notOnnx = await refusal(app, [files.notOnnx]);
  expect(notOnnx).toMatch(/^"holiday-notes\.onnx" is not an ONNX model \(/);
  await unchanged(app);

  const tooLarge = await refusal(app, [files.tooLarge]);
  expect(tooLarge).toBe('"huge-detector.onnx" is 129 MB, more than the 128 MB a model file tried here may have.');
  oneSentence(tooLarge);
  await unchanged(app);

  const wrongTask = await refusal(app, [files.wrongTask]);
  expect(wrongTask).toMatch(
    /^"tabular-regressor\.onnx" fits none of this app's tasks \(face-detection, face-attributes, face-expression, object-detection, image-classification\): its inputs are "x" float32 \[1,10\] and its outputs "y" float32 \[1,10\]\.$/,
  );
  await unchanged(app);

  const noLabels = await refusal(app, [files.noLabels]);
  expect(noLabels).toMatch(/^"expression-k\.onnx" has no labels for its output "expression" .*drop a labels file/);
  oneSentence(noLabels);
  await unchanged(app);

  const nan = await refusal(app, [files.nanDetector]);
  expect(nan).toMatch(
    /^face-detector-nanOnProbe\.onnx was rejected at probed: output "boxes"\[0\] is NaN on the probe image/,
  );
  await unchanged(app);

  // Each refusal is in the update log with source `local`; none marked a version bad.
  const local = (await app.status()).log.filter((r) => r.source === 'local' && r.outcome === 'rejected');
  expect(local.map((r) => r.stage)).toEqual(['verifying', 'verifying', 'compat-checked', 'compat-checked', 'probed']);
  await expect(page.getByTestId('model-face-detector').getByTestId('model-stage')).not.toHaveText(/Rejected/);

  // The same expression net with its labels file: labelled, checked, compared.
  await app.pickModelFiles([files.noLabels, files.labels]);
  await expect(page.getByTestId('trial-status')).toHaveText(/Passed the checks as face-expression local-/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('trial')).toContainText('labels from the labels file');
  await expect(page.getByTestId('publish-command')).toHaveText(
    'npm run publish-model -- --registry public/models --id face-expression --version 1.1.0 --file expression-k.onnx --task face-expression --labels expression-k-labels.txt',
  );
  await page.getByRole('button', { name: 'Stop trying' }).click();
  await unchanged(app);
});
