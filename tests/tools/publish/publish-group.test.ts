/**
 * @file `npm run publish-model -- … --group NAME --with ID@VERSION=FILE…`: a set of versions that
 * must change together is published in ONE manifest update, each member checked like a single
 * publish (contract, labels, probe) plus its declared pre-processing, all carrying the group and
 * moving to stable (or canary) together; the refusals leave the registry untouched. Run on the
 * real generation-2 files over a registry of the real generation 1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertGeneration2, GENERATION_2_GROUP } from '../../../tools/convert/generation-2.ts';
import { humanFaceCrop } from '../../../tools/convert/tfjs-graph/models/human-face-crop.ts';
import { readManifest } from '../../../tools/lib/registry-io.ts';
import { convertedFile } from '../../helpers/models.ts';
import { expectRefusal, runCli, type CliResult } from '../../helpers/cli.ts';
import { snapshot, tempDir } from '../../helpers/fs.ts';

const CLI = 'tools/publish/publish-model.ts';
const publish = (args: string[]): Promise<CliResult> => runCli(CLI, args);

describe('publish-model --group', () => {
  const root = tempDir('hotlens-publish-group-');
  const reg = join(root, 'registry');
  const f = (name: string) => join(root, name);
  const group = ['--group', GENERATION_2_GROUP];
  const withPartners = [
    '--with',
    `face-attributes@2.0.0=${f('faceres.onnx')}`,
    '--with',
    `face-expression@2.0.0=${f('emotion.onnx')}`,
  ];
  const detector3 = ['--registry', reg, '--id', 'face-detector', '--version', '3.0.0', '--file', f('blazeface.onnx')];

  beforeAll(async () => {
    for (const [id, task] of [
      ['face-detector', 'face-detection'],
      ['face-attributes', 'face-attributes'],
      ['face-expression', 'face-expression'],
    ] as const) {
      writeFileSync(f(`${id}-1.onnx`), convertedFile(id, '1.0.0').onnx);
      const r = await publish([
        '--registry',
        reg,
        '--id',
        id,
        '--version',
        '1.0.0',
        '--file',
        f(`${id}-1.onnx`),
        '--task',
        task,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const [detector, attributes, expression] = convertGeneration2();
    writeFileSync(f('blazeface.onnx'), detector!.onnx);
    writeFileSync(f('faceres.onnx'), attributes!.onnx);
    writeFileSync(f('emotion.onnx'), expression!.onnx);
  }, 180_000);

  it('refuses --with without --group, a group of one, an unknown partner, two versions of a model, changing nothing', async () => {
    const before = snapshot(reg);
    expectRefusal(
      expect,
      await publish([...detector3, ...withPartners]),
      'publish-model',
      /name their group with --group/,
    );
    expectRefusal(
      expect,
      await publish([...detector3, ...group]),
      'publish-model',
      /names group "faces-gen2", which no other model has/,
    );
    expectRefusal(
      expect,
      await publish([...detector3, ...group, '--with', `face-landmarks@1.0.0=${f('emotion.onnx')}`]),
      'publish-model',
      /"face-landmarks" \(--with\) is new to this registry/,
    );
    expectRefusal(
      expect,
      await publish([...detector3, ...group, '--with', `face-detector@3.0.1=${f('blazeface.onnx')}`]),
      'publish-model',
      /a group holds one version per model/,
    );
    expectRefusal(
      expect,
      await publish([...detector3, ...group, '--with', 'face-attributes=2.0.0']),
      'publish-model',
      /must have the form ID@VERSION=FILE/,
    );
    expect(snapshot(reg)).toEqual(before);
  }, 120_000);

  it('publishes the three as one group, stable together, with their declared pre-processing', async () => {
    const r = await publish([...detector3, ...group, ...withPartners]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /published face-detector 3\.0\.0 .* together with face-attributes 2\.0\.0, face-expression 2\.0\.0 \(group faces-gen2\) as stable; registry serial 4/,
    );
    const m = (await readManifest(reg))!;
    const v = (id: string, version: string) => m.models[id]!.versions[version]!;
    expect(
      [v('face-detector', '3.0.0'), v('face-attributes', '2.0.0'), v('face-expression', '2.0.0')].map((x) => x.group),
    ).toEqual([GENERATION_2_GROUP, GENERATION_2_GROUP, GENERATION_2_GROUP]);
    expect(Object.values(m.models).map((e) => e.stable)).toEqual(['3.0.0', '2.0.0', '2.0.0']);
    expect(v('face-detector', '3.0.0').preprocess.fit).toBe('stretch');
    expect(v('face-attributes', '2.0.0').preprocess.crop).toEqual(humanFaceCrop());
    expect(v('face-attributes', '2.0.0').encoding).toBe('float16');
    expect(v('face-expression', '2.0.0').labels).toEqual([
      'angry',
      'disgusted',
      'fearful',
      'happy',
      'sad',
      'surprised',
      'neutral',
    ]);
    expect(v('face-detector', '1.0.0').group).toBeUndefined();
    // The same set again is a no-op; one member again alone is refused.
    expect((await publish([...detector3, ...group, ...withPartners])).stdout).toMatch(
      /already published with these bytes/,
    );
    expectRefusal(expect, await publish(detector3), 'publish-model', /already published in group faces-gen2/);
  }, 180_000);
});
