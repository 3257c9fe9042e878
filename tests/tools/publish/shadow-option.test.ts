/**
 * @file `publish-model --shadow FRAMES:MIN` and the manifest's `shadow` gate: the option parses to
 * `{frames, minAgreement}` or is refused with one sentence; the manifest accepts a gate in range.
 */
import { describe, expect, it } from 'vitest';
import { parseShadow } from '../../../tools/publish/publish.ts';
import { MAX_SHADOW_FRAMES, parseManifest } from '../../../src/shared/manifest-validate.ts';
import { TASKS } from '../../../src/features/index.ts';
import { detectorVersion, TEST_REGISTRY } from '../../helpers/model-fixtures.ts';

describe('--shadow FRAMES:MIN', () => {
  it('parses frames and the minimum agreement', () => {
    expect(parseShadow(undefined)).toBeUndefined();
    expect(parseShadow('30:0.8')).toEqual({ frames: 30, minAgreement: 0.8 });
    expect(parseShadow(' 10 : 1 ')).toEqual({ frames: 10, minAgreement: 1 });
  });

  it('refuses what is not FRAMES:MIN in range', () => {
    for (const bad of ['30', '0:0.5', `${MAX_SHADOW_FRAMES + 1}:0.5`, '30:1.5', 'a:b', '30:-1']) {
      expect(() => parseShadow(bad)).toThrow(/--shadow must be FRAMES:MIN/);
    }
  });
});

describe('manifest shadow gate', () => {
  const manifest = (shadow: unknown) => ({
    schema: 1,
    registry: TEST_REGISTRY,
    serial: 1,
    published: '2026-01-01T00:00:00Z',
    models: {
      'face-detector': {
        task: 'face-detection',
        stable: '1.0.0',
        versions: { '1.0.0': { ...detectorVersion(new Uint8Array([1, 2, 3])), shadow } },
      },
    },
  });

  it('keeps a valid gate and refuses one out of range', () => {
    const parsed = parseManifest(manifest({ frames: 30, minAgreement: 0.8 }), TASKS);
    expect(parsed.models['face-detector']!.versions['1.0.0']!.shadow).toEqual({ frames: 30, minAgreement: 0.8 });
    expect(() => parseManifest(manifest({ frames: 30, minAgreement: 2 }), TASKS)).toThrow(/minAgreement/);
    expect(() => parseManifest(manifest({ frames: 0, minAgreement: 0.5 }), TASKS)).toThrow(/frames/);
  });
});
