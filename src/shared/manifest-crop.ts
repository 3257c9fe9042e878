/**
 * @file Validation of the `preprocess.crop` block (manifest-types.ts {@link BoxCrop}): how a
 * model fed crops of a detector's boxes wants them cut. Kept apart from manifest-validate.ts so
 * each crop method's rules read in one place; a new method is one more case here.
 */
import type { BoxCrop } from './manifest-types.ts';

/** A field of the crop block that breaks the schema: `field` is relative to the block (e.g. `.side`). */
export class CropError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(problem);
  }
}

const FIELDS: Record<BoxCrop['method'], readonly string[]> = {
  'pad-square': ['method'],
  'crop-and-resize': ['method', 'enlarge', 'square', 'round', 'side', 'fill', 'unit'],
};

function num(o: Record<string, unknown>, key: string, check: (v: number) => boolean, what: string): number {
  const v = o[key];
  if (v === undefined) throw new CropError(`.${key}`, 'is missing');
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new CropError(`.${key}`, `must be ${what}`);
  return v;
}

function word<T extends string>(o: Record<string, unknown>, key: string, value: T): T {
  if (o[key] !== value) throw new CropError(`.${key}`, `must be "${value}"`);
  return value;
}

/** Parses a `crop` block; throws {@link CropError} naming the bad field. */
export function parseBoxCrop(v: unknown): BoxCrop {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CropError('', 'must be an object');
  const o = v as Record<string, unknown>;
  const method = o.method;
  if (method !== 'pad-square' && method !== 'crop-and-resize')
    throw new CropError('.method', 'must be one of "pad-square", "crop-and-resize"');
  for (const k of Object.keys(o)) {
    if (!FIELDS[method].includes(k))
      throw new CropError(`.${k}`, `is not a field of a "${method}" crop (allowed: ${FIELDS[method].join(', ')})`);
  }
  if (method === 'pad-square') return { method };
  return {
    method,
    enlarge: num(o, 'enlarge', (x) => x > 0 && x <= 10, 'a number in (0, 10]'),
    square: word(o, 'square', 'longer-side'),
    round: word(o, 'round', 'nearest'),
    side: num(o, 'side', (x) => Number.isInteger(x) && x >= 2 && x <= 4096, 'an integer from 2 to 4096'),
    fill: num(o, 'fill', (x) => x >= 0 && x <= 255, 'a number from 0 to 255'),
    unit: num(o, 'unit', (x) => x > 0, 'a positive number'),
  };
}
