/**
 * @file How a faces result is shown: boxes and labels over the image (labels never cover a
 * face), one detail row per face for the photo card, and a one-line summary for the HUD.
 */
import type { DetailSection, OverlayBox } from '../../shared/feature.ts';
import type { FaceAnnotation } from './results.ts';
import { faceColour, faceDescription, faceLabel, isEstimated, LOW_QUALITY_LABEL, pct } from './labels.ts';

/** Boxes (dashed for faces without estimates) and short labels that keep every face clear. */
export function faceOverlay(faces: readonly FaceAnnotation[]): OverlayBox[] {
  return faces.map((face, i) => ({
    box: face.box,
    colour: faceColour(face, i),
    dashed: !isEstimated(face),
    label: faceLabel(face, i),
    keepClear: true,
  }));
}

/** One row per face: age, gender, expression with probabilities, and the detection score. */
export function faceDetails(faces: readonly FaceAnnotation[]): DetailSection {
  return {
    title: 'Faces',
    empty: 'No faces found.',
    items: faces.map((face, i) => {
      const score = { value: `score ${face.score.toFixed(2)}`, muted: true };
      const base = {
        title: `Face ${i + 1}`,
        swatch: faceColour(face, i),
        description: faceDescription(face, i),
        testId: 'face',
        box: face.box,
      };
      if (!isEstimated(face)) return { ...base, muted: true, facts: [{ value: LOW_QUALITY_LABEL }, score] };
      const facts = [
        { label: 'age', value: face.age!.toFixed(1), strong: true },
        { label: face.gender!, value: pct(face.genderProbability ?? 0), strong: true },
      ];
      if (face.expression)
        facts.push({ label: face.expression.label, value: pct(face.expression.probability), strong: true });
      return { ...base, facts: [...facts, score] };
    }),
  };
}

/** "2 faces: female 31 happy, male 45 neutral". */
export function faceSummary(faces: readonly FaceAnnotation[]): string {
  if (faces.length === 0) return 'no faces';
  const parts = faces.map((f) =>
    isEstimated(f)
      ? `${f.gender} ${Math.round(f.age!)}${f.expression ? ` ${f.expression.label}` : ''}`
      : 'face (unclear)',
  );
  return `${faces.length} face${faces.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
