/**
 * @file The manifest's pre-processing extensions for the second face generation: `fit`
 * (letterbox | stretch) for detectors and `crop` (pad-square | crop-and-resize) for crop
 * models, validated field by field; absent fields keep the first generation's meaning and a
 * first-generation manifest parses to exactly itself (no defaults are written into it).
 */
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../src/features/index.ts';
import { ManifestError, parseManifest } from '../../src/shared/manifest-validate.ts';
import { humanFaceCrop } from '../../tools/convert/tfjs-graph/models/human-face-crop.ts';
import { validManifest } from '../helpers/manifest-fixture.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const attr1 = (m: Json): Json => m.models['face-attributes'].versions['1.0.0'];
const det1 = (m: Json): Json => m.models['face-detector'].versions['1.0.0'];

function refusal(edit: (m: Json) => void): string {
  const m = validManifest() as unknown as Json;
  edit(m);
  try {
    parseManifest(m, TASKS);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as Error).message;
  }
  throw new Error('manifest was accepted');
}

describe('preprocess.fit and preprocess.crop', () => {
  it('leaves a first-generation manifest exactly as it is', () => {
    const m = validManifest();
    const parsed = parseManifest(m, TASKS);
    expect(parsed).toEqual(m);
    expect('fit' in parsed.models['face-detector']!.versions['1.0.0']!.preprocess).toBe(false);
    expect('crop' in parsed.models['face-attributes']!.versions['1.0.0']!.preprocess).toBe(false);
  });

  it('accepts a stretched detector and Human’s crop, and keeps them', () => {
    const m = validManifest() as unknown as Json;
    det1(m).preprocess.fit = 'stretch';
    attr1(m).preprocess.crop = humanFaceCrop();
    m.models['face-expression'].versions['1.0.0'].preprocess.crop = { method: 'pad-square' };
    const parsed = parseManifest(m, TASKS);
    expect(parsed.models['face-detector']!.versions['1.0.0']!.preprocess.fit).toBe('stretch');
    expect(parsed.models['face-attributes']!.versions['1.0.0']!.preprocess.crop).toEqual(humanFaceCrop());
    expect(parsed.models['face-expression']!.versions['1.0.0']!.preprocess.crop).toEqual({ method: 'pad-square' });
  });

  it.each<[string, (m: Json) => void, RegExp]>([
    [
      'an unknown fit',
      (m) => (det1(m).preprocess.fit = 'crop'),
      /preprocess\.fit must be one of "letterbox", "stretch"/,
    ],
    ['a crop that is not an object', (m) => (attr1(m).preprocess.crop = 'human'), /preprocess\.crop must be an object/],
    [
      'an unknown crop method',
      (m) => (attr1(m).preprocess.crop = { method: 'rotate' }),
      /preprocess\.crop\.method must be one of/,
    ],
    [
      'a field of another method',
      (m) => (attr1(m).preprocess.crop = { method: 'pad-square', enlarge: 1.4 }),
      /preprocess\.crop\.enlarge is not a field of a "pad-square" crop/,
    ],
    [
      'a missing side',
      (m) => (attr1(m).preprocess.crop = { ...humanFaceCrop(), side: undefined }),
      /preprocess\.crop\.side is missing/,
    ],
    [
      'a fractional side',
      (m) => (attr1(m).preprocess.crop = { ...humanFaceCrop(), side: 255.5 }),
      /crop\.side must be an integer/,
    ],
    [
      'a zero enlargement',
      (m) => (attr1(m).preprocess.crop = { ...humanFaceCrop(), enlarge: 0 }),
      /crop\.enlarge must be a number in/,
    ],
    [
      'a fill beyond 8 bits',
      (m) => (attr1(m).preprocess.crop = { ...humanFaceCrop(), fill: 300 }),
      /crop\.fill must be a number from 0 to 255/,
    ],
    [
      'an unknown squaring',
      (m) => (attr1(m).preprocess.crop = { ...humanFaceCrop(), square: 'shorter-side' }),
      /crop\.square must be "longer-side"/,
    ],
    [
      'a zero unit',
      (m) => (attr1(m).preprocess.crop = { ...humanFaceCrop(), unit: 0 }),
      /crop\.unit must be a positive number/,
    ],
  ])('refuses %s, naming the field', (_, edit, message) => {
    expect(refusal(edit)).toMatch(message);
  });

  it('holds crop models of any fixed side: the input and preprocess.size must agree', () => {
    const m = validManifest() as unknown as Json;
    attr1(m).inputs = [{ name: 'faces', type: 'float32', dims: ['b', 3, 224, 224] }];
    attr1(m).preprocess.size = 224;
    expect(() => parseManifest(m, TASKS)).not.toThrow();
    attr1(m).preprocess.size = 112;
    expect(refusal((x) => Object.assign(attr1(x), attr1(m)))).toMatch(
      /preprocess\.size is 112 but the model input is 224×224/,
    );
    attr1(m).inputs = [{ name: 'faces', type: 'float32', dims: ['b', 3, 'side', 'side'] }];
    expect(refusal((x) => Object.assign(attr1(x), attr1(m)))).toMatch(/expected a fixed size/);
  });
});
