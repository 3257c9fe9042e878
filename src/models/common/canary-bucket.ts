/**
 * @file The canary bucket of a client: a stable number 0..99 derived from the install id and
 * the model id, so a client stays in (or out of) a canary across reloads, and the buckets of
 * different models are independent (a client in one model's 10% is not in every model's).
 *
 * Definition (reproduce it anywhere to predict who gets a canary):
 *   h = FNV-1a-32(UTF-8(installId + "\u0000" + modelId))   // offset 0x811c9dc5, prime 0x01000193
 *   h = murmur3 fmix32(h)                                   // avalanche: FNV's high bits barely move on the last byte
 *   bucket = floor(h * 100 / 2^32)                          // 0..99
 * A client is in a canary of `percent` iff bucket < percent (0% = nobody, 100% = everybody).
 */

const encoder = new TextEncoder();

/** 32-bit FNV-1a of `bytes` (unsigned). */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The canary bucket (0..99) of this install for one model. */
export function canaryBucket(installId: string, modelId: string): number {
  const h = fmix32(fnv1a32(encoder.encode(`${installId}\u0000${modelId}`)));
  return Math.floor((h * 100) / 0x1_0000_0000);
}

/** True when the bucket falls inside a canary of `percent` (0..100). */
export function inCanary(bucket: number, percent: number): boolean {
  return bucket < percent;
}
