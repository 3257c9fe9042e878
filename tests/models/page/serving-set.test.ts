/**
 * @file What a tab loads at start-up and how a plan's target becomes a worker's spec: cached
 * versions first (offline starts), the plan's target when cached, downloads only when nothing
 * usable is cached, never a version marked bad, and a clear error when nothing may run.
 */
import { describe, expect, it } from 'vitest';
import { emptyControl, markBad, promote, type ControlState } from '../../../src/models/common/model-state.ts';
import { NoUsableVersion, resolveSpec, startupSet } from '../../../src/models/page/serving-set.ts';
import { planVersions } from '../../../src/models/common/version-policy.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { nodeSha256 } from '../../helpers/model-fixtures.ts';
import { BYTES, pipelineManifest } from '../../helpers/pipeline-fixtures.ts';

const sha = (b: Uint8Array) => nodeSha256(b);
const IDS = ['face-detector', 'face-attributes', 'face-expression'];
const manifest: Manifest = pipelineManifest(2, {
  stable: '2.0.0',
  versions: { '1.0.0': BYTES.detector1, '2.0.0': BYTES.detector2 },
});
const others = [sha(BYTES.attributes1), sha(BYTES.expression1)];

function choose(control: ControlState, cached: string[], withManifest = true) {
  const m = withManifest ? manifest : undefined;
  const plans = planVersions({ manifest: m, installId: 'install', control });
  const set = startupSet({ manifest: m, control, plans, cached: new Set(cached), ids: IDS });
  return Object.fromEntries(
    Object.entries(set).map(([id, c]) => [id, `${c.spec.version}${c.cached ? '' : ' (download)'}`]),
  );
}

const withActive1 = () => promote(emptyControl(), 'face-detector', { version: '1.0.0', sha256: sha(BYTES.detector1) });

describe('startupSet', () => {
  it('first visit: the planned versions, to be downloaded', () => {
    expect(choose(emptyControl(), [])).toEqual({
      'face-detector': '2.0.0 (download)',
      'face-attributes': '1.0.0 (download)',
      'face-expression': '1.0.0 (download)',
    });
  });

  it('prefers what is cached: the active version when the planned one is not here yet (no network)', () => {
    expect(choose(withActive1(), [sha(BYTES.detector1), ...others])['face-detector']).toBe('1.0.0');
  });

  it('starts straight on the planned version when it is already cached', () => {
    expect(choose(withActive1(), [sha(BYTES.detector1), sha(BYTES.detector2), ...others])['face-detector']).toBe(
      '2.0.0',
    );
  });

  it('never picks a version marked bad, falling back to the previous one', () => {
    let control = promote(withActive1(), 'face-detector', { version: '2.0.0', sha256: sha(BYTES.detector2) });
    control = markBad(control, {
      id: 'face-detector',
      version: '2.0.0',
      sha256: sha(BYTES.detector2),
      stage: 'runtime',
      reason: 'NaN',
      time: 1,
    });
    expect(choose(control, [sha(BYTES.detector1), sha(BYTES.detector2), ...others])['face-detector']).toBe('1.0.0');
  });

  it('says why when nothing may run', () => {
    expect(() => choose(emptyControl(), [], false)).toThrow(NoUsableVersion);
    expect(() => choose(emptyControl(), [], false)).toThrow(/no model manifest is available/);
  });
});

describe('resolveSpec', () => {
  it('gives the manifest entry of exactly these bytes, or null', () => {
    const spec = resolveSpec(manifest, 'face-detector', { version: '2.0.0', sha256: sha(BYTES.detector2) });
    expect(spec).toMatchObject({ id: 'face-detector', task: 'face-detection', version: '2.0.0' });
    expect(spec?.file.bytes).toBe(BYTES.detector2.byteLength);
    expect(resolveSpec(manifest, 'face-detector', { version: '2.0.0', sha256: sha(BYTES.detector1) })).toBeNull();
    expect(resolveSpec(manifest, 'face-detector', { version: '9.9.9', sha256: sha(BYTES.detector1) })).toBeNull();
    expect(resolveSpec(undefined, 'face-detector', { version: '2.0.0', sha256: sha(BYTES.detector2) })).toBeNull();
  });
});
