import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createManifestVerifier, type EcPublicJwk } from '../../../src/models/common/manifest-signature.ts';
import { readManifest } from '../../../tools/lib/registry-io.ts';
import { loadTrustedKeys } from '../../../tools/lib/trusted-keys.ts';
import type { PublicJwk } from '../../../tools/lib/signing.ts';
import { brightnessAttributes } from '../../helpers/onnx-fixtures.ts';
import { expectRefusal, runCli, type CliResult } from '../../helpers/cli.ts';
import { snapshot, tempDir } from '../../helpers/fs.ts';

const root = tempDir('hotlens-signed-publish-');
const keysDir = join(root, 'keys');
/** Every CLI run keeps its development key here, never in the project's keys/. */
const baseEnv = { HOTLENS_KEYS_DIR: keysDir, HOTLENS_SIGNING_KEY: '', HOTLENS_SIGNING_KEY_ID: '' };
const f = (name: string) => join(root, name);

const publish = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli('tools/publish/publish-model.ts', args, { ...baseEnv, ...env });

const args = (registry: string, version: string, file = 'a.onnx', extra: string[] = []): string[] => [
  '--registry',
  registry,
  '--id',
  'face-attributes',
  '--version',
  version,
  '--file',
  f(file),
  '--task',
  'face-attributes',
  ...extra,
];

function publicJwk(dir: string, id: string): PublicJwk {
  return JSON.parse(readFileSync(join(dir, `${id}.public.jwk.json`), 'utf8')) as PublicJwk;
}

async function verifyWith(registry: string, keys: Record<string, EcPublicJwk>): Promise<void> {
  const manifest = (await readManifest(registry))!;
  await createManifestVerifier(keys)(manifest);
}

