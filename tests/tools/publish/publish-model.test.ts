import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrtModel } from '../../../src/inference/engine/ort-engine.ts';
import { EXPRESSION_LABELS } from '../../../src/features/faces/results.ts';
import { compareProbe } from '../../../src/shared/pipeline/probe.ts';
import { FACE_PROBES } from '../../../src/features/faces/probes.ts';
import { publishModel, PublishError } from '../../../tools/publish/publish.ts';
import { readManifest, sha256Hex } from '../../../tools/lib/registry-io.ts';
import { decodeRgb } from '../../../tools/lib/decode-image.ts';
import { brightnessAttributes, brightnessExpression, constantDetector } from '../../helpers/onnx-fixtures.ts';
import { convertedFile } from '../../helpers/models.ts';
import { snapshot, tempDir } from '../../helpers/fs.ts';
import { expectRefusal, runCli, type CliResult } from '../../helpers/cli.ts';

const CLI = 'tools/publish/publish-model.ts';
const publish = (args: string[]): Promise<CliResult> => runCli(CLI, args);

describe('publish-model', () => {
  const root = tempDir('hotlens-publish-');
  const reg = join(root, 'registry');
  const f = (name: string) => join(root, name);
  /** `--registry reg --id … --version … --file <root>/<file>` plus `extra`. */
  const publishArgs = (id: string, version: string, file: string, ...extra: string[]): string[] => [
    ...['--registry', reg, '--id', id, '--version', version, '--file', f(file)],
    ...extra,
  ];

  beforeAll(() => {
    writeFileSync(f('attributes-real.onnx'), convertedFile('face-attributes', '1.0.0').onnx);
    writeFileSync(f('attributes-a.onnx'), brightnessAttributes({ name: 'a' }));
    writeFileSync(f('attributes-b.onnx'), brightnessAttributes({ name: 'b' }));
    writeFileSync(f('expression.onnx'), brightnessExpression());
    writeFileSync(f('expression-6.onnx'), brightnessExpression({ classes: 6 }));
    writeFileSync(f('detector.onnx'), constantDetector({ size: 64, boxes: [[0.3, 0.3, 0.7, 0.7]], scores: [0.9] }));
    writeFileSync(f('not-onnx.onnx'), 'this is not a model\n');
    writeFileSync(f('labels-7.json'), JSON.stringify([...EXPRESSION_LABELS]));
    writeFileSync(f('labels-7.txt'), `${[...EXPRESSION_LABELS].reverse().join('\n')}\n`);
    writeFileSync(f('labels-6.txt'), EXPRESSION_LABELS.slice(0, 6).join('\n'));
  });

  it('creates a new registry from a real model (needs --task)', async () => {
    const r = await publish(
      publishArgs('face-attributes', '1.0.0', 'attributes-real.onnx', '--task', 'face-attributes'),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/published face-attributes 1\.0\.0 .* as stable; registry serial 1 \(new registry\)/);
    const manifest = (await readManifest(reg))!;
    const v = manifest.models['face-attributes']!.versions['1.0.0']!;
    const bytes = readFileSync(f('attributes-real.onnx'));
    expect(v.sha256).toBe(sha256Hex(bytes));
    expect(readFileSync(join(reg, v.blob)).equals(bytes)).toBe(true);
    expect(v.encoding).toBe('uint8');
    expect(v.labels).toEqual(['male', 'female']);
    expect(manifest.models['face-attributes']!.stable).toBe('1.0.0');
    // Signature and probe come from the model itself.
    const model = await OrtModel.create(bytes);
    expect(v.inputs).toEqual(model.inputs);
    expect(v.outputs).toEqual(model.outputs);
    const probePng = readFileSync(join(reg, v.probe.image));
    expect(
      compareProbe(v.probe, await model.run(FACE_PROBES['face-attributes']!.feeds(await decodeRgb(probePng), model)))
        .ok,
    ).toBe(true);
    await model.release();
  });

  it('is an idempotent no-op for the same version with the same bytes', async () => {
    const before = snapshot(reg);
    const r = await publish(publishArgs('face-attributes', '1.0.0', 'attributes-real.onnx'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already published with these bytes.*nothing to do/);
    expect(snapshot(reg)).toEqual(before);
  });

  it('publishes a canary, then a new stable, bumping the serial each time', async () => {
    let r = await publish(publishArgs('face-attributes', '1.1.0', 'attributes-a.onnx', '--canary', '25'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/as canary for 25% of clients; registry serial 2/);
    let m = (await readManifest(reg))!;
    expect(m.models['face-attributes']!.stable).toBe('1.0.0');
    expect(m.models['face-attributes']!.canary).toEqual({ version: '1.1.0', percent: 25 });
    expect(m.models['face-attributes']!.versions['1.1.0']!.encoding).toBe('float32');

    r = await publish(
      publishArgs(
        'face-expression',
        '1.0.0',
        'expression.onnx',
        '--task',
        'face-expression',
        '--labels',
        f('labels-7.txt'),
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    m = (await readManifest(reg))!;
    expect(m.serial).toBe(3);
    expect(m.models['face-expression']!.versions['1.0.0']!.labels).toEqual([...EXPRESSION_LABELS].reverse());
  });

  describe('refuses bad input with one sentence on stderr and leaves the registry byte-for-byte unchanged', () => {
    const cases: [string, () => string[], RegExp][] = [
      [
        'a missing file',
        () => publishArgs('face-attributes', '2.0.0', 'missing.onnx'),
        /cannot read model file .*missing\.onnx \(ENOENT\)/,
      ],
      [
        'a file that is not ONNX',
        () => publishArgs('face-attributes', '2.0.0', 'not-onnx.onnx'),
        /not-onnx\.onnx is not an ONNX model/,
      ],
      [
        'a contract mismatch',
        () => publishArgs('face-attributes', '2.0.0', 'expression.onnx'),
        /does not fit the face-attributes contract: missing outputs "age"/,
      ],
      [
        'a contract mismatch in a dimension',
        () => publishArgs('face-expression', '2.0.0', 'expression-6.onnx'),
        /output "expression" dimension 1 is 6, expected 7/,
      ],
      [
        'a malformed version',
        () => publishArgs('face-attributes', '2.0', 'attributes-b.onnx'),
        /version "2\.0" must have the form X\.Y\.Z/,
      ],
      [
        'the same version with different bytes',
        () => publishArgs('face-attributes', '1.1.0', 'attributes-b.onnx'),
        /face-attributes 1\.1\.0 is already published with different bytes/,
      ],
      [
        'an unknown task',
        () => publishArgs('objects', '1.0.0', 'detector.onnx', '--task', 'object-detection'),
        /unknown task "object-detection"/,
      ],
      [
        'a task that contradicts the registry',
        () => publishArgs('face-attributes', '2.0.0', 'attributes-b.onnx', '--task', 'face-expression'),
        /serves the face-attributes task in this registry, not face-expression/,
      ],
      [
        'a new model id without --task',
        () => publishArgs('face-detector', '1.0.0', 'detector.onnx'),
        /"face-detector" is new to this registry; pass --task/,
      ],
      [
        'a canary percent above 100',
        () => publishArgs('face-attributes', '2.0.0', 'attributes-b.onnx', '--canary', '150'),
        /--canary must be a percentage from 0 to 100, got "150"/,
      ],
      [
        'a canary percent that is not a number',
        () => publishArgs('face-attributes', '2.0.0', 'attributes-b.onnx', '--canary', 'ten'),
        /--canary must be a percentage/,
      ],
      [
        'a canary for a model without a stable version',
        () => publishArgs('face-detector', '1.0.0', 'detector.onnx', '--task', 'face-detection', '--canary', '5'),
        /has no stable version yet/,
      ],
      [
        'an unreadable labels file',
        () => publishArgs('face-expression', '2.0.0', 'expression.onnx', '--labels', f('nope.txt')),
        /cannot read labels file .*nope\.txt \(ENOENT\)/,
      ],
      [
        'a labels file with the wrong count',
        () => publishArgs('face-expression', '2.0.0', 'expression.onnx', '--labels', f('labels-6.txt')),
        /face-expression needs 7 labels .* but 6 were given/,
      ],
      [
        'labels for a detector',
        () =>
          publishArgs(
            'face-detector',
            '1.0.0',
            'detector.onnx',
            '--task',
            'face-detection',
            '--labels',
            f('labels-7.json'),
          ),
        /face-detection models have no labelled outputs/,
      ],
      [
        'a malformed model id',
        () => publishArgs('Face Detector', '1.0.0', 'detector.onnx', '--task', 'face-detection'),
        /model id "Face Detector" must be lowercase words/,
      ],
      ['missing required options', () => ['--registry', reg, '--id', 'face-attributes'], /missing --version, --file/],
      [
        'an unknown option',
        () => publishArgs('face-attributes', '2.0.0', 'attributes-b.onnx', '--force'),
        /Unknown option '--force'/,
      ],
    ];

    // Concurrent: none of them may write, so they cannot disturb each other.
    it.concurrent.for(cases)('%s', async ([, args, message], { expect }) => {
      const before = snapshot(reg);
      const r = await publish(args());
      expectRefusal(expect, r, 'publish-model', message);
      expect(snapshot(reg)).toEqual(before);
    });

    it('a registry directory without manifest and no --task (nothing is created)', async () => {
      const empty = join(root, 'empty');
      mkdirSync(empty);
      const r = await publish([
        '--registry',
        empty,
        '--id',
        'face-detector',
        '--version',
        '1.0.0',
        '--file',
        f('detector.onnx'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/has no manifest\.json; pass --task to create a new registry/);
      expect(snapshot(empty)).toEqual({});
    });
  });

  describe('atomicity (library level)', () => {
    it('refuses to overwrite a manifest that changed while publishing', async () => {
      const before = snapshot(reg);
      const text = readFileSync(join(reg, 'manifest.json'), 'utf8');
      const err = await publishModel({
        registry: reg,
        id: 'face-attributes',
        version: '3.0.0',
        file: f('attributes-b.onnx'),
        // The signing hook runs just before the commit: simulate a concurrent publisher there.
        sign: async () => {
          writeFileSync(join(reg, 'manifest.json'), text.replace('"serial": 3', '"serial": 4'));
          return { alg: 'ES256', keyId: 'test', value: 'AAAA' };
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PublishError);
      expect((err as Error).message).toMatch(/changed while publishing; run publish-model again/);
      writeFileSync(join(reg, 'manifest.json'), text);
      expect(snapshot(reg)).toEqual(before);
    });

    it('removes the blob it wrote when a later write fails', async () => {
      const broken = join(root, 'broken');
      mkdirSync(broken);
      writeFileSync(join(broken, 'probe'), 'a file where the probe directory should be');
      const before = snapshot(broken);
      const err = await publishModel({
        registry: broken,
        id: 'face-attributes',
        version: '1.0.0',
        file: f('attributes-a.onnx'),
        task: 'face-attributes',
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PublishError);
      expect((err as Error).message).toMatch(/writing to .* failed .*; the registry was left unchanged/);
      expect(snapshot(broken)).toEqual(before);
      expect(existsSync(join(broken, 'manifest.json'))).toBe(false);
    });

    it('signs through the pluggable signer and drops a stale signature otherwise', async () => {
      const signed = await publishModel({
        registry: reg,
        id: 'face-detector',
        version: '1.0.0',
        file: f('detector.onnx'),
        task: 'face-detection',
        sign: async (m) => ({
          alg: 'ES256',
          keyId: 'test',
          value: Buffer.from(`serial ${m.serial}`).toString('base64'),
        }),
      });
      expect(signed.status).toBe('published');
      expect((await readManifest(reg))!.signature?.keyId).toBe('test');
      const unsigned = await publishModel({
        registry: reg,
        id: 'face-detector',
        version: '1.0.1',
        file: f('detector.onnx'),
      });
      expect(unsigned.manifest.signature).toBeUndefined();
      expect((await readManifest(reg))!.signature).toBeUndefined();
      // Same bytes under a new version share the content-addressed blob.
      const m = (await readManifest(reg))!;
      expect(m.models['face-detector']!.versions['1.0.1']!.blob).toBe(
        m.models['face-detector']!.versions['1.0.0']!.blob,
      );
      expect(m.models['face-detector']!.stable).toBe('1.0.1');
    });
  });
});
