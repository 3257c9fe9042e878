/**
 * @file Command-line options of `npm run bench`: which sections run and how many repetitions.
 * Defaults keep a full run under 10 minutes on a 2-core machine; `--quick` is for checking
 * the harness itself, not for figures.
 */
import { parseArgs } from 'node:util';

/** The sections, in the order they run. */
export const SECTIONS = [
  'models',
  'pipeline',
  'features',
  'faces_gen2',
  'cold_start',
  'bytes',
  'swap',
  'memory',
  'webcam',
] as const;
export type SectionId = (typeof SECTIONS)[number];

/** Parsed options. */
export interface BenchOptions {
  only: Set<SectionId>;
  /** Timed runs per model case (models section). */
  modelRuns: number;
  /** Interleaved rounds over the six photos (pipeline and faces_gen2 sections; features: at most 3). */
  rounds: number;
  /** Rounds for face-api on webgl (SwiftShader is slow; capped separately). */
  webglRounds: number;
  swaps: number;
  memorySwaps: number;
  /** Seconds of steady state per live webcam run (webcam section). */
  webcamSeconds: number;
  /** Keep the other sections of an existing results.json (default for --only runs). */
  merge: boolean;
  /** Harness check: fewest repetitions everywhere (figures not for quoting). */
  quick: boolean;
  /**
   * Diagnosis only: V8 flags for every browser the run starts (e.g. `--no-wasm-dynamic-tiering`),
   * to test what a cost is made of. Such a run writes bench/results.diagnostic.json, never the report.
   */
  jsFlags: string | null;
}

const USAGE = `usage: npm run bench [-- --only ${SECTIONS.join(',')}] [--quick] [--rounds N] [--webgl-rounds N] [--model-runs N] [--swaps N] [--memory-swaps N] [--webcam-seconds N] [--no-merge] [--js-flags=FLAGS]`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}" (${USAGE})`);
  return n;
}

/** Parses argv (without node and script). Throws with the usage line on bad input. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      'webgl-rounds': { type: 'string' },
      'model-runs': { type: 'string' },
      swaps: { type: 'string' },
      'memory-swaps': { type: 'string' },
      'webcam-seconds': { type: 'string' },
      'no-merge': { type: 'boolean' },
      'js-flags': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const aliases: Record<string, SectionId> = {
    'cold-start': 'cold_start',
    coldstart: 'cold_start',
    cold: 'cold_start',
    'faces-gen2': 'faces_gen2',
  };
  const only = new Set<SectionId>();
  for (const raw of (values.only ?? SECTIONS.join(',')).split(',')) {
    const name = raw.trim();
    if (!name) continue;
    const id = (SECTIONS as readonly string[]).includes(name) ? (name as SectionId) : aliases[name];
    if (!id) throw new Error(`unknown section "${name}" in --only; choose from ${SECTIONS.join(', ')}`);
    only.add(id);
  }
  if (only.size === 0) throw new Error(`--only names no section (${USAGE})`);
  const quick = values.quick === true;
  return {
    only,
    modelRuns: positive('model-runs', values['model-runs'], quick ? 3 : 15),
    rounds: positive('rounds', values.rounds, quick ? 1 : 4),
    webglRounds: positive('webgl-rounds', values['webgl-rounds'], 1),
    swaps: positive('swaps', values.swaps, quick ? 2 : 10),
    memorySwaps: positive('memory-swaps', values['memory-swaps'], quick ? 3 : 50),
    webcamSeconds: positive('webcam-seconds', values['webcam-seconds'], 30),
    merge: values.only !== undefined && values['no-merge'] !== true,
    quick,
    jsFlags: values['js-flags']?.trim() || null,
  };
}

/** The usage line. */
export const usage = USAGE;
