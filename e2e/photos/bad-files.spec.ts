/**
 * @file Bad input: an empty file, a text file named .jpg, a truncated JPEG and a file over the
 * size limit each get their own error card with a specific message; the good files in the same
 * batch are annotated.
 */
import { join } from 'node:path';
import { expect, test } from '../support/fixtures.ts';
import { BAD_FILES_DIR, SAMPLES } from '../support/paths.ts';

const CASES = [
  { file: 'empty.jpg', title: 'Empty file', message: /empty \(0 bytes\)/ },
  { file: 'not-a-photo.jpg', title: 'Not an image', message: /is not a JPEG, PNG/ },
  { file: 'truncated.jpg', title: 'Corrupt image', message: /looks like a JPEG but could not be decoded/ },
  { file: 'huge.jpg', title: 'File too large', message: /over the .* limit/ },
];

test('each bad file gets its own error card and the good files still annotate', async ({ app, page }) => {
  await app.open();
  await app.ready();
  const files = [SAMPLES[2]!, ...CASES.map((c) => join(BAD_FILES_DIR, c.file)), SAMPLES[4]!];
  await app.pick(files);
  await app.batchDone(files.length);

  await expect(page.getByTestId('error-card')).toHaveCount(CASES.length);
  for (const c of CASES) {
    const card = page.getByTestId('error-card').filter({ has: page.getByRole('heading', { name: c.file }) });
    await expect(card).toContainText(c.title);
    await expect(card).toContainText(c.message);
  }
  await expect(page.getByTestId('result-card')).toHaveCount(2);
  const results = await app.lastResults();
  expect(results.map((r) => r.file)).toEqual(['sample3.jpg', 'sample5.jpg']);
  await expect(page.getByTestId('announcer')).toContainText('2 of 6 photos annotated');
  expect((await app.status()).frames.errors).toBe(0);
  await app.screenshot('photo-errors');
});
