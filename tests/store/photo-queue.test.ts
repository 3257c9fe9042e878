/**
 * @file The photo queue and slice: files are analysed one at a time, each settles on its own
 * (a bad file is an error card, the rest proceed), the batch counts n of m, and lastResults
 * keeps the order the files were given.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { appStore, resetAppStore } from '../../src/store/app-store.ts';
import { createPhotoQueue, PHOTOS_IN_FLIGHT } from '../../src/store/photo-queue.ts';
import type { PhotoFile } from '../../src/store/photos-slice.ts';
import { EmptyFileError } from '../../src/shared/errors.ts';
import type { PhotoResult } from '../../src/shared/worker-api.ts';

function file(name: string, bytes: number): PhotoFile {
  return Object.assign(new Blob([new Uint8Array(bytes)]), { name });
}

function result(name: string): PhotoResult {
  return {
    annotation: { file: name, width: 10, height: 10, models: { 'face-detector': '1.0.0' }, faces: [] },
    inferenceWidth: 10,
    inferenceHeight: 10,
    timings: { decodeMs: 1, detectMs: 1, attributesMs: 0, expressionMs: 0, totalMs: 2 },
  };
}

beforeEach(() => resetAppStore());

describe('photo queue', () => {
  it('analyses two files at a time, settles each on its own and lists results in drop order', async () => {
    let active = 0;
    let maxActive = 0;
    const progress: string[] = [];
    const queue = createPhotoQueue(async (blob, name) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const b = appStore.getState().photos.batch!;
      progress.push(`${b.done}/${b.total}`);
      // a.jpg is slow: the two after it are analysed (and c.jpg finishes) while it runs.
      await new Promise((r) => setTimeout(r, name === 'a.jpg' ? 40 : 5));
      active--;
      if (blob.size === 0) throw Object.assign(new Error(new EmptyFileError(name).message), { name: 'EmptyFileError' });
      return result(name);
    });
    await queue.add([file('a.jpg', 3), file('empty.jpg', 0), file('c.jpg', 4)]);
    expect(maxActive).toBe(PHOTOS_IN_FLIGHT);
    expect(PHOTOS_IN_FLIGHT).toBe(2);
    expect(progress).toEqual(['0/3', '0/3', '1/3']);
    const { items, batch, lastResults } = appStore.getState().photos;
    expect(batch).toMatchObject({ done: 3, total: 3, running: false });
    const byName = Object.fromEntries(items.map((it) => [it.name, it]));
    expect(byName['a.jpg']!.status).toBe('done');
    expect(byName['empty.jpg']!.status).toBe('error');
    expect(byName['empty.jpg']!.error!.title).toBe('Empty file');
    expect(byName['c.jpg']!.status).toBe('done');
    expect(lastResults.map((r) => r.file)).toEqual(['a.jpg', 'c.jpg']);
    expect(appStore.getState().ui.announcement.text).toBe(
      'Done: 2 of 3 photos annotated, 0 faces found, 1 could not be read.',
    );
  });

  it('lets files dropped during a batch join it, and starts a new batch afterwards', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const queue = createPhotoQueue(async (_blob, name) => {
      if (name === 'slow.jpg') await gate;
      return result(name);
    });
    const first = queue.add([file('slow.jpg', 1)]);
    void queue.add([file('late.jpg', 1)]);
    expect(appStore.getState().photos.batch).toMatchObject({ done: 0, total: 2, running: true });
    release();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(appStore.getState().photos.lastResults.map((r) => r.file)).toEqual(['slow.jpg', 'late.jpg']);
    await queue.add([file('next.jpg', 1)]);
    const { batch, lastResults } = appStore.getState().photos;
    expect(batch).toMatchObject({ done: 1, total: 1, running: false });
    expect(lastResults.map((r) => r.file)).toEqual(['next.jpg']);
  });

  it('runs a whole batch (late drops included) on one lease, closed when the queue runs dry', async () => {
    const leases: string[] = [];
    let opened = 0;
    const queue = createPhotoQueue(
      async () => {
        throw new Error('the batch lease must be used instead');
      },
      () => {
        const lease = `lease-${++opened}`;
        leases.push(`open ${lease}`);
        return {
          analyse: async (_blob, name) => {
            leases.push(`${lease} ${name}`);
            return result(name);
          },
          close: () => leases.push(`close ${lease}`),
        };
      },
    );
    const first = queue.add([file('a.jpg', 1)]);
    void queue.add([file('b.jpg', 1)]);
    await first;
    await queue.add([file('c.jpg', 1)]);
    expect(leases).toEqual([
      'open lease-1',
      'lease-1 a.jpg',
      'lease-1 b.jpg',
      'close lease-1',
      'open lease-2',
      'lease-2 c.jpg',
      'close lease-2',
    ]);
  });
});
