/**
 * @file The words and colours shown for an object: a colour that depends only on the class name
 * (the same class has the same colour in every photo, frame and model version), the short
 * overlay label and the sentence for screen readers.
 */
import type { ObjectAnnotation } from './results.ts';

/** Percent with no decimals. */
export function pct(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** FNV-1a over the UTF-16 code units: a small, stable hash of a class name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The colour of a class: a hue picked by the class name's hash, at a lightness that reads on the
 * overlay's dark label background and on photos. 36 hues 10° apart keep neighbours apart.
 */
export function classColour(label: string): string {
  const h = hash(label);
  const hue = (h % 36) * 10;
  const lightness = 55 + ((h >>> 8) % 3) * 7;
  return `hsl(${hue} 85% ${lightness}%)`;
}

/** The short label drawn next to the box, e.g. "dog 43%". */
export function objectLabel(object: ObjectAnnotation): string {
  return `${object.label} ${pct(object.score)}`;
}

/** One sentence per object for the details list and screen readers. */
export function objectDescription(object: ObjectAnnotation, index: number): string {
  const { x, y, width, height } = object.box;
  const where = `at ${Math.round(x)}, ${Math.round(y)}, ${Math.round(width)}×${Math.round(height)} pixels`;
  return `Object ${index + 1}: ${object.label}, score ${object.score.toFixed(2)}, ${where}.`;
}
