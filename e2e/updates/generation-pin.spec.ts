/**
 * @file Both face-model generations in the Models panel, as `npm run models` ships them:
 * generation 1 stable, generation 2 (group faces-gen2) listed beside it. Pinning the detector to
 * 3.0.0 in the panel brings the whole second generation; pinning it back to 1.0.0 returns the
 * whole first generation (a pin outside the group keeps the group out); unpinning leaves the
 * stable generation serving.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.ts';
import { MODEL_FILES } from '../support/paths.ts';

const GEN1 = { 'face-detector': '1.0.0', 'face-attributes': '1.0.0', 'face-expression': '1.0.0' };
const GEN2 = { 'face-detector': '3.0.0', 'face-attributes': '2.0.0', 'face-expression': '2.0.0' };

async function pinInPanel(page: Page, id: string, version: string): Promise<void> {
  const card = page.getByTestId(`model-${id}`);
  await card.getByLabel(`Version of ${id} to pin`).selectOption(version);
  await card.getByRole('button', { name: `Pin ${id} to ${version}` }).click();
}

test('the Models panel lists both generations, and pinning either serves that whole generation', async ({
  app,
  page,
  registry,
}) => {
  test.setTimeout(300_000);
  await registry.publishGroup(
    'faces-gen2',
    [
      { id: 'face-detector', version: GEN2['face-detector'], file: MODEL_FILES.blazeface },
      { id: 'face-attributes', version: GEN2['face-attributes'], file: MODEL_FILES.faceres },
      { id: 'face-expression', version: GEN2['face-expression'], file: MODEL_FILES.emotion },
    ],
    {
      // As the shipped registry has it: generation 2 listed, generation 1 stable.
      edit: (m) => {
        for (const id of Object.keys(GEN1)) m.models[id]!.stable = '1.0.0';
      },
    },
  );
  await app.openRegistry(registry);
  await app.ready();
  await app.controlled();
  for (const [id, version] of Object.entries(GEN1)) await app.serves(id, version);

  await page.getByRole('tab', { name: 'Models' }).click();
  for (const [id, version] of Object.entries(GEN2)) {
    const row = page
      .getByTestId(`model-${id}`)
      .getByRole('row', { name: new RegExp(`^${version.replace(/\./g, '\\.')}`) });
    await expect(row).toContainText('faces-gen2');
    const first = page.getByTestId(`model-${id}`).getByRole('row', { name: /^1\.0\.0/ });
    await expect(first).toContainText('stable');
  }

  await pinInPanel(page, 'face-detector', '3.0.0');
  for (const [id, version] of Object.entries(GEN2)) await app.serves(id, version, 180_000);
  expect(await app.model('face-detector')).toMatchObject({ pinned: '3.0.0', channel: 'pinned' });

  await pinInPanel(page, 'face-detector', '1.0.0');
  for (const [id, version] of Object.entries(GEN1)) await app.serves(id, version, 120_000);
  expect(await app.model('face-detector')).toMatchObject({ pinned: '1.0.0' });

  await page.getByTestId('model-face-detector').getByRole('button', { name: 'Unpin face-detector' }).click();
  await expect.poll(async () => (await app.model('face-detector')).pinned).toBeNull();
  await page.waitForTimeout(2000);
  for (const [id, version] of Object.entries(GEN1)) expect((await app.model(id)).active).toBe(version);
  expect((await app.status()).error.engine).toBeNull();
});
