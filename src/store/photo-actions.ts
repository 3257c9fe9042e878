/**
 * @file Photo actions wired to the inference worker: what the drop zone and file picker call.
 */
import { inferenceClient } from '../inference/client/inference-client.ts';
import { createPhotoQueue } from './photo-queue.ts';
import type { PhotoFile } from './photos-slice.ts';

const queue = createPhotoQueue((file, name) => inferenceClient.analyzePhoto(file, name));

/** Annotates the files in the worker, one after another; each settles as a result or an error card. */
export function analyzePhotos(files: readonly PhotoFile[]): Promise<void> {
  return queue.add(files);
}
