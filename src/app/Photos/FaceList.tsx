/**
 * @file Per-face details of one photo: age, gender and expression with probabilities, and the
 * detection score; the swatch matches the box colour on the image.
 */
import type { FaceAnnotation } from '../../shared/face-results.ts';
import { faceColour } from '../draw/draw-annotations.ts';
import { isEstimated, LOW_QUALITY_LABEL, pct } from '../draw/face-label.ts';

/** The list of faces found in a photo. */
export function FaceList({ faces }: { faces: readonly FaceAnnotation[] }) {
  if (faces.length === 0) return <p className="faces__none">No faces found.</p>;
  return (
    <ol className="faces">
      {faces.map((face, i) => (
        <li key={i} className="faces__item" data-testid="face">
          <span className="faces__swatch" style={{ background: faceColour(face, i) }} aria-hidden="true" />
          <span className="faces__index">Face {i + 1}</span>
          {isEstimated(face) ? (
            <span className="faces__facts">
              <span>
                age <strong>{face.age!.toFixed(1)}</strong>
              </span>
              <span>
                <strong>{face.gender}</strong> {pct(face.genderProbability ?? 0)}
              </span>
              {face.expression && (
                <span>
                  <strong>{face.expression.label}</strong> {pct(face.expression.probability)}
                </span>
              )}
              <span className="faces__score">score {face.score.toFixed(2)}</span>
            </span>
          ) : (
            <span className="faces__facts faces__facts--low">
              <span>{LOW_QUALITY_LABEL}</span>
              <span className="faces__score">score {face.score.toFixed(2)}</span>
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
