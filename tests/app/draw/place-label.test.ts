/**
 * @file Label placement: above the face, below when there is no room, clamped to the image,
 * and never over a face when a free spot exists.
 */
import { describe, expect, it } from 'vitest';
import { overlaps, placeLabel, placeLabels } from '../../../src/app/draw/place-label.ts';

const image = { width: 640, height: 480 };
const label = { width: 120, height: 20 };

describe('placeLabel', () => {
  it('puts the label directly above the box, left-aligned', () => {
    const box = { x: 100, y: 100, width: 80, height: 90 };
    expect(placeLabel(box, label, image)).toEqual({ x: 100, y: 80, width: 120, height: 20, side: 'above' });
  });

  it('goes below when the box touches the top edge', () => {
    const box = { x: 100, y: 5, width: 80, height: 90 };
    const p = placeLabel(box, label, image, 2);
    expect(p.side).toBe('below');
    expect(p.y).toBe(5 + 90 + 2);
    expect(overlaps(p, box)).toBe(false);
  });

  it('clamps to the right and left image edges', () => {
    expect(placeLabel({ x: 600, y: 200, width: 40, height: 40 }, label, image).x).toBe(640 - 120);
    expect(placeLabel({ x: -30, y: 200, width: 60, height: 40 }, label, image).x).toBe(0);
  });

  it('falls back inside the box, within the image, when the face fills the height', () => {
    const box = { x: 50, y: -10, width: 300, height: 500 };
    const p = placeLabel(box, label, image);
    expect(p.side).toBe('inside');
    expect(p.y).toBe(0);
    expect(p.y + p.height).toBeLessThanOrEqual(image.height);
  });

  it('keeps a label wider than the image at x = 0', () => {
    expect(placeLabel({ x: 10, y: 100, width: 20, height: 20 }, { width: 900, height: 20 }, image).x).toBe(0);
  });
});

describe('placeLabels', () => {
  it('moves a label below its face when above would cover the face above it', () => {
    const upper = { x: 100, y: 40, width: 100, height: 100 };
    const lower = { x: 110, y: 145, width: 100, height: 100 };
    const [a, b] = placeLabels([upper, lower], [label, label], image);
    expect(a!.side).toBe('above');
    expect(b!.side).toBe('below');
    expect(overlaps(b!, upper)).toBe(false);
    expect(overlaps(b!, lower)).toBe(false);
  });

  it('never places two labels on top of each other when there is room', () => {
    const left = { x: 100, y: 200, width: 60, height: 60 };
    const right = { x: 170, y: 200, width: 60, height: 60 };
    const [a, b] = placeLabels([left, right], [label, label], image);
    expect(overlaps(a!, b!)).toBe(false);
    for (const p of [a!, b!]) {
      expect(overlaps(p, left)).toBe(false);
      expect(overlaps(p, right)).toBe(false);
    }
  });

  it('stacks labels of a crowd so none covers a face or another label', () => {
    const crowd = Array.from({ length: 5 }, (_, i) => ({ x: 150 + i * 65, y: 200, width: 60, height: 60 }));
    const spots = placeLabels(
      crowd,
      crowd.map(() => label),
      image,
    );
    spots.forEach((p, i) => {
      for (const face of crowd) expect(overlaps(p, face), `label ${i} over a face`).toBe(false);
      spots.forEach((q, j) => {
        if (i !== j) expect(overlaps(p, q), `labels ${i} and ${j}`).toBe(false);
      });
    });
  });

  it('keeps every label inside the image', () => {
    const boxes = [
      { x: 0, y: 0, width: 50, height: 50 },
      { x: 600, y: 440, width: 40, height: 40 },
    ];
    for (const p of placeLabels(boxes, [label, label], image)) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.x + p.width).toBeLessThanOrEqual(image.width);
      expect(p.y + p.height).toBeLessThanOrEqual(image.height);
    }
  });
});
