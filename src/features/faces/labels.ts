/**
 * @file The words and colours shown for a face: the overlay label (short), the detail row and
 * the sentence for screen readers. Low-quality faces say so instead of showing a confident wrong
 * estimate.
 */
import type { FaceAnnotation } from './results.ts';

/** What a face too small or blurred to estimate is labelled. */
export const LOW_QUALITY_LABEL = 'face — too small/blurred to estimate';

const PALETTE = ['#38bdf8', '#f472b6', '#a3e635', '#fbbf24', '#c084fc', '#34d399', '#fb7185', '#60a5fa'];
const LOW_QUALITY = '#94a3b8';

/** Percent with no decimals. */
export function pct(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** True when the face has estimates (not flagged as too small/blurred). */
export function isEstimated(face: FaceAnnotation): boolean {
  return !face.quality && face.age !== null && face.gender !== null;
}

/** Box colour for the i-th face (grey for faces without estimates). */
export function faceColour(face: FaceAnnotation, i: number): string {
  return isEstimated(face) ? PALETTE[i % PALETTE.length]! : LOW_QUALITY;
}

/** The short label drawn next to the box, e.g. "1 · female 31 · happy". */
export function faceLabel(face: FaceAnnotation, index: number): string {
  if (!isEstimated(face)) return `${index + 1} · ${LOW_QUALITY_LABEL}`;
  const expression = face.expression ? ` · ${face.expression.label}` : '';
  return `${index + 1} · ${face.gender} ${Math.round(face.age!)}${expression}`;
}

/** One sentence per face for the details list and screen readers. */
export function faceDescription(face: FaceAnnotation, index: number): string {
  const score = `detection score ${face.score.toFixed(2)}`;
  if (!isEstimated(face)) {
    const why = face.quality === 'blurred' ? 'too blurred' : 'too small';
    return `Face ${index + 1}: ${why} to estimate age, gender or expression (${score}).`;
  }
  const gender = `${face.gender} (${pct(face.genderProbability ?? 0)})`;
  const expr = face.expression ? `, ${face.expression.label} (${pct(face.expression.probability)})` : '';
  return `Face ${index + 1}: age ${face.age!.toFixed(1)}, ${gender}${expr}, ${score}.`;
}
