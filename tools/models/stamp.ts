/**
 * @file The "inputs unchanged" check of `npm run models`: one hash over everything that can
 * change the registry's bytes: the source files the registry build imports (followed from its
 * entry file, so an edit elsewhere in the app does not rebuild the models), the weights and
 * probe photos, the versions of the packages that shape the bytes (onnxruntime-web,
 * sharp/libvips, the weight packages) and SOURCE_DATE_EPOCH. When it matches the stamp and
 * every file the manifest names is present, the build is skipped. The stamp lives in
 * node_modules/.cache, never inside the registry (which is served and shipped).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../lib/project-root.ts';

/** Packages whose code shapes the registry's bytes. */
const PACKAGES = ['onnxruntime-web', 'sharp', '@vladmandic/face-api', '@vladmandic/human'];

/** Where the stamp of a registry built into `outDir` is kept. */
export function stampPath(outDir: string): string {
  const key = createHash('sha256').update(resolve(outDir)).digest('hex').slice(0, 16);
  return join(PROJECT_ROOT, 'node_modules', '.cache', 'hotlens-models', `${key}.json`);
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Every project source file `entry` imports, directly or not (relative imports only), sorted. */
export function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), (m[1] ?? m[2])!);
      if (existsSync(target) && /\.tsx?$/.test(target)) visit(target);
    }
  };
  visit(resolve(entry));
  return [...seen].sort();
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.push(p);
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

/** Hash over all build inputs: the import closure of `entry`, the weight directories and other input files. */
export function inputsHash(entry: string, weightDirs: readonly string[], extraFiles: readonly string[]): string {
  const h = createHash('sha256');
  const add = (label: string, data: string | Uint8Array): void => {
    h.update(`${label}\0${typeof data === 'string' ? data.length : data.byteLength}\0`);
    h.update(data);
  };
  for (const file of importClosure(entry)) {
    add(`src:${relative(PROJECT_ROOT, file).split(sep).join('/')}`, readFileSync(file));
  }
  for (const dir of weightDirs) {
    for (const file of listFiles(dir)) add(`weights:${relative(PROJECT_ROOT, file)}`, readFileSync(file));
  }
  for (const file of [...extraFiles].sort()) add(`input:${file}`, readFileSync(file));
  for (const name of PACKAGES) add(`pkg:${name}`, packageVersion(name));
  add('vips', sharp.versions.vips);
  add('SOURCE_DATE_EPOCH', process.env.SOURCE_DATE_EPOCH ?? '');
  return h.digest('hex');
}
