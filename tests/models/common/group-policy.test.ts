/**
 * @file Groups in the update policy and in the manifest: a group's members are planned together
 * (stable, canary with one shared bucket, a pin pulling the group in or keeping it out, a bad
 * member keeping it out), start-up never mixes a group with other versions, and the manifest
 * refuses groups that could not serve consistently.
 */
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../../src/features/index.ts';
import { canaryBucket } from '../../../src/models/common/canary-bucket.ts';
import { groupBucketKey } from '../../../src/models/common/group-policy.ts';
import { emptyControl, markBad, promote, setPin, type ControlState } from '../../../src/models/common/model-state.ts';
import { planVersions } from '../../../src/models/common/version-policy.ts';
import { rollbackSetOf, swapSetOf } from '../../../src/models/page/group-sets.ts';
import { resolveSpec, startupSet } from '../../../src/models/page/serving-set.ts';
import { parseManifest } from '../../../src/shared/manifest-validate.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import type { ModelSpec } from '../../../src/shared/worker-api.ts';
import { GEN2, groupManifest } from '../../helpers/pipeline-fixtures.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const IDS = ['face-attributes', 'face-detector', 'face-expression'];
const GEN2_VERSION: Record<string, string> = {
  'face-detector': GEN2.detector,
  'face-attributes': GEN2.attributes,
  'face-expression': GEN2.expression,
};

const refOf = (m: Manifest, id: string, version: string) => ({
  version,
  sha256: m.models[id]!.versions[version]!.sha256,
});
const targets = (m: Manifest, control: ControlState = emptyControl(), installId = 'install-a') => {
  const plans = planVersions({ manifest: m, installId, control });
  return Object.fromEntries(IDS.map((id) => [id, `${plans[id]!.target?.version ?? null} ${plans[id]!.channel}`]));
};
const all = (gen: 1 | 2, channel: string) =>
  Object.fromEntries(IDS.map((id) => [id, `${gen === 1 ? '1.0.0' : GEN2_VERSION[id]} ${channel}`]));

/** The control state after generation `gen` served (previous: the other generation). */
function servedGen(m: Manifest, gen: 1 | 2): ControlState {
  let c = emptyControl();
  for (const id of IDS) {
    if (gen === 2) c = promote(c, id, refOf(m, id, '1.0.0'));
    c = promote(c, id, refOf(m, id, gen === 1 ? '1.0.0' : GEN2_VERSION[id]!));
  }
  return c;
}

describe('the policy plans a group as one', () => {
  it('follows a stable group with every member, and the old generation while it is not stable', () => {
    expect(targets(groupManifest(1, { stable: 2 }))).toEqual(all(2, 'stable'));
    expect(targets(groupManifest(1, { stable: 1 }))).toEqual(all(1, 'stable'));
  });

  it('puts a client in a group canary for all members or none, by the group’s bucket', () => {
    const m = groupManifest(1, { stable: 1, canary: 30 });
    let inside = 0;
    for (let i = 0; i < 200; i++) {
      const installId = `id-${i}`;
      const plans = planVersions({ manifest: m, installId, control: emptyControl() });
      const bucket = canaryBucket(installId, groupBucketKey(GEN2.group));
      const expected = bucket < 30 ? all(2, 'canary') : all(1, 'stable');
      expect(targets(m, emptyControl(), installId)).toEqual(expected);
      for (const id of IDS) expect(plans[id]!.bucket).toBe(bucket);
      if (bucket < 30) inside++;
    }
    expect(inside).toBeGreaterThan(30);
    expect(inside).toBeLessThan(90);
  });

  it('pinning one member into the group pulls the others in, following the pin', () => {
    const m = groupManifest(1, { stable: 1 });
    const control = setPin(servedGen(m, 1), 'face-detector', GEN2.detector);
    const plans = planVersions({ manifest: m, installId: 'a', control });
    expect(targets(m, control)).toEqual(all(2, 'pinned'));
    expect(plans['face-attributes']!.note).toBe(`follows face-detector ${GEN2.detector} into group ${GEN2.group}`);
  });

  it('pinning one member outside a stable group keeps the whole group out', () => {
    const m = groupManifest(1, { stable: 2 });
    const control = setPin(servedGen(m, 2), 'face-detector', '1.0.0');
    const plans = planVersions({ manifest: m, installId: 'a', control });
    expect(targets(m, control)).toEqual({ ...all(1, 'stable'), 'face-detector': '1.0.0 pinned' });
    expect(plans['face-expression']!.note).toMatch(/face-detector is pinned outside group faces-gen2; keeping 1.0.0/);
  });

  it('a member marked bad keeps the group out; the others keep what they run', () => {
    const m = groupManifest(1, { stable: 2 });
    const control = markBad(servedGen(m, 1), {
      id: 'face-attributes',
      ...refOf(m, 'face-attributes', GEN2.attributes),
      stage: 'probed',
      reason: 'age differs',
      time: 1,
    });
    const plans = planVersions({ manifest: m, installId: 'a', control });
    expect(targets(m, control)).toEqual(all(1, 'stable'));
    expect(plans['face-detector']!.note).toMatch(
      /face-attributes 2.0.0 of group faces-gen2 is marked bad; keeping 1.0.0/,
    );
  });
});

