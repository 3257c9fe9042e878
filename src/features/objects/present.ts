/**
 * @file How an objects result is shown: a box per object in its class's colour with "class
 * score" labels (labels are placed so they do not collide with each other or cover faces), one
 * detail row per object, and a one-line summary for the HUD.
 */
import type { DetailSection, OverlayBox } from '../../shared/feature.ts';
import type { ObjectAnnotation } from './results.ts';
import { classColour, objectDescription, objectLabel, pct } from './labels.ts';

/** Boxes in class colours with short labels; labels may overlap other objects' boxes, never labels. */
export function objectOverlay(objects: readonly ObjectAnnotation[]): OverlayBox[] {
  return objects.map((object) => ({
    box: object.box,
    colour: classColour(object.label),
    label: objectLabel(object),
    keepClear: false,
  }));
}

/** One row per object: class name and score. */
export function objectDetails(objects: readonly ObjectAnnotation[]): DetailSection {
  return {
    title: 'Objects',
    empty: 'No objects found.',
    items: objects.map((object, i) => ({
      title: `Object ${i + 1}`,
      swatch: classColour(object.label),
      facts: [
        { value: object.label, strong: true },
        { label: 'score', value: pct(object.score), muted: true },
      ],
      description: objectDescription(object, i),
      testId: 'object',
      box: object.box,
    })),
  };
}

/** "4 objects: 2 person, dog, bicycle" (classes by first appearance, i.e. best score first). */
export function objectSummary(objects: readonly ObjectAnnotation[]): string {
  if (objects.length === 0) return 'no objects';
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.label, (counts.get(o.label) ?? 0) + 1);
  const parts = [...counts].map(([label, n]) => (n > 1 ? `${n} ${label}` : label));
  return `${objects.length} object${objects.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
