/**
 * @file The decoded probe images of one pipeline worker, by SHA-256. A swap probes its candidate
 * on the image the signed manifest names, and the features warm on the same images: decoding
 * that PNG again for every swap costs the live video a decode on the two cores it shares, while
 * the image (content-addressed, verified when it was read) almost never changes between versions.
 * A few are kept, the least recently used dropped first; a failed decode is not kept.
 */
import type { ProbeImageRef } from '../../models/cache/cache-source.ts';
import type { DecodedImage } from './decode.ts';

/** Decoded images kept; a feature set probes on one or two. */
export const PROBE_IMAGES_KEPT = 4;

/** Decoded probe images, shared by concurrent callers and kept across swaps. */
export class ProbeImages {
  private readonly images = new Map<string, Promise<DecodedImage>>();

  constructor(
    /** Reads and decodes one image (verified against its SHA-256 before decoding). */
    private readonly decode: (key: ProbeImageRef) => Promise<DecodedImage>,
    private readonly kept = PROBE_IMAGES_KEPT,
  ) {}

  /** The decoded image: from memory when it was decoded before, else read and decoded now. */
  get(key: ProbeImageRef): Promise<DecodedImage> {
    const id = key.sha256;
    let image = this.images.get(id);
    if (image) {
      // Most recently used last: Map keeps insertion order.
      this.images.delete(id);
      this.images.set(id, image);
      return image;
    }
    image = this.decode(key);
    this.images.set(id, image);
    image.catch(() => {
      if (this.images.get(id) === image) this.images.delete(id);
    });
    while (this.images.size > this.kept) {
      const oldest = this.images.keys().next().value as string;
      this.images.delete(oldest);
    }
    return image;
  }

  /** How many images are held (for tests). */
  get size(): number {
    return this.images.size;
  }
}