describe('start-up never mixes a group with other versions', () => {
  const m = groupManifest(1, { stable: 2 });
  const control = servedGen(m, 1);
  const plans = planVersions({ manifest: m, installId: 'a', control });
  const sha = (id: string, v: string) => refOf(m, id, v).sha256;
  const gen1 = IDS.map((id) => sha(id, '1.0.0'));

  it('starts the cached generation when only part of the new group is on the device', () => {
    const cached = new Set([...gen1, sha('face-detector', GEN2.detector)]);
    const choice = startupSet({ manifest: m, control, plans, cached, ids: IDS });
    expect(
      Object.values(choice)
        .map((c) => `${c.spec.id}@${c.spec.version} ${c.cached}`)
        .sort(),
    ).toEqual(['face-attributes@1.0.0 true', 'face-detector@1.0.0 true', 'face-expression@1.0.0 true']);
  });

  it('starts the whole group once it is all on the device', () => {
    const cached = new Set([...gen1, ...IDS.map((id) => sha(id, GEN2_VERSION[id]!))]);
    const choice = startupSet({ manifest: m, control, plans, cached, ids: IDS });
    expect(
      Object.values(choice)
        .map((c) => c.spec.version)
        .sort(),
    ).toEqual(['2.0.0', '2.0.0', '3.0.0']);
  });
});

describe('which models move together in a tab', () => {
  const m = groupManifest(1, { stable: 2 });
  const spec = (id: string, v: string) => resolveSpec(m, id, refOf(m, id, v))!;
  const gen1: Record<string, ModelSpec> = Object.fromEntries(IDS.map((id) => [id, spec(id, '1.0.0')]));
  const gen2: Record<string, ModelSpec> = Object.fromEntries(IDS.map((id) => [id, spec(id, GEN2_VERSION[id]!)]));

  it('an update into or out of a group takes every served member that changes', () => {
    const plans = planVersions({ manifest: m, installId: 'a', control: servedGen(m, 1) });
    expect(swapSetOf('face-expression', m, plans, gen1)).toEqual(IDS);
    const { 'face-expression': _, ...twoServed } = gen1;
    expect(swapSetOf('face-detector', m, plans, twoServed)).toEqual(['face-attributes', 'face-detector']);
  });

  it('a model without a group moves alone', () => {
    const m3 = groupManifest(1, { stable: 1 }) as Json;
    m3.models['face-detector'].versions['2.0.0'] = { ...m3.models['face-detector'].versions['1.0.0'] };
    const plans = {
      'face-detector': {
        id: 'face-detector',
        channel: 'pinned',
        target: refOf(m3 as Manifest, 'face-detector', '2.0.0'),
        bucket: 0,
        note: null,
      },
    } as const;
    expect(swapSetOf('face-detector', m3 as Manifest, plans, gen1)).toEqual(['face-detector']);
  });

  it('a rollback of any member takes the members that came in with it', () => {
    const control = servedGen(m, 2);
    expect(rollbackSetOf('face-attributes', m, control, gen2)).toEqual(IDS);
    expect(rollbackSetOf('face-attributes', m, servedGen(m, 1), gen1)).toEqual(['face-attributes']);
  });
});

describe('the manifest’s groups', () => {
  const refusal = (edit: (m: Json) => void) => {
    const m = groupManifest(1, { stable: 2 }) as Json;
    edit(m);
    try {
      parseManifest(m, TASKS);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  const version = (m: Json, id: string) => m.models[id].versions[GEN2_VERSION[id]!];

  it('accepts consistent groups, stable or canary', () => {
    expect(refusal(() => undefined)).toBe('accepted');
    expect(
      parseManifest(groupManifest(1, { stable: 1, canary: 10 }), TASKS).models['face-detector']!.versions['3.0.0']!
        .group,
    ).toBe(GEN2.group);
  });

  it.each<[string, (m: Json) => void, RegExp]>([
    [
      'a bad name',
      (m) => (version(m, 'face-detector').group = 'Faces Gen2'),
      /versions\["3\.0\.0"\]\.group is not a valid group name/,
    ],
    [
      'a group of one model',
      (m) => {
        delete version(m, 'face-attributes').group;
        delete version(m, 'face-expression').group;
        m.models['face-attributes'].stable = '2.0.0';
      },
      /names group "faces-gen2", which no other model has/,
    ],
    [
      'two versions of one model in a group',
      (m) => (m.models['face-detector'].versions['1.0.0'].group = GEN2.group),
      /puts a second version of face-detector .* in group "faces-gen2"; a group holds one version per model/,
    ],
    [
      'half a group stable',
      (m) => (m.models['face-expression'].stable = '1.0.0'),
      /models\["face-expression"\]\.stable is 1\.0\.0, but group "faces-gen2" .* is stable for face-attributes, face-detector/,
    ],
    [
      'half a group canary',
      (m) => (m.models['face-detector'].canary = { version: '3.0.0', percent: 10 }),
      /canary does not match the canary of group "faces-gen2"/,
    ],
    [
      'a group canary at two percents',
      (m) => {
        for (const id of IDS) {
          m.models[id].stable = '1.0.0';
          m.models[id].canary = { version: GEN2_VERSION[id], percent: id === 'face-detector' ? 20 : 10 };
        }
      },
      /canaries together, with one percent/,
    ],
  ])('refuses %s', (_, edit, message) => {
    expect(refusal(edit)).toMatch(message);
  });
});