describe('publish-model signs the manifest (ES256)', () => {
  const prodDir = join(root, 'prod-keys');

  beforeAll(async () => {
    for (const [name, tag] of [
      ['a.onnx', 'a'],
      ['b.onnx', 'b'],
      ['c.onnx', 'c'],
      ['d.onnx', 'd'],
    ] as const) {
      writeFileSync(f(name), brightnessAttributes({ name: tag }));
    }
    for (const id of ['prod-1', 'prod-2']) {
      const r = await runCli('tools/keys/keygen.ts', ['--key-id', id, '--out', prodDir]);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('without a key it signs with the development key, created once and then reused', async () => {
    const reg = join(root, 'dev');
    const first = await publish(args(reg, '1.0.0'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /registry serial 1 \(new registry\); signed with key dev-1 \(development key .*dev-1\.private\.pem\)/,
    );
    const devKey = readFileSync(join(keysDir, 'dev-1.private.pem'), 'utf8');
    const jwk = publicJwk(keysDir, 'dev-1');
    await verifyWith(reg, { 'dev-1': jwk });

    const second = await publish(args(reg, '1.1.0', 'b.onnx'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/registry serial 2; signed with key dev-1/);
    expect(readFileSync(join(keysDir, 'dev-1.private.pem'), 'utf8')).toBe(devKey);
    // What the build would embed trusts the development key.
    const trusted = loadTrustedKeys(root, { HOTLENS_KEYS_DIR: keysDir });
    expect(Object.keys(trusted)).toEqual(['dev-1']);
    await verifyWith(reg, trusted);
  });

  it('--key FILE signs with that key; the key id comes from the file', async () => {
    const reg = join(root, 'opt');
    const r = await publish(args(reg, '1.0.0', 'a.onnx', ['--key', join(prodDir, 'prod-1.private.pem')]));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/signed with key prod-1 \(key file .*prod-1\.private\.pem\)/);
    expect((await readManifest(reg))!.signature?.keyId).toBe('prod-1');
    await verifyWith(reg, { 'prod-1': publicJwk(prodDir, 'prod-1') });
    await expect(verifyWith(reg, { 'prod-1': publicJwk(prodDir, 'prod-2') })).rejects.toThrow(/does not verify/);
  });

  it('HOTLENS_SIGNING_KEY works as a path and as the PEM itself (also with escaped newlines)', async () => {
    const pem = readFileSync(join(prodDir, 'prod-2.private.pem'), 'utf8');
    const cases: [string, string][] = [
      ['path', join(prodDir, 'prod-2.private.pem')],
      ['pem', pem],
      ['escaped', pem.replace(/\n/g, '\\n')],
    ];
    for (const [name, value] of cases) {
      const reg = join(root, `env-${name}`);
      const r = await publish(args(reg, '1.0.0'), { HOTLENS_SIGNING_KEY: value });
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/signed with key prod-2 \(HOTLENS_SIGNING_KEY/);
      await verifyWith(reg, { 'prod-2': publicJwk(prodDir, 'prod-2') });
    }
  });

  it('--key-id overrides the id a key file names', async () => {
    const reg = join(root, 'renamed');
    const r = await publish(args(reg, '1.0.0'), {
      HOTLENS_SIGNING_KEY: readFileSync(join(prodDir, 'prod-1.private.pem'), 'utf8').replace(/^Key-Id: .*\n/, ''),
      HOTLENS_SIGNING_KEY_ID: 'renamed-1',
    });
    expect(r.code, r.stderr).toBe(0);
    await verifyWith(reg, { 'renamed-1': publicJwk(prodDir, 'prod-1') });
  });

  it('bumps the serial and re-signs on every publish; re-publishing with another key re-signs the registry', async () => {
    const reg = join(root, 'rotate');
    const key1 = ['--key', join(prodDir, 'prod-1.private.pem')];
    const key2 = ['--key', join(prodDir, 'prod-2.private.pem')];
    const trusted = { 'prod-1': publicJwk(prodDir, 'prod-1'), 'prod-2': publicJwk(prodDir, 'prod-2') };
    const serials: number[] = [];
    for (const [version, file] of [
      ['1.0.0', 'a.onnx'],
      ['1.1.0', 'b.onnx'],
      ['1.2.0', 'c.onnx'],
    ]) {
      const r = await publish(args(reg, version!, file, key1));
      expect(r.code, r.stderr).toBe(0);
      const m = (await readManifest(reg))!;
      serials.push(m.serial);
      await verifyWith(reg, trusted);
    }
    expect(serials).toEqual([1, 2, 3]);

    // Same version, same bytes, same key: nothing to do, not a byte changes.
    const before = snapshot(reg);
    const same = await publish(args(reg, '1.2.0', 'c.onnx', key1));
    expect(same.stdout).toMatch(/nothing to do/);
    expect(snapshot(reg)).toEqual(before);

    // Rotation: the same content re-signed by the new key, under a higher serial.
    const resigned = await publish(args(reg, '1.2.0', 'c.onnx', key2));
    expect(resigned.code, resigned.stderr).toBe(0);
    expect(resigned.stdout).toMatch(
      /already published with these bytes; re-signed the registry as serial 4, signed with key prod-2/,
    );
    const m = (await readManifest(reg))!;
    expect(m.serial).toBe(4);
    expect(m.signature?.keyId).toBe('prod-2');
    expect(Object.keys(m.models['face-attributes']!.versions)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    await verifyWith(reg, trusted);
    // A client that only knows the old key refuses the re-signed manifest.
    await expect(verifyWith(reg, { 'prod-1': trusted['prod-1'] })).rejects.toThrow(/unknown key "prod-2"/);
  });

  it('--unsigned writes an unsigned manifest on purpose, which the verifier refuses', async () => {
    const reg = join(root, 'unsigned');
    const r = await publish(args(reg, '1.0.0', 'a.onnx', ['--unsigned']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/UNSIGNED \(--unsigned: clients will refuse this manifest\)/);
    expect((await readManifest(reg))!.signature).toBeUndefined();
    await expect(verifyWith(reg, { 'dev-1': publicJwk(keysDir, 'dev-1') })).rejects.toThrow(/not signed/);
    // The next signed publish signs the registry again.
    const next = await publish(args(reg, '1.1.0', 'd.onnx'));
    expect(next.code, next.stderr).toBe(0);
    await verifyWith(reg, { 'dev-1': publicJwk(keysDir, 'dev-1') });
  });

  describe('refuses an unusable key with one sentence and leaves the registry untouched', () => {
    const reg = join(root, 'refuse');

    beforeAll(async () => {
      const r = await publish(args(reg, '1.0.0'));
      expect(r.code, r.stderr).toBe(0);
    });

    const cases: [string, () => string[], () => NodeJS.ProcessEnv, RegExp][] = [
      [
        'a missing key file',
        () => ['--key', f('nope.pem')],
        () => ({}),
        /cannot read signing key .*nope\.pem \(ENOENT\)/,
      ],
      ['a file that is not a key', () => ['--key', f('a.onnx')], () => ({}), /a\.onnx is not a PEM private key/],
      [
        'garbage in HOTLENS_SIGNING_KEY',
        () => [],
        () => ({ HOTLENS_SIGNING_KEY: f('b.onnx') }),
        /is not a PEM private key/,
      ],
      [
        'a PEM without a key id',
        () => [],
        () => ({
          HOTLENS_SIGNING_KEY: readFileSync(join(prodDir, 'prod-1.private.pem'), 'utf8').replace(/^Key-Id: .*\n/, ''),
        }),
        /does not name its key id; pass --key-id/,
      ],
      [
        'a keys directory that cannot be created',
        () => [],
        () => ({ HOTLENS_KEYS_DIR: f('a.onnx') }),
        /cannot create the development key in .*a\.onnx \(EEXIST\); pass --key FILE/,
      ],
      ['--key-id without a key', () => ['--key-id', 'prod-9'], () => ({}), /--key-id prod-9 needs a key/],
      ['--unsigned with --key', () => ['--unsigned', '--key', f('x.pem')], () => ({}), /--unsigned cannot be combined/],
    ];

    it.concurrent.for(cases)('%s', async ([, extra, env, message], { expect }) => {
      const before = snapshot(reg);
      const r = await publish(args(reg, '2.0.0', 'b.onnx', extra()), env());
      expectRefusal(expect, r, 'publish-model', message);
      expect(snapshot(reg)).toEqual(before);
    });
  });

  it('keeps the development key stable across concurrent first uses', async () => {
    const fresh = join(root, 'race-keys');
    const runs = await Promise.all(
      [0, 1, 2].map((i) => publish(args(join(root, `race-${i}`), '1.0.0'), { HOTLENS_KEYS_DIR: fresh })),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const jwk = publicJwk(fresh, 'dev-1');
    for (const i of [0, 1, 2]) await verifyWith(join(root, `race-${i}`), { 'dev-1': jwk });
    // No temp files left behind by the exclusive create.
    expect(readdirSync(fresh).sort()).toEqual(['dev-1.private.pem', 'dev-1.public.jwk.json']);
  });
});
