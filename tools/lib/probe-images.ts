/**
 * @file The registry's probe images, made by the project from photos that npm packages ship
 * (each feature's probe recipe names the photo and the region), as lossless PNGs, so the
 * browser decodes exactly the pixels the expectations were computed on. The regions are fixed
 * (not found by a model at build time) so publish-model can create them in a fresh registry
 * without any model; tests check that the shipped models really find what they should in them.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { ProbeImageSource, ProbeRecipe } from '../../src/shared/feature.ts';
import { exists, writeFileAtomic } from './registry-io.ts';

const require = createRequire(import.meta.url);

/**
 * The directory of an installed package. Some packages (@vladmandic/human) hide package.json
 * behind `exports`, so this walks up from the resolved entry point to the directory whose
 * package.json carries the name.
 */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name)
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the directory of package ${name}`);
    dir = parent;
  }
}

/** The absolute path of a probe's source photo. */
export function probePhotoPath(source: ProbeImageSource): string {
  return join(packageDir(source.photo.package), source.photo.path);
}

/** Renders a probe image (PNG bytes); deterministic for a given sharp/libvips version. */
export async function renderProbeImage(recipe: Pick<ProbeRecipe, 'source'>): Promise<Uint8Array> {
  const { region, size } = recipe.source;
  const png = await sharp(probePhotoPath(recipe.source))
    .extract(region)
    .resize(size, size, { kernel: 'lanczos3' })
    .removeAlpha()
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/**
 * The probe image of `recipe` in `registryDir`: the registry's own copy when present (never
 * replaced: published expectations refer to it), else freshly rendered. `write` stores a
 * rendered one in the registry.
 */
export async function loadProbeImage(
  registryDir: string,
  recipe: Pick<ProbeRecipe, 'image' | 'source'>,
): Promise<{ path: string; png: Uint8Array; existing: boolean; write: () => Promise<void> }> {
  const path = recipe.image;
  const file = join(registryDir, path);
  if (await exists(file)) {
    const png = new Uint8Array(await readFile(file));
    return { path, png, existing: true, write: async () => undefined };
  }
  const png = await renderProbeImage(recipe);
  return { path, png, existing: false, write: () => writeFileAtomic(file, png) };
}
