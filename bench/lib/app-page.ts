/**
 * @file Driving the real hotlens app (production build) in a page: typed access to
 * `window.hotlens`, and a photo drop timed inside the page from the drop event to the
 * annotation landing in the store — what a user waits for, worker round trip included.
 * Functions passed to `page.evaluate` run in the browser and are typed without lib.dom; they
 * declare no named inner functions (tsx would wrap them in a `__name` helper the page lacks).
 */
import type { Page } from '@playwright/test';
import type { AnnotatedFrameTime, HotlensApi, HotlensMetrics, HotlensStatus } from '../../src/app/hotlens-api.ts';
import type { ImageAnnotation } from '../../src/shared/results.ts';

/** `window.hotlens`, plus the update methods issue 4 adds (absent until that work lands). */
export type HotlensWindowApi = HotlensApi & {
  checkForUpdates?: () => Promise<unknown>;
  rollback?: (id: string) => Promise<unknown>;
  pin?: (id: string, version: string | null) => Promise<unknown>;
};

/** How page functions see `window`. */
export type AppWindow = { hotlens: HotlensWindowApi };

/** Waits for `window.hotlens`, then for the models to be loaded and warmed up. */
export async function appReady(page: Page, timeoutMs = 120_000): Promise<HotlensStatus> {
  await page.waitForFunction(() => 'hotlens' in globalThis, undefined, { timeout: timeoutMs });
  return page.evaluate(() => (globalThis as unknown as AppWindow).hotlens.ready());
}

export function appStatus(page: Page): Promise<HotlensStatus> {
  return page.evaluate(() => (globalThis as unknown as AppWindow).hotlens.status());
}

export function appMetrics(page: Page): Promise<HotlensMetrics> {
  return page.evaluate(() => (globalThis as unknown as AppWindow).hotlens.metrics());
}

/** The webcam frames the app annotated after `since` (epoch ms), from its own timestamps. */
export function appFrameTimes(page: Page, since: number): Promise<AnnotatedFrameTime[]> {
  return page.evaluate((t) => (globalThis as unknown as AppWindow).hotlens.frameTimes(t), since);
}

/** Which update features the running build offers (issue 4: hot swap, service worker). */
export async function updateSupport(page: Page): Promise<{ checkForUpdates: boolean; serviceWorker: boolean }> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as AppWindow & {
      navigator: { serviceWorker?: { getRegistration(): Promise<unknown>; controller: unknown } };
    };
    const reg = g.navigator.serviceWorker ? await g.navigator.serviceWorker.getRegistration() : undefined;
    return {
      checkForUpdates: typeof g.hotlens.checkForUpdates === 'function',
      serviceWorker: !!reg && !!g.navigator.serviceWorker?.controller,
    };
  });
}

/** Fetches photos into the page once (kept as Blobs on `window.__benchPhotos`; not timed). */
export async function preloadPhotos(page: Page, urls: string[]): Promise<void> {
  await page.evaluate(async (list) => {
    const g = globalThis as unknown as { __benchPhotos?: Record<string, Blob> };
    g.__benchPhotos ??= {};
    for (const url of list) g.__benchPhotos[url] ??= await (await fetch(url)).blob();
  }, urls);
}

/** One photo through the app. */
export interface AppPhotoRun {
  /** Drop event → annotation in the store (page clock, ~4 ms polling). */
  roundTripMs: number;
  /** The worker's own time for the photo (decode + pipeline), as the result card shows it (whole ms). */
  workerMs: number | null;
  annotation: ImageAnnotation;
}

/**
 * Drops one preloaded photo on the app as a File (a real DataTransfer drop event), waits for its
 * annotation, reads the worker time off its result card, then clears the gallery.
 */
export async function dropPhoto(page: Page, url: string, name: string): Promise<AppPhotoRun> {
  const run = await dropFiles(page, [url], [name]);
  return { roundTripMs: run.ms, workerMs: run.firstWorkerMs, annotation: run.annotations[0]! };
}

/**
 * Drops preloaded photos on the app in one drop event (a batch, as a user drops a folder) and
 * returns the ms from the drop until every annotation is in the store; then clears the gallery.
 */
export async function dropBatch(page: Page, urls: string[], names: string[]): Promise<number> {
  return (await dropFiles(page, urls, names)).ms;
}

/**
 * Drops preloaded photos as Files in one drop event, waits until the store holds all their
 * annotations (in drop order), reads the first card's worker time, then clears the gallery.
 */
async function dropFiles(
  page: Page,
  urls: string[],
  names: string[],
): Promise<{ ms: number; firstWorkerMs: number | null; annotations: ImageAnnotation[] }> {
  return page.evaluate(
    async ({ urls, names }) => {
      type El = { textContent: string | null; click(): void };
      const g = globalThis as unknown as AppWindow & {
        __benchPhotos: Record<string, Blob>;
        DataTransfer: new () => { items: { add(f: unknown): void } };
        File: new (parts: unknown[], name: string, o: { type: string }) => unknown;
        DragEvent: new (type: string, init: object) => unknown;
        dispatchEvent(e: unknown): boolean;
        document: { querySelector(s: string): El | null; querySelectorAll(s: string): El[] };
      };
      const dt = new g.DataTransfer();
      urls.forEach((url, i) => {
        const blob = g.__benchPhotos[url];
        if (!blob) throw new Error(`photo ${url} was not preloaded`);
        dt.items.add(new g.File([blob], names[i]!, { type: blob.type || 'image/jpeg' }));
      });
      const t0 = performance.now();
      g.dispatchEvent(new g.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      // The drop handler queues synchronously, which empties lastResults for the new batch.
      let results = g.hotlens.lastResults();
      if (results.length !== 0) throw new Error('the drop event did not start a photo batch');
      const limit = 60_000 * urls.length;
      while (!(results.length === names.length && results.every((r, i) => r.file === names[i]))) {
        if (performance.now() - t0 > limit)
          throw new Error(`no results for ${names.join(', ')} after ${limit / 1000} s`);
        await new Promise((r) => setTimeout(r, 2));
        results = g.hotlens.lastResults();
      }
      const ms = performance.now() - t0;
      let firstWorkerMs: number | null = null;
      for (let i = 0; i < 500 && firstWorkerMs === null; i++) {
        const meta = g.document.querySelector('[data-testid="result-card"] .card__meta')?.textContent ?? '';
        const m = /(\d+) ms\s*$/.exec(meta);
        if (m) firstWorkerMs = Number(m[1]);
        else await new Promise((r) => setTimeout(r, 4));
      }
      const clear = [...g.document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Clear results');
      clear?.click();
      await new Promise((r) => setTimeout(r, 30));
      return { ms, firstWorkerMs, annotations: results };
    },
    { urls, names },
  );
}
