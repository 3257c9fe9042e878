/**
 * @file The manifest fields whole-image models added to schema 1, validated: `fit` is optional
 * (absent stays absent, so manifests signed before it keep their canonical form) and one of
 * letterbox | stretch; `resize` may say bilinear-align-corners; `encoding` may say float16.
 * Anything else is refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../src/features/index.ts';
import { parseManifest } from '../../src/shared/manifest-validate.ts';
import { canonicalJson } from '../../src/shared/canonical-json.ts';
import type { Manifest } from '../../src/shared/manifest-types.ts';
import { detectorVersion, TEST_REGISTRY } from '../helpers/model-fixtures.ts';

function manifestWith(edit: (v: Record<string, unknown>) => void): unknown {
  const version = detectorVersion(new Uint8Array([1, 2, 3])) as unknown as Record<string, unknown>;
  version.preprocess = { ...(version.preprocess as object) };
  edit(version);
  return {
    schema: 1,
    registry: TEST_REGISTRY,
    serial: 1,
    published: '2026-11-21T12:00:00Z',
    models: { 'face-detector': { task: 'face-detection', stable: '1.0.0', versions: { '1.0.0': version } } },
  };
}

const pre = (m: Manifest) => m.models['face-detector']!.versions['1.0.0']!.preprocess;

describe('manifest pre-processing fields', () => {
  it('keeps a manifest without `fit` byte for byte (canonical form unchanged)', () => {
    const json = manifestWith(() => undefined);
    const parsed = parseManifest(json, TASKS);
    expect(pre(parsed)).not.toHaveProperty('fit');
    expect(canonicalJson(parsed)).toBe(canonicalJson(json));
  });

  it('accepts fit stretch|letterbox, align-corners resampling and float16 weights', () => {
    for (const fit of ['stretch', 'letterbox'] as const) {
      const parsed = parseManifest(
        manifestWith((v) => {
          Object.assign(v.preprocess as object, { fit, resize: 'bilinear-align-corners' });
          v.encoding = 'float16';
        }),
        TASKS,
      );
      expect(pre(parsed)).toMatchObject({ fit, resize: 'bilinear-align-corners' });
      expect(parsed.models['face-detector']!.versions['1.0.0']!.encoding).toBe('float16');
    }
  });

  it.each([
    [
      'an unknown fit',
      (v: Record<string, unknown>) => Object.assign(v.preprocess as object, { fit: 'crop' }),
      /\.preprocess\.fit must be one of "letterbox", "stretch"/,
    ],
    [
      'an unknown resize',
      (v: Record<string, unknown>) => Object.assign(v.preprocess as object, { resize: 'bicubic' }),
      /\.preprocess\.resize must be one of/,
    ],
    [
      'an unknown encoding',
      (v: Record<string, unknown>) => (v.encoding = 'int4'),
      /\.encoding must be one of "float32", "float16", "uint8"/,
    ],
  ])('refuses %s, naming the field', (_, edit, message) => {
    expect(() => parseManifest(manifestWith(edit), TASKS)).toThrow(message);
  });
});
