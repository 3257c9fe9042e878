/**
 * @file Reuses the pipeline worker's large buffers (a photo's or a frame's RGBA pixels, the
 * picture a frame shows on the page, the model inputs sent to a host). Writing to freshly
 * allocated memory is slow: each new page faults in first, about 3.5 ms per MB on the 2-core
 * bench machine, so a 1920×1280 photo's RGBA copy took 43 ms into a new buffer and 3.3 ms into a
 * reused one. Buffers come back only from owners that know they are done with them (after a
 * photo's analysis, once no tracker reads a frame, a picture the page has drawn, inputs a host
 * has run); the pool holds a few, and lets them go when nothing has been taken for a while.
 */

/** At most this many bytes wait in the pool. */
export const POOL_MAX_BYTES = 48 * 1024 * 1024;
/** Buffers of one size kept at most (a photo batch of one camera, frames of one stream). */
export const POOL_MAX_PER_SIZE = 2;
/** The pool empties after this long without a take (memory goes back once the work ends). */
export const POOL_IDLE_MS = 10_000;

/** Free buffers by byte length, oldest first; evicts the oldest over the byte cap. */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private bytes = 0;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Buffers taken that were reused rather than allocated (for tests and diagnosis). */
  reused = 0;

  constructor(private readonly idleMs = POOL_IDLE_MS) {}

  /**
   * `length` bytes: a view on the start of the smallest pooled buffer that holds them (at most
   * twice as large; its old contents remain), else a new buffer. Give back `.buffer`, the whole.
   */
  take(length: number): Uint8Array<ArrayBuffer> {
    this.touch();
    let fit = Infinity;
    for (const size of this.free.keys()) if (size >= length && size <= 2 * length && size < fit) fit = size;
    const list = this.free.get(fit);
    const buffer = list?.shift();
    if (!buffer) return new Uint8Array(length);
    if (list!.length === 0) this.free.delete(fit);
    this.bytes -= fit;
    this.reused += 1;
    return new Uint8Array(buffer, 0, length);
  }

  /** Gives back a buffer nobody reads or writes any more (a detached one is ignored). */
  give(buffer: ArrayBuffer): void {
    const length = buffer.byteLength;
    if (length === 0 || length > POOL_MAX_BYTES) return; // detached (transferred) or too large
    const list = this.free.get(length) ?? [];
    if (list.includes(buffer)) return;
    if (list.length >= POOL_MAX_PER_SIZE) {
      this.bytes -= list.shift()!.byteLength;
    }
    list.push(buffer);
    this.free.set(length, list);
    this.bytes += length;
    this.evict();
    this.touch();
  }

  /** Bytes waiting in the pool. */
  get size(): number {
    return this.bytes;
  }

  /** Drops every waiting buffer. */
  clear(): void {
    this.free.clear();
    this.bytes = 0;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Drops sizes in the order they were first pooled until under the byte cap. */
  private evict(): void {
    for (const [length, list] of this.free) {
      if (this.bytes <= POOL_MAX_BYTES) return;
      while (list.length > 0 && this.bytes > POOL_MAX_BYTES) {
        list.shift();
        this.bytes -= length;
      }
      if (list.length === 0) this.free.delete(length);
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.clear(), this.idleMs);
  }
}
