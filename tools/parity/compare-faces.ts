/**
 * @file How two face lists are compared: faces paired by overlap, errors measured per field
 * (boxes relative to the image size), the tolerances hotlens promises, and a max-error table
 * for the parity report.
 */
import type { PixelBox } from '../../src/shared/geometry.ts';
import type { ReferenceFace } from './faceapi-reference.ts';

/** Maximum absolute differences allowed against face-api. */
export const PARITY_TOLERANCE = {
  /** Box coordinates and sizes, as a fraction of the image width/height. */
  box: 1e-3,
  score: 1e-4,
  /** Years. */
  age: 0.01,
  /** P(male). */
  gender: 1e-4,
  /** Each of the seven expression probabilities. */
  expression: 1e-4,
} as const;

/** Per-field maximum absolute error over a set of paired faces. */
export interface FaceErrors {
  box: number;
  score: number;
  age: number;
  gender: number;
  expression: number;
}

/** No error yet (the identity for {@link maxErrors}). */
export const NO_ERROR: FaceErrors = { box: 0, score: 0, age: 0, gender: 0, expression: 0 };

/** Intersection over union of two pixel boxes. */
export function iou(a: PixelBox, b: PixelBox): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Pairs each reference face (best first) with the unpaired face of `ours` it overlaps most. */
export function pairFaces(reference: ReferenceFace[], ours: ReferenceFace[]): [ReferenceFace, ReferenceFace][] {
  const free = new Set(ours.keys());
  const pairs: [ReferenceFace, ReferenceFace][] = [];
  for (const r of reference) {
    let best = -1;
    let bestIou = 0;
    for (const i of free) {
      const v = iou(r.box, ours[i]!.box);
      if (v > bestIou) {
        bestIou = v;
        best = i;
      }
    }
    if (best < 0) continue;
    free.delete(best);
    pairs.push([r, ours[best]!]);
  }
  return pairs;
}

/** Field-wise maximum of two error records. */
export function maxErrors(a: FaceErrors, b: FaceErrors): FaceErrors {
  return {
    box: Math.max(a.box, b.box),
    score: Math.max(a.score, b.score),
    age: Math.max(a.age, b.age),
    gender: Math.max(a.gender, b.gender),
    expression: Math.max(a.expression, b.expression),
  };
}

/** Errors of one pair; NaN anywhere becomes Infinity so it can never pass a tolerance. */
export function faceErrors(
  ref: ReferenceFace,
  ours: ReferenceFace,
  image: { width: number; height: number },
): FaceErrors {
  const d = (a: number, b: number) => {
    const v = Math.abs(a - b);
    return Number.isNaN(v) ? Infinity : v;
  };
  return {
    box: Math.max(
      d(ref.box.x, ours.box.x) / image.width,
      d(ref.box.width, ours.box.width) / image.width,
      d(ref.box.y, ours.box.y) / image.height,
      d(ref.box.height, ours.box.height) / image.height,
    ),
    score: d(ref.score, ours.score),
    age: d(ref.age, ours.age),
    gender: d(ref.probMale, ours.probMale),
    expression: Math.max(...ref.expressions.map((p, k) => d(p, ours.expressions[k] ?? NaN))),
  };
}

/** Max errors per (model, encoding) row, printed as an aligned text table. */
export class ErrorTable {
  private readonly rows = new Map<
    string,
    { model: string; encoding: string; faces: number; errors: Partial<FaceErrors> }
  >();

  /** Folds the errors of `faces` compared faces into the row, keeping only the given fields. */
  record(model: string, encoding: string, faces: number, errors: Partial<FaceErrors>): void {
    const key = `${model}\u0000${encoding}`;
    const row = this.rows.get(key) ?? { model, encoding, faces: 0, errors: {} };
    row.faces += faces;
    for (const [k, v] of Object.entries(errors) as [keyof FaceErrors, number][])
      row.errors[k] = Math.max(row.errors[k] ?? 0, v);
    this.rows.set(key, row);
  }

  /** The table as text; '-' marks fields a model does not produce. */
  format(): string {
    const fields: (keyof FaceErrors)[] = ['box', 'score', 'age', 'gender', 'expression'];
    const header = ['model', 'encoding', 'faces', ...fields.map((f) => `${f} (tol ${PARITY_TOLERANCE[f]})`)];
    const body = [...this.rows.values()].map((r) => [
      r.model,
      r.encoding,
      String(r.faces),
      ...fields.map((f) => (r.errors[f] === undefined ? '-' : r.errors[f].toExponential(2))),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    return [header, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
  }
}
