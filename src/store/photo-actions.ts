/**
 * @file Photo actions wired to the inference worker: what the drop zone and file picker call.
 * A batch keeps the worker (and so the model versions) it started on until it is done.
 */
import { inferenceClient } from '../inference/client/inference-client.ts';
import { createPhotoQueue } from './photo-queue.ts';
import type { PhotoFile } from './photos-slice.ts';

const queue = createPhotoQueue(
  (file, name) => inferenceClient.analyzePhoto(file, name),
  () => {
    const session = inferenceClient.openBatch();
    return { analyse: (file, name) => session.analyzePhoto(file, name), close: () => session.close() };
  },
);

/** Annotates the files in the worker, one after another; each settles as a result or an error card. */
export function analyzePhotos(files: readonly PhotoFile[]): Promise<void> {
  return queue.add(files);
}
