/**
 * @file Working with a list of features without knowing any of them: parse a feature list
 * (`?features=`, `--features`), the models a selection needs, and one analysis of an image by
 * every selected feature, with results under each feature's key and timings per stage. The
 * worker and `npm run annotate` both call {@link analyzeWithFeatures}, so they agree.
 */
import type { Feature, FeatureInput, FeatureModel, FeatureOutput, FeatureRunner, ProbeRecipe } from './feature.ts';
import type { RgbImage } from './image.ts';
import { ModelRuntimeError } from './errors.ts';

/** The feature selection used when nothing is chosen. */
export const DEFAULT_FEATURES: readonly string[] = ['faces'];

/** A feature list that names something this build does not have. */
export class UnknownFeatureError extends Error {
  override name = 'UnknownFeatureError';
}

/**
 * Parses a comma-separated feature list ("faces,objects"); order follows `features`, duplicates
 * collapse. Throws {@link UnknownFeatureError} naming the unknown entries and the known ones.
 */
export function parseFeatureList(list: string, features: readonly Feature[]): string[] {
  const wanted = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const known = new Set(features.map((f) => f.id));
  const unknown = wanted.filter((w) => !known.has(w));
  if (unknown.length > 0) {
    const quoted = unknown.map((u) => `"${u.slice(0, 32)}"`).join(', ');
    throw new UnknownFeatureError(
      `unknown feature${unknown.length > 1 ? 's' : ''} ${quoted}; choose from ${[...known].join(', ')}`,
    );
  }
  if (wanted.length === 0) throw new UnknownFeatureError(`no feature chosen; choose from ${[...known].join(', ')}`);
  return features.filter((f) => wanted.includes(f.id)).map((f) => f.id);
}

/** The features of `ids`, in display order. */
export function selectFeatures(features: readonly Feature[], ids: readonly string[]): Feature[] {
  return features.filter((f) => ids.includes(f.id));
}

/** Every model the selected features need, once each (first feature's role order). */
export function modelsOf(features: readonly Feature[]): FeatureModel[] {
  const byId = new Map<string, FeatureModel>();
  for (const f of features) {
    for (const m of Object.values(f.models)) {
      const prior = byId.get(m.id);
      if (prior && prior.task !== m.task)
        throw new Error(`model ${m.id} is used for ${prior.task} and for ${m.task}; a model serves one task`);
      byId.set(m.id, m);
    }
  }
  return [...byId.values()];
}

/** What one analysis of an image by several features returns. */
export interface FeatureAnalysis {
  /** One key per feature that ran (e.g. `faces`). */
  results: Record<string, unknown>;
  /** model id → version of every model that ran. */
  models: Record<string, string>;
  /** Stage → ms, prefixed by feature where the stage is the feature's (e.g. `faces.detect`). */
  timings: Record<string, number>;
}

/** What {@link analyzeWithFeatures} needs besides the features. */
export interface AnalysisInput {
  image: RgbImage;
  scaleToOriginal: number;
  /** Serving models by model id. */
  runners: Readonly<Record<string, FeatureRunner>>;
  now?: () => number;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Runs each feature on the image with its models (`run`: how a feature analyses, by default
 * {@link Feature.analyze}; a video stream passes its trackers). A model that produces bad outputs
 * (ModelOutputError, named by role) is reported as a {@link ModelRuntimeError} naming the model
 * id and version, so the model manager can roll back the right one.
 */
export async function analyzeWithFeatures(
  features: readonly Feature[],
  input: AnalysisInput,
  run: (feature: Feature, input: FeatureInput) => Promise<FeatureOutput<unknown>> = (f, i) => f.analyze(i),
): Promise<FeatureAnalysis> {
  const now = input.now ?? defaultNow;
  const out: FeatureAnalysis = { results: {}, models: {}, timings: {} };
  for (const feature of features) {
    const models: Record<string, FeatureRunner> = {};
    for (const [role, m] of Object.entries(feature.models)) {
      const runner = input.runners[m.id];
      if (!runner) throw new Error(`${feature.label} needs model ${m.id}, which is not loaded`);
      models[role] = runner;
      out.models[m.id] = runner.version;
    }
    let analysed;
    try {
      analysed = await run(feature, { image: input.image, scaleToOriginal: input.scaleToOriginal, models, now });
    } catch (err) {
      const role = (err as { model?: unknown }).model;
      const runner = typeof role === 'string' ? models[role] : undefined;
      if ((err as Error).name === 'ModelOutputError' && runner)
        throw new ModelRuntimeError(runner.id, runner.version, (err as Error).message);
      throw err;
    }
    out.results[feature.id] = analysed.result;
    if (analysed.models) Object.assign(out.models, analysed.models);
    for (const [stage, ms] of Object.entries(analysed.timings)) out.timings[`${feature.id}.${stage}`] = ms;
  }
  return out;
}

/** The probe recipe of `task` among the features' tasks, or undefined when no feature serves it. */
export function probeRecipeFor(features: readonly Feature[], task: string): ProbeRecipe | undefined {
  for (const f of features) if (Object.hasOwn(f.probes, task)) return f.probes[task];
  return undefined;
}

/** The features among `features` that use model `id` (a shadow comparison runs exactly these). */
export function featuresUsing(features: readonly Feature[], id: string): Feature[] {
  return features.filter((f) => Object.values(f.models).some((m) => m.id === id));
}

/** The feature whose models include a model of `task`, or undefined. */
export function featureForTask(features: readonly Feature[], task: string): Feature | undefined {
  return features.find((f) => f.tasks.some((t) => t.id === task));
}

/**
 * "3 faces, 1 object" for the countable features of a result (empty string when none count);
 * `adjective` goes before each noun ("3 annotated faces").
 */
export function describeCounts(
  features: readonly Feature[],
  results: Readonly<Record<string, unknown>>,
  adjective = '',
): string {
  const parts: string[] = [];
  const adj = adjective ? `${adjective} ` : '';
  for (const f of features) {
    if (!f.noun || !f.count || results[f.id] === undefined) continue;
    const n = f.count(results[f.id]);
    parts.push(`${n} ${adj}${n === 1 ? f.noun[0] : f.noun[1]}`);
  }
  return parts.join(', ');
}
