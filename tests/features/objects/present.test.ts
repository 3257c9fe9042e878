/**
 * @file How objects are shown: one colour per class name (the same in every photo, frame and
 * model version; the COCO classes that meet most often get different colours), "class score"
 * labels that may overlap other boxes but are placed apart from each other by the overlay, a
 * detail row per object and a summary that groups classes.
 */
import { describe, expect, it } from 'vitest';
import { classColour, objectDescription, objectLabel } from '../../../src/features/objects/labels.ts';
import { objectDetails, objectOverlay, objectSummary } from '../../../src/features/objects/present.ts';
import type { ObjectAnnotation } from '../../../src/features/objects/results.ts';
import { placeLabels } from '../../../src/app/draw/place-label.ts';
import { objects as objectsFeature } from '../../../src/features/objects/index.ts';
import { FEATURES } from '../../../src/features/index.ts';
import { describeCounts } from '../../../src/shared/feature-set.ts';

const found: ObjectAnnotation[] = [
  { box: { x: 10, y: 20, width: 100, height: 200 }, score: 0.6712, label: 'person' },
  { box: { x: 50, y: 120, width: 80, height: 60 }, score: 0.4213, label: 'dog' },
  { box: { x: 60, y: 25, width: 90, height: 190 }, score: 0.25, label: 'person' },
];

describe('object colours and labels', () => {
  it('gives a class the same colour everywhere and different colours to classes that meet often', () => {
    expect(classColour('person')).toBe(classColour('person'));
    expect(classColour('dog')).toMatch(/^hsl\(\d+ 85% \d+%\)$/);
    const common = ['person', 'bicycle', 'car', 'dog', 'horse', 'cup', 'bottle', 'chair', 'dining table', 'tie'];
    expect(new Set(common.map(classColour)).size).toBe(common.length);
  });

  it('labels briefly and describes fully', () => {
    expect(objectLabel(found[0]!)).toBe('person 67%');
    expect(objectDescription(found[1]!, 1)).toBe('Object 2: dog, score 0.42, at 50, 120, 80×60 pixels.');
  });
});

describe('objects overlay, details and summary', () => {
  it('draws every object in its class colour; labels never collide with each other', () => {
    const overlay = objectOverlay(found);
    expect(overlay.map((o) => [o.label, o.colour, o.keepClear])).toEqual([
      ['person 67%', classColour('person'), false],
      ['dog 42%', classColour('dog'), false],
      ['person 25%', classColour('person'), false],
    ]);
    // The generic overlay places labels apart (the two person boxes start on the same row).
    const spots = placeLabels(
      overlay.map((o) => o.box),
      overlay.map(() => ({ width: 70, height: 16 })),
      { width: 400, height: 300 },
      0,
      overlay.map((o) => o.keepClear ?? true),
    );
    for (let i = 0; i < spots.length; i++)
      for (let j = i + 1; j < spots.length; j++) {
        const a = spots[i]!;
        const b = spots[j]!;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `labels ${i} and ${j}`).toBe(true);
      }
  });

  it('lists a row per object with swatch, class and score', () => {
    const section = objectDetails(found);
    expect(section.title).toBe('Objects');
    expect(section.items.map((i) => [i.title, i.swatch, i.facts.map((f) => f.value), i.testId])).toEqual([
      ['Object 1', classColour('person'), ['person', '67%'], 'object'],
      ['Object 2', classColour('dog'), ['dog', '42%'], 'object'],
      ['Object 3', classColour('person'), ['person', '25%'], 'object'],
    ]);
    expect(section.items[0]!.box).toEqual(found[0]!.box);
    expect(objectDetails([]).items).toEqual([]);
  });

  it('summarises by class, best first, and counts objects beside faces', () => {
    expect(objectSummary(found)).toBe('3 objects: 2 person, dog');
    expect(objectSummary(found.slice(1, 2))).toBe('1 object: dog');
    expect(objectSummary([])).toBe('no objects');
    expect(describeCounts(FEATURES, { faces: [], objects: found })).toBe('0 faces, 3 objects');
    expect(objectsFeature.count!(found)).toBe(3);
  });
});
