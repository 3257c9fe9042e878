/**
 * @file Feeds queued photos to an analyser, two at a time: the next photo decodes while the
 * models run on the one before, and a batch never floods the worker (webcam frames interleave).
 * Each file settles on its own: one bad file becomes an error card, the rest proceed. The
 * analyser is injected (the worker bridge in the app, a fake in unit tests).
 */
import type { PhotoResult } from '../shared/worker-api.ts';
import { appStore } from './app-store.ts';
import { photoDone, photoFailed, photoRunning, photosQueued, type PhotoFile } from './photos-slice.ts';
import type { PhotoItem } from './types.ts';

/** Annotates one file. */
export type PhotoAnalyser = (file: Blob, fileName: string) => Promise<PhotoResult>;

/** An analyser bound to one set of model versions for a whole batch; `close` lets that set go. */
export interface BatchLease {
  analyse: PhotoAnalyser;
  close(): void;
}

/** Photos analysed at once: the next one decodes while the models run on the one before. */
export const PHOTOS_IN_FLIGHT = 2;

/** A queue of photos in front of an analyser. */
export interface PhotoQueue {
  /** Queues files; resolves when the queue has drained. */
  add(files: readonly PhotoFile[]): Promise<void>;
}

/**
 * Creates the queue; up to {@link PHOTOS_IN_FLIGHT} files are analysed at once, taken in drop
 * order (results are listed in that order whichever finishes first). With `openBatch`,
 * everything queued until the queue next runs dry is one batch, annotated by one consistent set
 * of model versions even if a hot swap happens meanwhile (each result's `models` says which).
 */
export function createPhotoQueue(analyse: PhotoAnalyser, openBatch?: () => BatchLease): PhotoQueue {
  const pending: PhotoItem[] = [];
  let lease: BatchLease | null = null;
  let lanes = 0;
  let drained: { promise: Promise<void>; resolve: () => void } | null = null;

  async function settle(item: PhotoItem, run: PhotoAnalyser): Promise<void> {
    // Skip items the user removed while they waited.
    if (!appStore.getState().photos.items.some((it) => it.id === item.id)) {
      photoFailed(item.id, new Error('removed'));
      return;
    }
    photoRunning(item.id);
    try {
      photoDone(item.id, await run(item.file, item.name));
    } catch (err) {
      photoFailed(item.id, err);
    }
  }

  /** The batch is over: its versions are let go and whoever waits on the queue resumes. */
  function finish(): void {
    lease?.close();
    lease = null;
    drained?.resolve();
    drained = null;
  }

  async function lane(batch: BatchLease): Promise<void> {
    try {
      for (let item = pending.shift(); item; item = pending.shift()) await settle(item, batch.analyse);
    } finally {
      lanes--;
      if (lanes === 0) finish();
    }
  }

  return {
    add(files) {
      pending.push(...photosQueued(files));
      if (!drained) {
        let resolve: () => void = () => undefined;
        const promise = new Promise<void>((r) => (resolve = r));
        drained = { promise, resolve };
      }
      const waiting = drained.promise;
      const batch = (lease ??= openBatch?.() ?? { analyse, close: () => undefined });
      while (lanes < PHOTOS_IN_FLIGHT && pending.length > 0) {
        lanes++;
        void lane(batch);
      }
      if (lanes === 0) finish();
      return waiting;
    },
  };
}
