/**
 * @file Photo actions wired to the inference worker: what the drop zone and file picker call.
 * A batch keeps the model versions it started on until it is done, and runs the features
 * whose models serve when each photo's turn comes.
 */
import { inferenceClient } from '../inference/client/inference-client.ts';
import { appStore } from './app-store.ts';
import { createPhotoQueue } from './photo-queue.ts';
import type { PhotoFile } from './photos-slice.ts';

const features = () => appStore.getState().features.serving;

const queue = createPhotoQueue(
  (file, name) => inferenceClient.analyzePhoto(file, name, features()),
  () => {
    const session = inferenceClient.openBatch();
    return { analyse: (file, name) => session.analyzePhoto(file, name, features()), close: () => session.close() };
  },
);

/** Annotates the files in the worker, one after another; each settles as a result or an error card. */
export function analyzePhotos(files: readonly PhotoFile[]): Promise<void> {
  return queue.add(files);
}
