/**
 * @file Manifest fetching against a fake static registry with real Responses: no-cache and
 * conditional headers, 304 = unchanged, replayed serials refused, invalid JSON / schema
 * refused with a reason, registry errors (a body that breaks off included) typed, and ES256 signatures (raw and DER) verified
 * over the canonical JSON.
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/shared/canonical-json.ts';
import type { Manifest } from '../../../src/shared/manifest-types.ts';
import type { StoredManifest } from '../../../src/models/cache/model-store.ts';
import { createManifestVerifier, type EcPublicJwk } from '../../../src/models/common/manifest-signature.ts';
import { fetchManifest, MAX_MANIFEST_BYTES } from '../../../src/models/common/registry-client.ts';
import { blobBytes, FakeRegistry, makeManifest } from '../../helpers/model-fixtures.ts';
import { UNSAFE_CHARS } from '../../helpers/untrusted.ts';

const manifestOf = (serial: number) =>
  makeManifest(serial, { 'face-detector': { stable: '1.0.0', versions: { '1.0.0': blobBytes(1, 100) } } });

async function accepted(reg: FakeRegistry): Promise<StoredManifest> {
  const res = await fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch });
  if (res.status !== 'updated') throw new Error('expected a manifest');
  return { manifest: res.manifest, etag: res.etag, lastModified: res.lastModified, acceptedAt: 0, checkedAt: 0 };
}

describe('fetchManifest', () => {
  it('asks with cache: no-cache and without conditional headers the first time', async () => {
    const reg = new FakeRegistry();
    reg.publish(manifestOf(3));
    const res = await fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch });
    expect(res.status).toBe('updated');
    expect(res.status === 'updated' && res.manifest).toEqual(manifestOf(3));
    expect(res.etag).toMatch(/^".+"$/);
    expect(res.lastModified).toMatch(/GMT$/);
    expect(reg.requests[0]!.init).toMatchObject({ cache: 'no-cache', headers: {} });
  });

  it('sends If-None-Match / If-Modified-Since and treats 304 as unchanged', async () => {
    const reg = new FakeRegistry();
    reg.publish(manifestOf(3));
    const prev = await accepted(reg);
    const res = await fetchManifest(prev, { url: `${reg.base}manifest.json`, fetch: reg.fetch });
    expect(res).toEqual({ status: 'unchanged', serial: 3, etag: prev.etag, lastModified: prev.lastModified });
    expect(reg.requests[1]!.init.headers).toEqual({
      'If-None-Match': prev.etag,
      'If-Modified-Since': prev.lastModified,
    });
  });

  it('cross-origin, leaves revalidation to the HTTP cache (explicit conditional headers would need a CORS preflight)', async () => {
    const reg = new FakeRegistry();
    reg.publish(manifestOf(3));
    const prev = await accepted(reg);
    const g = globalThis as { location?: { origin: string } };
    g.location = { origin: 'https://app.test' };
    try {
      const res = await fetchManifest(prev, { url: `${reg.base}manifest.json`, fetch: reg.fetch });
      // The browser's cache answers 304 itself and hands back the cached body: same serial → unchanged.
      expect(res).toMatchObject({ status: 'unchanged', serial: 3 });
      expect(reg.requests.at(-1)!.init).toMatchObject({ cache: 'no-cache', headers: {} });
    } finally {
      delete g.location;
    }
  });

  it('accepts a higher serial and treats the same serial as unchanged', async () => {
    const reg = new FakeRegistry();
    reg.publish(manifestOf(3));
    const prev = await accepted(reg);
    reg.publish({ ...manifestOf(3), published: '2026-11-22T00:00:00Z' }); // new ETag, same serial
    expect((await fetchManifest(prev, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).status).toBe('unchanged');
    reg.publish(manifestOf(4));
    const res = await fetchManifest(prev, { url: `${reg.base}manifest.json`, fetch: reg.fetch });
    expect(res.status === 'updated' && res.manifest.serial).toBe(4);
  });

  it('refuses a serial lower than the last accepted one (replay)', async () => {
    const reg = new FakeRegistry();
    reg.publish(manifestOf(7));
    const prev = await accepted(reg);
    reg.publish(manifestOf(5));
    const err = await fetchManifest(prev, { url: `${reg.base}manifest.json`, fetch: reg.fetch }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'ManifestRejected' });
    expect((err as { reason: string }).reason).toMatch(/serial 5 is lower than the last accepted serial 7/);
  });

  it('refuses invalid JSON and off-schema manifests with the reason', async () => {
    const reg = new FakeRegistry();
    reg.publishText('{"schema": 1, "serial": 2,');
    await expect(fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).rejects.toMatchObject(
      {
        name: 'ManifestRejected',
        reason: expect.stringMatching(/is not valid JSON/),
      },
    );
    const bad = manifestOf(2) as unknown as { models: Record<string, { stable: string }> };
    bad.models['face-detector']!.stable = '9.9.9';
    reg.publishText(JSON.stringify(bad));
    await expect(fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).rejects.toMatchObject(
      {
        name: 'ManifestRejected',
        reason: expect.stringMatching(/stable.*9\.9\.9, which is not in versions/),
      },
    );
  });

  it('refuses with a short reason free of control and bidi characters, whatever the manifest quotes', async () => {
    const reg = new FakeRegistry();
    const name = `\u202e\u001b[2J${'x'.repeat(900_000)}\u2066`;
    const rejected = async () =>
      (await fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch }).catch(
        (e: unknown) => e,
      )) as { name: string; reason: string; message: string };
    // A 900 KB field name (under the size cap), and invalid JSON whose parse error quotes the text.
    reg.publishText(JSON.stringify({ ...manifestOf(2), [name]: 1 }));
    const schema = await rejected();
    reg.publishText(`{"schema": ${name}`);
    const syntax = await rejected();
    expect(schema.reason).toMatch(/^invalid manifest: manifest\["\[2Jx+…"\] is not a schema 1 field/);
    expect(syntax.reason).toMatch(/is not valid JSON/);
    for (const err of [schema, syntax]) {
      expect(err.name).toBe('ManifestRejected');
      expect(err.reason.length).toBeLessThan(400);
      expect(err.reason).not.toMatch(UNSAFE_CHARS);
      expect(err.message).not.toMatch(UNSAFE_CHARS);
    }
  });

  describe('size cap', () => {
    /** An 8 MiB manifest body in 64 KiB chunks that counts what was read from it. */
    function bigBody(headers: Record<string, string> = {}) {
      const seen = { pulled: 0, cancelled: false };
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      const body = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"schema": 1, "padding": "'));
          },
          pull(controller) {
            if (seen.pulled >= 8 * 1024 * 1024) return controller.close();
            seen.pulled += chunk.length;
            controller.enqueue(chunk.slice());
          },
          cancel() {
            seen.cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      return { seen, response: () => new Response(body, { status: 200, headers: { ETag: '"big"', ...headers } }) };
    }

    it('is 1 MiB', () => {
      expect(MAX_MANIFEST_BYTES).toBe(1024 * 1024);
    });

    it('refuses a body above 1 MiB as soon as the cap is passed, without reading the rest', async () => {
      const reg = new FakeRegistry();
      const { seen, response } = bigBody();
      reg.overrides.set('manifest.json', response);
      const t0 = performance.now();
      const err = await fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({
        name: 'ManifestRejected',
        reason: expect.stringMatching(/^manifest is larger than 1 MiB/),
        info: { etag: '"big"' },
      });
      expect(seen.pulled).toBeGreaterThan(MAX_MANIFEST_BYTES - 64 * 1024);
      expect(seen.pulled).toBeLessThanOrEqual(MAX_MANIFEST_BYTES + 64 * 1024);
      expect(seen.cancelled).toBe(true);
      expect(performance.now() - t0).toBeLessThan(1000);
    });

    it('refuses at once, reading nothing, when Content-Length says it is larger', async () => {
      const reg = new FakeRegistry();
      const { seen, response } = bigBody({ 'Content-Length': '95000000' });
      reg.overrides.set('manifest.json', response);
      await expect(
        fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch }),
      ).rejects.toMatchObject({
        name: 'ManifestRejected',
        reason: expect.stringMatching(/^manifest is larger than 1 MiB \(Content-Length: 95000000 bytes\)/),
      });
      expect(seen.pulled).toBe(0);
      expect(seen.cancelled).toBe(true);
    });

    it('accepts a manifest of exactly 1 MiB and refuses one byte more', async () => {
      const reg = new FakeRegistry();
      const text = JSON.stringify(manifestOf(2));
      const padded = (n: number) => text + ' '.repeat(n - new TextEncoder().encode(text).length);
      reg.publishText(padded(MAX_MANIFEST_BYTES));
      expect((await fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).status).toBe(
        'updated',
      );
      reg.publishText(padded(MAX_MANIFEST_BYTES + 1));
      await expect(
        fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch }),
      ).rejects.toMatchObject({ name: 'ManifestRejected', reason: expect.stringMatching(/larger than 1 MiB/) });
    });
  });

  it('reports HTTP and network errors as RegistryUnavailable', async () => {
    const reg = new FakeRegistry();
    reg.overrides.set('manifest.json', () => new Response('oops', { status: 503 }));
    await expect(fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).rejects.toMatchObject(
      {
        name: 'RegistryUnavailable',
        status: 503,
      },
    );
    reg.overrides.set('manifest.json', () => {
      throw new TypeError('fetch failed');
    });
    await expect(fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).rejects.toMatchObject(
      {
        name: 'RegistryUnavailable',
        reason: expect.stringMatching(/fetch failed/),
      },
    );
  });

  it('reports a body that breaks off as RegistryUnavailable, not as invalid JSON', async () => {
    const reg = new FakeRegistry();
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"schema": 1, "ser'));
        controller.error(new TypeError('network error'));
      },
    });
    reg.overrides.set('manifest.json', () => new Response(broken));
    await expect(fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch })).rejects.toMatchObject(
      {
        name: 'RegistryUnavailable',
        reason: expect.stringMatching(/manifest\.json broke off mid-answer \(network error\)/),
      },
    );
  });

  it('lets an abort through as AbortError', async () => {
    const reg = new FakeRegistry();
    reg.publish(manifestOf(1));
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(
      fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch, signal: ctrl.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('manifest signatures (ES256 over canonical JSON)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as unknown as EcPublicJwk;
  const signed = (m: Manifest, encoding: 'der' | 'ieee-p1363', keyId = 'dev-1'): Manifest => {
    const { signature: _s, ...unsigned } = m;
    const value = nodeSign('sha256', Buffer.from(canonicalJson(unsigned)), {
      key: privateKey,
      dsaEncoding: encoding,
    }).toString('base64');
    return { ...unsigned, signature: { alg: 'ES256', keyId, value } };
  };
  const verify = createManifestVerifier({ 'dev-1': jwk });

  it('accepts raw (WebCrypto) and DER (Node default) signatures', async () => {
    await expect(verify(signed(manifestOf(1), 'ieee-p1363'))).resolves.toBeUndefined();
    await expect(verify(signed(manifestOf(1), 'der'))).resolves.toBeUndefined();
  });

  it('refuses tampered, unsigned and unknown-key manifests', async () => {
    const tampered = { ...signed(manifestOf(1), 'ieee-p1363'), serial: 2 };
    await expect(verify(tampered)).rejects.toMatchObject({
      name: 'SignatureError',
      message: expect.stringMatching(/does not verify/),
    });
    await expect(verify(manifestOf(1))).rejects.toThrow(/not signed/);
    await expect(verify(signed(manifestOf(1), 'der', 'other'))).rejects.toThrow(/unknown key "other"/);
  });

  it('plugs into fetchManifest: a bad signature rejects the manifest', async () => {
    const reg = new FakeRegistry();
    reg.publish({ ...signed(manifestOf(1), 'der'), published: '2026-11-23T00:00:00Z' });
    await expect(
      fetchManifest(undefined, { url: `${reg.base}manifest.json`, fetch: reg.fetch, verifySignature: verify }),
    ).rejects.toMatchObject({ name: 'ManifestRejected', reason: expect.stringMatching(/signature check failed/) });
    reg.publish(signed(manifestOf(2), 'der'));
    const ok = await fetchManifest(undefined, {
      url: `${reg.base}manifest.json`,
      fetch: reg.fetch,
      verifySignature: verify,
    });
    expect(ok.status).toBe('updated');
  });
});
