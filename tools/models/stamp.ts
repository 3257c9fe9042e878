/**
 * @file The "inputs unchanged" check of `npm run models`: one hash over everything that can
 * change the registry's bytes (face-api's weights and the probe photo, the converter, registry
 * and shared pipeline sources, the versions of onnxruntime-web, sharp/libvips and face-api,
 * SOURCE_DATE_EPOCH). When it matches the stamp stored beside the registry and every file the
 * manifest names is present, the build is skipped.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../lib/project-root.ts';

/** The stamp's file name inside the registry directory. */
export const STAMP_FILE = '.build-stamp.json';

/** Source trees whose code shapes the registry's bytes. */
const SOURCE_DIRS = ['tools/convert', 'tools/models', 'tools/lib', 'src/shared', 'src/inference/engine'];

/** Packages whose code shapes the registry's bytes. */
const PACKAGES = ['onnxruntime-web', 'sharp', '@vladmandic/face-api'];

function listFiles(dir: string, filter: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && filter(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function packageVersion(name: string): string {
  // Read the file directly: some packages (onnxruntime-web) do not export ./package.json.
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Hash over all build inputs; `extra` carries build options (e.g. the probe photo path). */
export function inputsHash(weightsDir: string, extraFiles: readonly string[]): string {
  const h = createHash('sha256');
  const add = (label: string, data: string | Uint8Array): void => {
    h.update(`${label}\0${typeof data === 'string' ? data.length : data.byteLength}\0`);
    h.update(data);
  };
  for (const dir of SOURCE_DIRS) {
    const abs = join(PROJECT_ROOT, dir);
    try {
      statSync(abs);
    } catch {
      continue;
    }
    for (const file of listFiles(abs, (n) => n.endsWith('.ts'))) {
      add(`src:${relative(PROJECT_ROOT, file).split(sep).join('/')}`, readFileSync(file));
    }
  }
  for (const file of listFiles(weightsDir, () => true))
    add(`weights:${relative(weightsDir, file)}`, readFileSync(file));
  for (const file of extraFiles) add(`input:${file}`, readFileSync(file));
  for (const name of PACKAGES) add(`pkg:${name}`, packageVersion(name));
  add('vips', sharp.versions.vips);
  add('SOURCE_DATE_EPOCH', process.env.SOURCE_DATE_EPOCH ?? '');
  return h.digest('hex');
}
