/**
 * @file What the Models panel and `status().models` show, derived from the manager's snapshot.
 */
import { describe, expect, it } from 'vitest';
import { emptyControl, markBad, promote, setPin } from '../../src/models/common/model-state.ts';
import type { ManagerState } from '../../src/models/page/manager-types.ts';
import { planVersions } from '../../src/models/common/version-policy.ts';
import { modelViews } from '../../src/store/models-view.ts';
import { nodeSha256 } from '../helpers/model-fixtures.ts';
import { BYTES, GEN2, groupManifest, pipelineManifest } from '../helpers/pipeline-fixtures.ts';

const sha1 = nodeSha256(BYTES.detector1);
const sha2 = nodeSha256(BYTES.detector2);

function state(build: (s: ManagerState) => void = () => {}): ManagerState {
  const manifest = pipelineManifest(3, {
    stable: '2.0.0',
    canary: { version: '3.0.0', percent: 10 },
    versions: { '1.0.0': BYTES.detector1, '2.0.0': BYTES.detector2, '3.0.0': BYTES.detector3 },
  });
  let control = promote(emptyControl(), 'face-detector', { version: '1.0.0', sha256: sha1 });
  control = promote(control, 'face-detector', { version: '2.0.0', sha256: sha2 });
  const s: ManagerState = {
    installId: 'install-a',
    manifest,
    manifestProblem: null,
    registryProblem: null,
    control,
    plans: {},
    serving: { 'face-detector': { version: '2.0.0', sha256: sha2 } },
    stages: { 'face-detector': { stage: 'idle', version: '2.0.0', progress: null, reason: null, since: 0 } },
    storage: { state: 'ok' },
  };
  build(s);
  s.plans = planVersions({ manifest: s.manifest ?? undefined, installId: 'install-a', control: s.control });
  return s;
}

describe('modelViews', () => {
  it('lists pipeline models with active, previous, channel and every manifest version (newest first)', () => {
    const [detector, attributes] = modelViews(state());
    expect(detector).toMatchObject({
      id: 'face-detector',
      task: 'face-detection',
      active: '2.0.0',
      previous: '1.0.0',
      pinned: null,
      canRollBack: true,
    });
    expect(detector!.versions.map((v) => [v.version, v.stable, v.canaryPercent, v.local])).toEqual([
      ['3.0.0', false, 10, false],
      ['2.0.0', true, null, true],
      ['1.0.0', false, null, true],
    ]);
    expect(detector!.bucket).toBeGreaterThanOrEqual(0);
    expect(attributes).toMatchObject({ id: 'face-attributes', active: null, canRollBack: false });
    expect(attributes!.stage.stage).toBe('loading');
  });

  it('shows a pin as the channel and a bad previous version as no rollback target', () => {
    const [detector] = modelViews(
      state((s) => {
        s.control = setPin(s.control, 'face-detector', '2.0.0');
        s.control = markBad(s.control, {
          id: 'face-detector',
          version: '1.0.0',
          sha256: sha1,
          stage: 'probed',
          reason: 'wrong scores',
          time: 1,
        });
      }),
    );
    expect(detector).toMatchObject({ channel: 'pinned', pinned: '2.0.0', canRollBack: false });
    expect(detector!.versions.find((v) => v.version === '1.0.0')!.bad).toEqual({
      stage: 'probed',
      reason: 'wrong scores',
    });
  });

  it('shows both generations of each face model, the second marked with its group', () => {
    const views = modelViews(state((s) => (s.manifest = groupManifest(4, { stable: 1 }))));
    expect(views.map((v) => [v.id, v.versions.map((x) => [x.version, x.stable, x.group])] as const)).toEqual([
      [
        'face-detector',
        [
          [GEN2.detector, false, GEN2.group],
          ['1.0.0', true, null],
        ],
      ],
      [
        'face-attributes',
        [
          [GEN2.attributes, false, GEN2.group],
          ['1.0.0', true, null],
        ],
      ],
      [
        'face-expression',
        [
          [GEN2.expression, false, GEN2.group],
          ['1.0.0', true, null],
        ],
      ],
      // The other features' models keep their rows; this manifest lists no version of them.
      ['object-detector', []],
      ['image-classifier', []],
    ]);
  });

  it('has a row per pipeline model even before anything is known', () => {
    expect(modelViews(null).map((v) => [v.id, v.stage.stage, v.channel])).toEqual([
      ['face-detector', 'loading', 'stable'],
      ['face-attributes', 'loading', 'stable'],
      ['face-expression', 'loading', 'stable'],
      ['object-detector', 'loading', 'stable'],
      ['image-classifier', 'loading', 'stable'],
    ]);
  });
});
