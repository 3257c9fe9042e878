/**
 * @file The memory model inputs travel in from the pipeline worker to the model hosts. Inputs
 * go to a host transferred, in pooled buffers the host hands back with the outputs, so neither
 * side writes fresh memory per run (on the bench machine the first write to fresh memory costs
 * about 3.5 ms per MB: a 416² detector input is 2 MB). A feature builds its large inputs (the
 * whole image at the model's size) straight in a lent buffer (`FeatureRunner.inputArray`), which
 * is sent as it is; anything else it feeds is copied into a pooled buffer, so a feature may feed
 * its own arrays again.
 */
import type { TensorArray, TensorData } from '../../shared/tensor.ts';
import { BufferPool } from './buffer-pool.ts';

const pool = new BufferPool();

/** Buffers lent through {@link lendInputArray} and not yet sent. */
const lent = new WeakSet<ArrayBuffer>();

/** A float32 array in a pooled buffer, to build one input in; {@link feedsToSend} sends it without a copy. */
export function lendInputArray(length: number): Float32Array {
  const bytes = pool.take(length * Float32Array.BYTES_PER_ELEMENT);
  lent.add(bytes.buffer as ArrayBuffer);
  return new Float32Array(bytes.buffer, 0, length);
}

/** `feeds` ready to transfer, and the buffers to transfer: lent arrays as they are (once), others copied. */
export function feedsToSend(feeds: Record<string, TensorData>): {
  feeds: Record<string, TensorData>;
  buffers: ArrayBuffer[];
} {
  const sent: Record<string, TensorData> = {};
  const buffers: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(feeds)) {
    const own = t.data.buffer as ArrayBuffer;
    if (lent.delete(own)) {
      sent[name] = t;
      buffers.push(own);
      continue;
    }
    const bytes = pool.take(t.data.byteLength);
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    const Typed = t.data.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => TensorArray;
    sent[name] = { ...t, data: new Typed(bytes.buffer as ArrayBuffer, 0, t.data.length) };
    buffers.push(bytes.buffer as ArrayBuffer);
  }
  return { feeds: sent, buffers };
}

/** Takes back the buffers a host returned with a run's outputs, for later inputs. */
export function takeBackFeeds(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) pool.give(buffer);
}
