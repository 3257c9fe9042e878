/**
 * @file The candidate's side of a shadow run: the features that use the compared model, run on
 * the pixels the serving version just analysed, with the staged candidate's session in its place
 * (every other model is the serving one). Run times of the compared model are summed per version
 * by wrapping its runners. A failure of the candidate is reported in the result, never thrown: it
 * must not count as a failed frame of the serving version (nor roll it back).
 */
import { analyzeWithFeatures } from '../../shared/feature-set.ts';
export { featuresUsing } from '../../shared/feature-set.ts';
import type { Feature, FeatureRunner } from '../../shared/feature.ts';
import type { RgbImage } from '../../shared/image.ts';
import type { ShadowRun } from '../../shared/worker-api.ts';

/** A runner that adds up the time its runs take (`ms`). */
export interface TimedRunner extends FeatureRunner {
  readonly ms: number;
}

/** Wraps `runner` so the time of its runs adds up in `ms`. */
export function timed(runner: FeatureRunner): TimedRunner {
  let ms = 0;
  return {
    ...runner,
    get ms() {
      return ms;
    },
    run: async (feeds) => {
      const t0 = performance.now();
      try {
        return await runner.run(feeds);
      } finally {
        ms += performance.now() - t0;
      }
    },
  };
}

/** What one candidate run needs. */
export interface CandidateRunInput {
  /** The features to run (those using the compared model). */
  features: readonly Feature[];
  image: RgbImage;
  scaleToOriginal: number;
  /** Serving runners by model id. */
  serving: Readonly<Record<string, FeatureRunner>>;
  candidate: FeatureRunner;
  /** Time the serving session of the compared model took on this image (ms). */
  servingMs: number;
}

/** Runs the features with the candidate in place of its model; never throws. */
export async function runCandidate(input: CandidateRunInput): Promise<ShadowRun> {
  const { candidate } = input;
  const base = { id: candidate.id, version: candidate.version };
  if (input.features.length === 0) {
    return {
      ...base,
      results: {},
      modelMs: { serving: input.servingMs, candidate: 0 },
      totalMs: 0,
      error: `no feature in use runs ${candidate.id}`,
    };
  }
  const t0 = performance.now();
  const runner = timed(candidate);
  try {
    const out = await analyzeWithFeatures(input.features, {
      image: input.image,
      scaleToOriginal: input.scaleToOriginal,
      runners: { ...input.serving, [candidate.id]: runner },
    });
    return {
      ...base,
      results: out.results,
      modelMs: { serving: input.servingMs, candidate: runner.ms },
      totalMs: performance.now() - t0,
    };
  } catch (err) {
    return {
      ...base,
      results: {},
      modelMs: { serving: input.servingMs, candidate: runner.ms },
      totalMs: performance.now() - t0,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}
