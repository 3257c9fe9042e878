/**
 * @file The human-readable output of `npm run annotate`: one block per file, one line per
 * face, best first; low-quality faces say so instead of showing estimates.
 */
import type { AnnotateOutput, FaceAnnotation } from '../../src/shared/face-results.ts';

const QUALITY_TEXT = {
  'too-small': 'face — too small to estimate',
  blurred: 'face — too blurred to estimate',
} as const;

function faceLine(face: FaceAnnotation, index: number): string {
  const { x, y, width, height } = face.box;
  const where = `#${index + 1}  box ${x.toFixed(0)},${y.toFixed(0)} ${width.toFixed(0)}×${height.toFixed(0)}  score ${face.score.toFixed(2)}`;
  if (face.quality) return `${where}  ${QUALITY_TEXT[face.quality]}`;
  if (face.age === null || face.gender === null || face.expression === null) return `${where}  no estimate`;
  const gender = `${face.gender} ${(face.genderProbability! * 100).toFixed(0)}%`;
  const expression = `${face.expression.label} ${(face.expression.probability * 100).toFixed(0)}%`;
  return `${where}  age ${face.age.toFixed(1)}  ${gender}  ${expression}`;
}

/** Formats results (with per-file milliseconds) as text. */
export function formatTable(results: readonly AnnotateOutput[], millis: readonly number[]): string {
  const blocks = results.map((r, i) => {
    const ms = millis[i] === undefined ? '' : `  (${millis[i]!.toFixed(0)} ms)`;
    if ('error' in r) return `${r.file}: error: ${r.error}`;
    const models = Object.entries(r.models)
      .map(([id, v]) => `${id} ${v}`)
      .join(', ');
    const head = `${r.file}  ${r.width}×${r.height}  ${r.faces.length} face${r.faces.length === 1 ? '' : 's'}${ms}  [${models}]`;
    return [head, ...r.faces.map((f, k) => `  ${faceLine(f, k)}`)].join('\n');
  });
  return blocks.join('\n\n');
}
