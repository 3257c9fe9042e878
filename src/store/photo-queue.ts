/**
 * @file Feeds queued photos to an analyser one at a time, so a batch never floods the worker
 * and webcam frames can interleave between photos. Each file settles on its own: one bad file
 * becomes an error card, the rest proceed. The analyser is injected (the worker bridge in the
 * app, a fake in unit tests).
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

/** A serial queue of photos in front of an analyser. */
export interface PhotoQueue {
  /** Queues files; resolves when the queue has drained. */
  add(files: readonly PhotoFile[]): Promise<void>;
}

/**
 * Creates the queue; files are analysed one at a time. With `openBatch`, everything queued
 * until the queue next runs dry is one batch, annotated by one consistent set of model versions
 * even if a hot swap happens meanwhile (each result's `models` says which).
 */
export function createPhotoQueue(analyse: PhotoAnalyser, openBatch?: () => BatchLease): PhotoQueue {
  const pending: PhotoItem[] = [];
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    const batch = openBatch?.() ?? { analyse, close: () => undefined };
    try {
      await drainWith(batch.analyse);
    } finally {
      batch.close();
    }
  }

  async function drainWith(analyse: PhotoAnalyser): Promise<void> {
    for (let item = pending.shift(); item; item = pending.shift()) {
      const current = item;
      // Skip items the user removed while they waited.
      if (!appStore.getState().photos.items.some((it) => it.id === current.id)) {
        photoFailed(current.id, new Error('removed'));
        continue;
      }
      photoRunning(current.id);
      try {
        photoDone(current.id, await analyse(current.file, current.name));
      } catch (err) {
        photoFailed(current.id, err);
      }
    }
  }

  return {
    add(files) {
      pending.push(...photosQueued(files));
      draining ??= drain().finally(() => {
        draining = null;
      });
      return draining;
    },
  };
}
