/**
 * @file Actions of the photos slice: files enter as queued items, settle as results or error
 * cards, and the batch counter drives the progress bar. Pure state updates; the worker calls
 * live in photo-actions.ts.
 */
import { FEATURES } from '../features/index.ts';
import { describeCounts } from '../shared/feature-set.ts';
import type { FeatureResults } from '../shared/results.ts';
import type { PhotoResult } from '../shared/worker-api.ts';
import { appStore, patchPhotos } from './app-store.ts';
import type { PhotoItem } from './types.ts';
import { toUserError } from './user-error.ts';
import { announce } from './ui-slice.ts';

let nextId = 1;

/** A file as the store needs it (File satisfies this). */
export interface PhotoFile extends Blob {
  readonly name: string;
}

/**
 * Adds files as queued items. A new batch starts when none is running; files dropped during
 * a batch join it (the progress total grows).
 */
export function photosQueued(files: readonly PhotoFile[]): PhotoItem[] {
  const { photos } = appStore.getState();
  const running = photos.batch?.running === true;
  const batchId = running ? photos.batch!.id : (photos.batch?.id ?? 0) + 1;
  const items: PhotoItem[] = files.map((file) => ({
    seq: nextId,
    id: `photo-${nextId++}`,
    name: file.name,
    size: file.size,
    file,
    batch: batchId,
    status: 'queued',
    result: null,
    error: null,
  }));
  patchPhotos((p) => ({
    items: [...items, ...p.items],
    batch: running
      ? { ...p.batch!, total: p.batch!.total + items.length }
      : { id: batchId, done: 0, total: items.length, running: items.length > 0 },
    lastResults: running ? p.lastResults : [],
  }));
  if (items.length) announce(`Annotating ${items.length} photo${items.length > 1 ? 's' : ''}…`);
  return items;
}

function settle(id: string, update: Partial<PhotoItem>): void {
  patchPhotos((p) => {
    const items = p.items.map((it) => (it.id === id ? { ...it, ...update } : it));
    const batch = p.batch ? { ...p.batch, done: p.batch.done + 1 } : null;
    if (batch) batch.running = batch.done < batch.total;
    // The gallery shows newer drops first; results keep the order the files were given.
    const lastResults = batch
      ? items
          .filter((it) => it.batch === batch.id && it.result)
          .sort((a, b) => a.seq - b.seq)
          .map((it) => it.result!.annotation)
      : p.lastResults;
    return { items, batch, lastResults };
  });
  const { batch } = appStore.getState().photos;
  if (batch && !batch.running) {
    const settled = appStore.getState().photos.items.filter((it) => it.batch === batch.id);
    const failed = settled.filter((it) => it.status === 'error').length;
    const totals: Record<string, unknown[]> = {};
    for (const it of settled) {
      for (const f of FEATURES) {
        const r = it.result?.annotation[f.id as keyof FeatureResults];
        if (Array.isArray(r)) (totals[f.id] ??= []).push(...(r as unknown[]));
      }
    }
    const found = describeCounts(FEATURES, totals);
    announce(
      `Done: ${batch.total - failed} of ${batch.total} photos annotated${found ? `, ${found} found` : ''}` +
        (failed ? `, ${failed} could not be read.` : '.'),
    );
  }
}

/** The worker started on this item. */
export function photoRunning(id: string): void {
  patchPhotos((p) => ({ items: p.items.map((it) => (it.id === id ? { ...it, status: 'running' as const } : it)) }));
}

/** The item was annotated. */
export function photoDone(id: string, result: PhotoResult): void {
  settle(id, { status: 'done', result });
}

/** The item failed; it becomes an error card. */
export function photoFailed(id: string, err: unknown): void {
  settle(id, { status: 'error', error: toUserError(err) });
}

/** Removes one item from the gallery. */
export function photoRemoved(id: string): void {
  patchPhotos((p) => ({ items: p.items.filter((it) => it.id !== id) }));
}

/** Empties the gallery (a running batch keeps going but its cards are gone). */
export function photosCleared(): void {
  patchPhotos((p) => ({ items: p.items.filter((it) => it.status === 'queued' || it.status === 'running') }));
}
