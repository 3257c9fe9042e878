/**
 * @file The `app` fixture: a page object over the production build with typed access to
 * `window.hotlens` (status, ready, lastResults, metrics, checkForUpdates, rollback, pin) and
 * helpers to add photos by file picker or by a real drop event, to follow a test registry, to
 * sample processed webcam frames, and to save screenshots as artifacts. The `registry` fixture
 * is a model registry the test publishes into (registry.ts). Every spec that uses `app` fails on
 * an uncaught page error or on any Content Security Policy violation (csp-watch.ts).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import type { ShadowReport } from '../../src/shared/compare/report.ts';
import type { ImageAnnotation } from '../../src/shared/results.ts';
import type { HotlensApi, HotlensMetrics, HotlensStatus, ModelStatus } from '../../src/app/hotlens-api.ts';
import type { CheckSummary, UpdateLogRecord } from '../../src/shared/update-messages.ts';
import { CspWatch } from './csp-watch.ts';
import { SCREENSHOTS } from './paths.ts';
import { TestRegistry } from './registry.ts';

/** `window` as the page sees it (specs are type-checked without DOM types). */
type HotlensWindow = {
  hotlens: HotlensApi;
  navigator: { serviceWorker: { controller: unknown } };
};

/** Annotated webcam frames: [when the page drew it (Date.now()), frames so far in the window]. */
export type FrameSamples = Array<[number, number]>;

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

  /** Opens the app following `registry`, polled every second (`?registry=…&poll=1000`), plus `extra` query. */
  async openRegistry(registry: TestRegistry, extra = ''): Promise<void> {
    await this.open(`?registry=${encodeURIComponent(registry.url)}&poll=1000${extra}`);
  }

  /** Opens the app on `registry` (plus `extra` query) and waits for warm models and a service worker in control. */
  async openControlled(registry: TestRegistry, extra = ''): Promise<HotlensStatus> {
    await this.openRegistry(registry, extra);
    const status = await this.ready();
    await this.controlled();
    return status;
  }

  /**
   * Opens the app on `registry` with the webcam on (plus `extra` query) and waits until it
   * serves: models warm, a service worker in control, more than three frames annotated.
   */
  async openServing(registry: TestRegistry, extra = ''): Promise<void> {
    await this.openControlled(registry, `&camera=on${extra}`);
    await this.framesAbove(3);
  }

  /** Waits until more than `n` webcam frames were annotated. */
  async framesAbove(n: number, timeout = 30_000): Promise<void> {
    await expect.poll(async () => (await this.status()).frames.processed, { timeout }).toBeGreaterThan(n);
  }

  /** Frames are still being annotated after `ms` (polled: a loaded machine may pause them) and none failed. */
  async keepsAnnotating(ms = 2000): Promise<void> {
    const before = (await this.status()).frames.processed;
    await this.page.waitForTimeout(ms);
    await this.framesAbove(before);
    expect((await this.status()).frames.errors).toBe(0);
  }

  /** Waits until a service worker controls the page (it then polls and downloads). */
  async controlled(): Promise<void> {
    await expect
      .poll(() =>
        this.page.evaluate(() => !!(globalThis as unknown as HotlensWindow).navigator.serviceWorker.controller),
      )
      .toBe(true);
  }

  /** One model's status. */
  async model(id: string): Promise<ModelStatus> {
    const m = (await this.status()).models[id];
    if (!m) throw new Error(`status() has no model ${id}`);
    return m;
  }

  /** Waits until `id` serves `version` and its update has finished (stage idle). */
  async serves(id: string, version: string, timeout = 60_000): Promise<ModelStatus> {
    await expect
      .poll(
        async () => {
          const m = await this.model(id);
          return `${m.active} ${m.stage}`;
        },
        { timeout },
      )
      .toBe(`${version} idle`);
    return this.model(id);
  }

  /** Update-log records matching `match`. */
  async logWhere(match: Partial<UpdateLogRecord>): Promise<UpdateLogRecord[]> {
    const { log } = await this.status();
    return log.filter((r) => Object.entries(match).every(([k, v]) => r[k as keyof UpdateLogRecord] === v));
  }

  checkForUpdates(): Promise<CheckSummary> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.checkForUpdates());
  }

  rollback(id: string): ReturnType<HotlensApi['rollback']> {
    return this.page.evaluate((m) => (globalThis as unknown as HotlensWindow).hotlens.rollback(m), id);
  }

  pin(id: string, version: string | null): Promise<void> {
    return this.page.evaluate(([m, v]) => (globalThis as unknown as HotlensWindow).hotlens.pin(m!, v ?? null), [
      id,
      version,
    ] as const);
  }

  /** The sha256 of every model blob in the app's IndexedDB cache (database `hotlens-models`). */
  cachedBlobs(): Promise<string[]> {
    return this.page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          type Req<T> = { result: T; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null };
          const idb = (globalThis as unknown as { indexedDB: { open(name: string): Req<IdbDatabase> } }).indexedDB;
          type IdbDatabase = {
            transaction(store: string): { objectStore(name: string): { getAllKeys(): Req<string[]> } };
            close(): void;
          };
          const open = idb.open('hotlens-models');
          open.onerror = () => reject(new Error(String(open.error)));
          open.onsuccess = () => {
            const db = open.result;
            const keys = db.transaction('kv').objectStore('kv').getAllKeys();
            keys.onerror = () => reject(new Error(String(keys.error)));
            keys.onsuccess = () => {
              db.close();
              resolve(keys.result.filter((k) => k.startsWith('blob:')).map((k) => k.slice('blob:'.length)));
            };
          };
        }),
    );
  }

  /** One record of the app's IndexedDB model cache (`control`, `manifest`, `replay-floors`…), undefined when absent. */
  storedRecord<T>(key: string): Promise<T | undefined> {
    return this.page.evaluate(
      (k) =>
        new Promise<T | undefined>((resolve, reject) => {
          type Req<R> = { result: R; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null };
          type Db = { transaction(s: string): { objectStore(n: string): { get(k: string): Req<T> } }; close(): void };
          const idb = (globalThis as unknown as { indexedDB: { open(name: string): Req<Db> } }).indexedDB;
          const open = idb.open('hotlens-models');
          open.onerror = () => reject(new Error(String(open.error)));
          open.onsuccess = () => {
            const db = open.result;
            const get = db.transaction('kv').objectStore('kv').get(k);
            get.onerror = () => reject(new Error(String(get.error)));
            get.onsuccess = () => {
              db.close();
              resolve(get.result ?? undefined);
            };
          };
        }),
      key,
    );
  }

  /** The versions marked bad on this device (the control state's `bad` list). */
  async badVersions(): Promise<Array<{ id: string; version: string; stage: string; reason: string }>> {
    return (
      (
        await this.storedRecord<{ bad?: Array<{ id: string; version: string; stage: string; reason: string }> }>(
          'control',
        )
      )?.bad ?? []
    );
  }

  /**
   * Every model blob in the app's IndexedDB cache with the SHA-256 of the bytes actually stored,
   * so a test can prove that nothing stored is corrupt (`key` must equal `digest`).
   */
  storedBlobDigests(): Promise<Array<{ key: string; digest: string }>> {
    return this.page.evaluate(async () => {
      type Req<T> = { result: T; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null };
      type Store = { getAllKeys(): Req<string[]>; get(key: string): Req<ArrayBuffer> };
      type Db = { transaction(store: string): { objectStore(name: string): Store }; close(): void };
      const g = globalThis as unknown as {
        indexedDB: { open(name: string): Req<Db> };
        crypto: { subtle: { digest(alg: string, data: ArrayBuffer): Promise<ArrayBuffer> } };
      };
      const done = <T>(req: Req<T>) =>
        new Promise<T>((resolve, reject) => {
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(new Error(String(req.error)));
        });
      const db = await done(g.indexedDB.open('hotlens-models'));
      const keys = (await done(db.transaction('kv').objectStore('kv').getAllKeys())).filter((k) =>
        k.startsWith('blob:'),
      );
      const out: Array<{ key: string; digest: string }> = [];
      for (const key of keys) {
        const bytes = await done(db.transaction('kv').objectStore('kv').get(key));
        const digest = new Uint8Array(await g.crypto.subtle.digest('SHA-256', bytes));
        out.push({
          key: key.slice('blob:'.length),
          digest: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
        });
      }
      db.close();
      return out;
    });
  }

  /**
   * The webcam frames the page annotated after `since` (epoch ms), from its own timestamps
   * (`hotlens.frameTimes`): [when the frame was drawn, frames so far]. Reading them afterwards
   * keeps the harness off the thread that draws the frames while they are measured.
   */
  async framesSince(since: number): Promise<FrameSamples> {
    const frames = await this.page.evaluate(
      (t) => (globalThis as unknown as HotlensWindow).hotlens.frameTimes(t),
      since,
    );
    return frames.map((f, i): [number, number] => [f.at, i + 1]);
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

  /** The live comparison of the model file being tried in the Models panel (null: none). */
  trialReport(): Promise<ShadowReport | null> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.trialReport());
  }

  metrics(): Promise<HotlensMetrics> {
    return this.page.evaluate(() => (globalThis as unknown as HotlensWindow).hotlens.metrics());
  }

  /** Adds photos through the file picker input. */
  async pick(paths: readonly string[]): Promise<void> {
    await this.page.getByTestId('photo-input').setInputFiles([...paths]);
  }

  /** Picks files in the Models panel's "Try a model file" input (found by its accessible name). */
  async pickModelFiles(paths: string | readonly string[]): Promise<void> {
    const input = this.page.locator('input[type=file]').and(this.page.getByLabel(/model/i));
    await input.setInputFiles(typeof paths === 'string' ? paths : [...paths]);
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

  /** Annotates one photo on the Photos tab and returns its result. */
  async annotatePhoto(path: string): Promise<ImageAnnotation> {
    await this.page.getByRole('tab', { name: 'Photos' }).click();
    await this.pick([path]);
    await this.batchDone(1);
    const [result] = await this.lastResults();
    return result!;
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

/** Fails the test if `page` throws uncaught errors (call the returned function at the end). */
/** The stages one model swap logs from this tab, in order (`source:stage:outcome`). */
export const WORKER_SWAP_STAGES = [
  'worker:compat-checked:ok',
  'worker:compiling:ok',
  'worker:probed:ok',
  'worker:warmed:ok',
  'worker:serving:ok',
  'worker:draining:ok',
  'worker:released:ok',
] as const;

/** The versions `npm run models` serves first, as a result's `models` names them. */
export const FIRST_VERSIONS = {
  'face-detector': '1.0.0',
  'face-attributes': '1.0.0',
  'face-expression': '1.0.0',
} as const;

export function watchPageErrors(page: Page): () => void {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return () => expect(errors, 'uncaught errors in the page').toEqual([]);
}

/** Playwright `test` with the `app` and `registry` fixtures. */
export const test = base.extend<{ app: HotlensPage; registry: TestRegistry }>({
  app: async ({ page }, use, testInfo) => {
    const check = watchPageErrors(page);
    const csp = await CspWatch.start(page.context());
    await use(new HotlensPage(page, testInfo));
    check();
    csp.check();
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies.
  registry: async ({}, use) => {
    const registry = await TestRegistry.start();
    await use(registry);
    await registry.close();
  },
});

export { expect };
