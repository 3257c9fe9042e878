/**
 * @file Keyboard operation: the main controls are Tab stops with a visible focus ring, the tabs
 * follow the arrow-key pattern, and Enter/Space operate buttons (file picker, camera).
 */
import { expect, test } from '../support/fixtures.ts';
import { SAMPLES } from '../support/paths.ts';

test('main controls are reachable by Tab and operable with Enter and Space', async ({ app, page }) => {
  await app.open();
  await app.ready();

  // Walk the Tab order from the top of the page.
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    seen.push(
      await page.evaluate(() => {
        const el = (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } })
          .document.activeElement;
        return (el?.textContent ?? '').trim();
      }),
    );
  }
  expect(seen).toEqual(expect.arrayContaining(['Skip to content', 'Photos', 'Choose photos…', 'Start the camera']));

  // The focused control shows a focus ring.
  const photosTab = page.getByRole('tab', { name: 'Photos' });
  await photosTab.focus();
  await expect(photosTab).toBeFocused();
  const outline = await photosTab.evaluate(
    (el) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el)
        .outlineStyle,
  );
  expect(outline).not.toBe('none');

  // Arrow keys switch tabs; the selected tab controls the visible panel.
  await page.keyboard.press('ArrowRight');
  const webcamTab = page.getByRole('tab', { name: 'Webcam' });
  await expect(webcamTab).toBeFocused();
  await expect(webcamTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Webcam' })).toBeVisible();

  // Space on "Start camera": this browser has no camera at all, so the "absent" message appears.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('camera-error')).toContainText('No camera found');
  await expect(page.getByTestId('camera-error')).toContainText('use photos instead');

  // Back to Photos with the keyboard; Enter on "Choose photos…" opens the file chooser.
  await webcamTab.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tabpanel', { name: 'Photos' })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Choose photos…' }).first()).toBeFocused();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
  expect(chooser.isMultiple()).toBe(true);
  await chooser.setFiles(SAMPLES[0]!);
  await app.batchDone(1);
  await expect(page.getByTestId('result-card')).toHaveCount(1);

  // Result buttons are reachable and labelled.
  await expect(page.getByRole('button', { name: /Download sample1\.jpg as annotated PNG/ })).toBeEnabled();
});
