/**
 * @file Photo actions wired to the inference worker: what the drop zone and file picker call.
 * A batch keeps the model versions it started on until it is done, and runs the features
 * whose models serve when each photo's turn comes; while a candidate runs in shadow, it runs
 * on each photo too (the result shown is the serving version's).
 */
import { inferenceClient } from '../inference/client/inference-client.ts';
import type { PhotoResult, ShadowTarget } from '../shared/worker-api.ts';
import { appStore } from './app-store.ts';
import { currentShadowJob, shadowPhotoDone } from './shadow-session.ts';
import { createPhotoQueue } from './photo-queue.ts';
import type { PhotoFile } from './photos-slice.ts';

const features = () => appStore.getState().features.serving;

/** A photo's result; while a candidate runs in shadow (shadow-session.ts) it runs on the photo too. */
async function compared(run: (shadow: ShadowTarget | undefined) => Promise<PhotoResult>): Promise<PhotoResult> {
  const result = await run(currentShadowJob()?.target);
  shadowPhotoDone(result);
  return result;
}

const queue = createPhotoQueue(
  (file, name) => compared((shadow) => inferenceClient.analyzePhoto(file, name, features(), shadow)),
  () => {
    const session = inferenceClient.openBatch();
    return {
      analyse: (file, name) => compared((shadow) => session.analyzePhoto(file, name, features(), shadow)),
      close: () => session.close(),
    };
  },
);

/** Annotates the files in the worker, one after another; each settles as a result or an error card. */
export function analyzePhotos(files: readonly PhotoFile[]): Promise<void> {
  return queue.add(files);
}
