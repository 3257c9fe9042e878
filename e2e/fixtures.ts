/**
 * @file The `app` fixture: a page object over the production build with typed access to
 * `window.hotlens` (status, ready, lastResults, metrics) and helpers to add photos by file
 * picker or by a real drop event, and to save screenshots as artifacts.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import type { ImageAnnotation } from '../src/shared/face-results.ts';
import type { HotlensApi, HotlensMetrics, HotlensStatus } from '../src/app/hotlens-api.ts';
import { SCREENSHOTS } from './paths.ts';

/** `window` as the page sees it (specs are type-checked without DOM types). */
type HotlensWindow = { hotlens: HotlensApi };

/** Page object for the hotlens app. */
export class HotlensPage {
  constructor(
    readonly page: Page,
    private readonly testInfo: TestInfo,
  ) {}

  /** Opens the app (optionally with query options such as `?threads=1`). */
  async open(query = ''): Promise<void> {
    await this.page.goto(`./${query}`);
    await expect(this.page.getByRole('heading', { name: 'hotlens', level: 1 })).toBeVisible();
  }

  /** Waits until the models are loaded and warmed up. */
  async ready(): Promise<HotlensStatus> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.ready());
  }

  status(): Promise<HotlensStatus> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.status());
  }

  lastResults(): Promise<ImageAnnotation[]> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.lastResults());
  }

  metrics(): Promise<HotlensMetrics> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.metrics());
  }

  /** Adds photos through the file picker input. */
  async pick(paths: readonly string[]): Promise<void> {
    await this.page.getByTestId('photo-input').setInputFiles([...paths]);
  }

  /** Drops photos on the page with a real DataTransfer carrying File objects. */
  async drop(paths: readonly string[]): Promise<void> {
    const files = paths.map((p) => ({ name: basename(p), b64: readFileSync(p).toString('base64') }));
    const dataTransfer = await this.page.evaluateHandle((list) => {
      // Browser globals, typed loosely: specs are checked without DOM types.
      const g = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: unknown[], name: string, opts: { type: string }) => unknown;
      };
      const dt = new g.DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(new g.File([bytes], f.name, { type: 'image/jpeg' }));
      }
      return dt;
    }, files);
    await this.page.dispatchEvent('body', 'dragenter', { dataTransfer });
    await this.page.dispatchEvent('body', 'dragover', { dataTransfer });
    await this.page.dispatchEvent('body', 'drop', { dataTransfer });
  }

  /** Waits until the current photo batch has settled every file. */
  async batchDone(total: number): Promise<void> {
    await expect(this.page.getByTestId('batch-progress')).toHaveAttribute('aria-valuenow', String(total), {
      timeout: 60_000,
    });
    await expect(this.page.getByTestId('batch-progress')).toHaveAttribute('aria-valuemax', String(total));
  }

  /** Saves a full-page screenshot to e2e/.artifacts/screenshots and attaches it to the report. */
  async screenshot(name: string): Promise<void> {
    const path = join(SCREENSHOTS, `${name}.png`);
    const body = await this.page.screenshot({ path, fullPage: true });
    await this.testInfo.attach(name, { body, contentType: 'image/png' });
  }
}

/** Playwright `test` with the `app` fixture. */
export const test = base.extend<{ app: HotlensPage }>({
  app: async ({ page }, use, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await use(new HotlensPage(page, testInfo));
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };
