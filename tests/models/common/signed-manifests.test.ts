/**
 * @file The service worker's check cycle with signature enforcement on, as the build wires it
 * (createManifestVerifier over the trusted keys, WebCrypto): unsigned, tampered, wrong-key,
 * unknown-key and replayed manifests are refused before anything is fetched or stored, each
 * refused file is logged once however often it is polled, the refusal clears when the registry
 * serves the accepted manifest again, and a genuinely signed newer manifest is accepted.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import { MANIFEST_LOG_MODEL } from '../../../src/shared/update-messages.ts';
import { createManifestVerifier } from '../../../src/models/common/manifest-signature.ts';
import { generateSigningKey, signManifest, type SigningKey } from '../../../tools/lib/signing.ts';
import { blobBytes, makeManifest, updateCheckRig } from '../../helpers/model-fixtures.ts';

const ID = 'face-detector';
const b1 = blobBytes(1, 3000);
const b2 = blobBytes(2, 3000);
const trusted = generateSigningKey('prod-1');
const rotated = generateSigningKey('prod-2');

function signed(m: Manifest, key: SigningKey = trusted): Manifest {
  const out = structuredClone(m);
  delete out.signature;
  out.signature = signManifest(out, key);
  return out;
}

const v1 = (serial: number) => makeManifest(serial, { [ID]: { stable: '1.0.0', versions: { '1.0.0': b1 } } });
const v2 = (serial: number) =>
  makeManifest(serial, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } });

async function setup() {
  const verifySignature = createManifestVerifier({ 'prod-1': trusted.publicJwk, 'prod-2': rotated.publicJwk });
  const { registry, store, channel, check } = updateCheckRig({ verifySignature });
  const accepted = signed(v1(3));
  registry.publish(accepted, [b1, b2]);
  expect(await check()).toMatchObject({ ok: true, serial: 3 });
  const refusals = async () => (await store.getLog()).filter((r) => r.model === MANIFEST_LOG_MODEL);
  const blobFetches = () => registry.requestsFor(`.onnx`).length;
  return { registry, store, channel, check, accepted, refusals, blobFetches };
}

const tampered = () => {
  const m = signed(v2(4));
  m.models[ID]!.versions['2.0.0']!.probe.tolerance = 1;
  return m;
};

describe('signed manifests in the update check', () => {
  it.each([
    ['unsigned', () => ({ ...v2(4), signature: undefined }), /the manifest is not signed/],
    ['tampered after signing', tampered, /does not verify with key "prod-1"/],
    ['signed by another key under a trusted id', () => signed(v2(4), generateSigningKey('prod-1')), /does not verify/],
    ['signed by an unknown key id', () => signed(v2(4), generateSigningKey('rogue')), /unknown key "rogue"/],
    ['an older genuine manifest (replay)', () => signed(v2(2)), /serial 2 is lower than the last accepted serial 3/],
  ])('refuses a manifest %s before acting, and logs it once', async (_what, make, reason) => {
    const { registry, store, channel, check, accepted, refusals, blobFetches } = await setup();
    const fetchesBefore = blobFetches();
    const bad = make();
    registry.publish(bad);
    for (let poll = 0; poll < 3; poll++) {
      const result = await check();
      expect(result).toMatchObject({ ok: false, serial: 3, changed: false });
      expect(result.ready.map((r) => r.version)).not.toContain('2.0.0');
      expect(result.error).toMatch(reason);
    }
    expect((await store.getManifest())?.manifest).toEqual(accepted);
    expect((await store.getManifest())?.lastRejection?.reason).toMatch(reason);
    expect(blobFetches()).toBe(fetchesBefore);
    expect(channel.ofType('model-found').filter((m) => m.version === '2.0.0')).toEqual([]);
    const logged = await refusals();
    expect(logged).toEqual([
      expect.objectContaining({
        version: `serial ${bad.serial}`,
        sha256: '',
        stage: 'verifying',
        outcome: 'rejected',
        reason: expect.stringMatching(reason),
      }),
    ]);
    expect(channel.ofType('log').map((m) => m.record)).toContainEqual(logged[0]);
  });

  it('logs a second refused file even when the reason reads the same, and clears the refusal when the registry recovers', async () => {
    const { registry, store, check, accepted, refusals } = await setup();
    registry.publish(tampered());
    await check();
    registry.publish(signed(v2(4), generateSigningKey('prod-1')));
    await check();
    await check();
    expect((await refusals()).map((r) => r.reason)).toEqual([
      expect.stringMatching(/does not verify with key "prod-1"/),
      expect.stringMatching(/does not verify with key "prod-1"/),
    ]);
    registry.publish(accepted);
    expect(await check()).toMatchObject({ ok: true, serial: 3, changed: false });
    expect((await store.getManifest())?.lastRejection).toBeUndefined();
  });

  it('logs an invalid manifest with no serial', async () => {
    const { registry, check, refusals } = await setup();
    registry.publishText('{ "schema": 1, "serial": ');
    await check();
    expect(await refusals()).toEqual([
      expect.objectContaining({ version: 'no serial', reason: expect.stringMatching(/not valid JSON/) }),
    ]);
  });

  it('accepts a newer manifest signed by any trusted key (rotation) and downloads what it names', async () => {
    const { registry, store, check, refusals, blobFetches } = await setup();
    const before = blobFetches();
    registry.publish(signed(v2(4), rotated));
    expect(await check()).toMatchObject({ ok: true, serial: 4, changed: true, ready: [{ id: ID, version: '2.0.0' }] });
    expect(blobFetches()).toBe(before + 1);
    expect((await store.getManifest())?.manifest.signature?.keyId).toBe('prod-2');
    expect(await refusals()).toEqual([]);
  });
});

describe('what is checked before the signature', () => {
  /** v2(4) with an off-schema version deep inside (and a 900 KB field to validate, if anything did). */
  const offSchema = () => {
    const m = v2(4) as unknown as { models: Record<string, { versions: Record<string, Record<string, unknown>> }> };
    const version = m.models[ID]!.versions['2.0.0']!;
    version.bytes = 'a lot';
    version[`\u202e${'x'.repeat(900_000)}`] = 1;
    return m as unknown as Manifest;
  };

  it.each([
    [
      'unsigned',
      () => ({ ...offSchema(), signature: undefined }),
      /signature check failed: the manifest is not signed/,
    ],
    ['tampered', () => ({ ...offSchema(), signature: signed(v2(4)).signature }), /does not verify with key "prod-1"/],
  ])(
    'an off-schema manifest that is %s is refused for its signature, never validated in depth',
    async (_w, make, reason) => {
      const { registry, check, refusals } = await setup();
      registry.publish(make());
      const result = await check();
      expect(result.error).toMatch(reason);
      expect(result.error).not.toMatch(/invalid manifest/);
      expect(await refusals()).toEqual([
        expect.objectContaining({ version: 'serial 4', reason: expect.stringMatching(reason) }),
      ]);
    },
  );

  it('a genuinely signed off-schema manifest is refused with the schema reason', async () => {
    const { registry, check } = await setup();
    registry.publish(signed(offSchema()));
    expect((await check()).error).toMatch(/invalid manifest: models\["face-detector"\]\.versions\["2\.0\.0"\]/);
  });

  it('a malformed signature or unknown top-level field is refused by its form first', async () => {
    const { registry, check } = await setup();
    registry.publish({
      ...signed(v2(4)),
      signature: { alg: 'RS256', keyId: 'prod-1', value: 'AAAA' },
    } as unknown as Manifest);
    expect((await check()).error).toMatch(/invalid manifest: signature\.alg must be one of "ES256"/);
    registry.publish({ ...signed(v2(4)), extra: 1 } as unknown as Manifest);
    expect((await check()).error).toMatch(/invalid manifest: manifest\.extra is not a schema 1 field/);
  });

  it('a manifest nested deeper than schema 1 allows is refused by its form, not by a stack overflow', async () => {
    const { registry, check } = await setup();
    const deep = '['.repeat(400_000) + ']'.repeat(400_000);
    const text = JSON.stringify(signed(v2(4))).replace('"models":{', `"models":{"deep":${deep},`);
    registry.publishText(text);
    const result = await check();
    expect(result.error).toMatch(/invalid manifest: manifest nests deeper than/);
    expect(result.error).not.toMatch(/call stack/);
  });
});
