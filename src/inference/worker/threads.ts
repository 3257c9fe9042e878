/**
 * @file How many WASM threads to ask for. Pure (unit-tested in Node): threads need a
 * cross-origin-isolated page, and more than two gain little on the small hotlens models while
 * taking cores from the UI.
 */

/** Threads WASM may use here: min(2, cores) when isolated, 1 otherwise; a request is clamped. */
export function wasmThreads(requested: number | undefined, isolated: boolean, cores: number): number {
  if (!isolated) return 1;
  const max = Math.max(1, cores);
  if (requested !== undefined && Number.isInteger(requested) && requested >= 1) return Math.min(requested, max);
  return Math.min(2, max);
}
