/**
 * @file The registry the bench serves at /models/: a copy of the build's registry
 * (dist/models, via the run's snapshot) that the swap and memory sections publish into, so the app under test sees
 * real, signed publishes while dist/ stays untouched for everyone else. A publish here is what
 * `npm run publish-model` does (same library, same signing key resolution).
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../src/shared/manifest-types.ts';
import { publishModel } from '../../tools/publish/publish.ts';
import { readManifest, writeManifest } from '../../tools/lib/registry-io.ts';
import { signManifest, verifyManifestSignature } from '../../tools/lib/signing.ts';
import { resolveSigningKey } from '../../tools/keys/key-store.ts';
import { APP, REGISTRY } from './paths.ts';

/** Replaces bench/.tmp/registry with a fresh copy of the served build's registry. */
export async function resetRegistry(): Promise<void> {
  await rm(REGISTRY, { recursive: true, force: true });
  await cp(join(APP, 'models'), REGISTRY, { recursive: true });
}

/** The registry's manifest (throws when it is missing). */
export async function registryManifest(dir = REGISTRY): Promise<Manifest> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new Error(`${dir} has no manifest.json; run \`npm run build\``);
  return manifest;
}

/**
 * Publishes `version` of `id` as stable from another file of the registry (e.g. the
 * 416-float32 variant of face-detector 1.0.0): a second version whose bytes and session differ
 * but whose cost per frame is the same, so frame intervals stay comparable across swaps.
 */
export async function publishVariantAsVersion(id: string, fromVersion: string, variant: string, version: string) {
  const manifest = await registryManifest();
  const file = manifest.models[id]?.versions[fromVersion]?.variants?.[variant];
  if (!file) throw new Error(`the registry has no ${id}@${fromVersion} variant ${variant}`);
  const { key } = await resolveSigningKey();
  return publishModel({
    registry: REGISTRY,
    id,
    version,
    file: join(REGISTRY, file.blob),
    sign: (m) => Promise.resolve(signManifest(m, key)),
    signedBy: (m) => verifyManifestSignature(m, key.keyId, key.publicJwk),
  });
}

/** Points `id`'s stable label at `version` under a higher serial and re-signs: a publish that needs no new blob. */
export async function publishStable(id: string, version: string): Promise<Manifest> {
  const current = await registryManifest();
  const entry = current.models[id];
  if (!entry?.versions[version]) throw new Error(`the registry has no ${id}@${version} to publish as stable`);
  const { key } = await resolveSigningKey();
  const next: Manifest = {
    ...current,
    serial: current.serial + 1,
    published: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    models: { ...current.models, [id]: { ...entry, stable: version } },
  };
  delete next.signature;
  next.signature = signManifest(next, key);
  await writeManifest(REGISTRY, next);
  return next;
}
