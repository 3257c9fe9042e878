/**
 * @file What every section gets: the running bench server, the options, and a logger. Sections
 * return plain JSON for results.json; a measurement that cannot run returns null plus a
 * `*_skipped` reason, never an invented number.
 */
import type { BenchServer } from './server.ts';
import type { BenchOptions } from './options.ts';

/** Shared by all sections. */
export interface BenchContext {
  server: BenchServer;
  options: BenchOptions;
  log(message: string): void;
}

/** Progress lines on stderr (stdout stays free). */
export function logger(section: string): (message: string) => void {
  const t0 = Date.now();
  return (message) => {
    const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${section} ${s}s] ${message}\n`);
  };
}

/** The message of an unknown thrown value, first line only. */
export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
