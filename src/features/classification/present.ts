/**
 * @file How a classification result is shown: nothing over the image (it describes the whole
 * picture), the top 3 classes with probability bars in the photo card, and a one-line caption
 * for the webcam HUD and screen readers.
 */
import type { DetailSection, OverlayBox } from '../../shared/feature.ts';
import type { ClassAnnotation } from './results.ts';

/** Classes shown in the photo card and the caption. */
export const SHOWN_CLASSES = 3;

function pct(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** A whole-image result draws no boxes. */
export function classOverlay(): OverlayBox[] {
  return [];
}

/** The top 3 classes, each with its probability as a number and a bar. */
export function classDetails(classes: readonly ClassAnnotation[]): DetailSection {
  return {
    title: 'Classification',
    empty: 'No classes.',
    items: classes.slice(0, SHOWN_CLASSES).map((c, i) => ({
      title: `${i + 1}.`,
      facts: [
        { value: c.label, strong: i === 0 },
        { value: pct(c.probability), bar: c.probability },
      ],
      description: `Class ${i + 1}: ${c.label}, probability ${pct(c.probability)}.`,
      testId: 'class',
    })),
  };
}

/** "drawing 77% · neutral 23% · hentai 1%". */
export function classSummary(classes: readonly ClassAnnotation[]): string {
  if (classes.length === 0) return 'no classes';
  return classes
    .slice(0, SHOWN_CLASSES)
    .map((c) => `${c.label} ${pct(c.probability)}`)
    .join(' · ');
}
