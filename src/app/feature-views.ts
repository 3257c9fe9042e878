/**
 * @file A result as the UI shows it, across features: the overlay boxes, the detail sections of
 * a photo card, the one-line summaries, and the JSON a result downloads as. Each part comes from
 * the feature that produced it (`src/features/index.ts` lists them); nothing here knows a feature.
 */
import { FEATURES } from '../features/index.ts';
import type { DetailSection, Feature, OverlayBox } from '../shared/feature.ts';
import { describeCounts } from '../shared/feature-set.ts';
import type { FeatureResults, ImageAnnotation } from '../shared/results.ts';

type Results = Partial<FeatureResults>;

/** The features that have a result in `results`, in display order, with it. */
function present(results: Results): Array<{ feature: Feature; result: unknown }> {
  const r = results as Record<string, unknown>;
  return FEATURES.filter((f) => r[f.id] !== undefined).map((feature) => ({ feature, result: r[feature.id] }));
}

/** Every box to draw for a result (features in display order). */
export function overlayFor(results: Results): OverlayBox[] {
  return present(results).flatMap(({ feature, result }) => feature.overlay(result));
}

/** A shadow candidate's boxes: dashed, in one colour, labelled as the candidate's. */
export function candidateOverlayFor(results: Results): OverlayBox[] {
  return overlayFor(results).map((b) => ({
    ...b,
    dashed: true,
    colour: '#f59e0b',
    label: `candidate${b.label ? `: ${b.label}` : ''}`,
    keepClear: false,
  }));
}

/** The detail sections of a photo card. */
export function detailsFor(results: Results): DetailSection[] {
  return present(results).map(({ feature, result }) => feature.details(result));
}

/** One line per feature (HUD caption), by feature id. */
export function summariesFor(results: Results): Record<string, string> {
  return Object.fromEntries(present(results).map(({ feature, result }) => [feature.id, feature.summary(result)]));
}

/** "2 faces, 1 object" for the things a result found (empty when no feature counts things). */
export function countsFor(results: Results, adjective = ''): string {
  return describeCounts(FEATURES, results as Record<string, unknown>, adjective);
}

/** The JSON a result downloads as: exactly its `npm run annotate --json` entry (no UI state). */
export function annotationJson(annotation: ImageAnnotation): string {
  const { file, width, height, models } = annotation;
  const features = Object.fromEntries(present(annotation).map(({ feature, result }) => [feature.id, result]));
  return `${JSON.stringify({ file, width, height, models, ...features }, null, 2)}\n`;
}
