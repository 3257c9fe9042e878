/**
 * @file Makes what the specs need, once per run: the fake-webcam .y4m (ffmpeg), the reference
 * annotations of the six samples from the real CLI (`npm run annotate --json`: same models,
 * same pipeline, in Node), the bad files, every converted ONNX file (`npm run convert`), a faulty
 * detector for the runtime-rollback spec, and the base model registry of the update specs
 * (`npm run publish-model`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  openSync,
  closeSync,
  ftruncateSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { MAX_FILE_BYTES } from '../../src/shared/pipeline/limits.ts';
import sharp from 'sharp';
import { writeFaultyDetector } from './faulty-detector.ts';
import {
  ANNOTATE_JSON,
  ARTIFACTS,
  BAD_FILES_DIR,
  BASE_REGISTRY,
  CONVERTED,
  FAKE_VIDEO,
  LARGE_PHOTO,
  MODEL_FILES,
  SAMPLES,
  SCREENSHOTS,
  WEBCAM_SOURCE,
} from './paths.ts';

function makeFakeVideo(): void {
  if (existsSync(FAKE_VIDEO) && statSync(FAKE_VIDEO).mtimeMs > statSync(WEBCAM_SOURCE).mtimeMs) return;
  // One 640-wide frame looped: Chromium replays the file forever at its 15 fps.
  execFileSync(
    'ffmpeg',
    [
      '-y',
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-i',
      WEBCAM_SOURCE,
      '-t',
      '2',
      '-vf',
      'scale=640:-2',
      '-pix_fmt',
      'yuv420p',
      '-r',
      '15',
      FAKE_VIDEO,
    ],
    { stdio: 'inherit' },
  );
}

async function makeLargePhoto(): Promise<void> {
  if (existsSync(LARGE_PHOTO)) return;
  await sharp(SAMPLES[2]!).resize({ width: 3840 }).jpeg({ quality: 90 }).toFile(LARGE_PHOTO);
}

function annotateSamples(): void {
  // Always re-run: the reference must come from the models the build ships right now.
  const files = [...SAMPLES, LARGE_PHOTO];
  const out = execFileSync('npm', ['run', '--silent', 'annotate', '--', ...files, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const parsed: unknown = JSON.parse(out);
  if (!Array.isArray(parsed) || parsed.length !== files.length) {
    throw new Error(
      `npm run annotate --json printed ${Array.isArray(parsed) ? parsed.length : 'no'} entries for ${files.length} files`,
    );
  }
  writeFileSync(ANNOTATE_JSON, JSON.stringify(parsed, null, 2));
}

function makeBadFiles(): void {
  mkdirSync(BAD_FILES_DIR, { recursive: true });
  writeFileSync(join(BAD_FILES_DIR, 'empty.jpg'), new Uint8Array(0));
  writeFileSync(join(BAD_FILES_DIR, 'not-a-photo.jpg'), 'This is a text file with a .jpg name.\n');
  const jpeg = readFileSync(SAMPLES[1]!);
  writeFileSync(join(BAD_FILES_DIR, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.4)));
  // A sparse file just over the byte limit, starting like a real JPEG.
  const huge = join(BAD_FILES_DIR, 'huge.jpg');
  writeFileSync(huge, jpeg.subarray(0, 4096));
  const fd = openSync(huge, 'r+');
  ftruncateSync(fd, MAX_FILE_BYTES + 1024);
  closeSync(fd);
}

/** Writes every converted ONNX file (the update specs publish some of them). */
function convertModels(): void {
  execFileSync('npm', ['run', '--silent', 'convert', '--', '--out', CONVERTED], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The base registry of the update specs: the three models at 1.0.0, published with
 * `npm run publish-model` (so signed and probed like any real publish). Rebuilt only when the
 * converter's output or the signing key changed.
 */
function publishBaseRegistry(): void {
  const wanted: Array<[string, string, string]> = [
    ['face-detector', MODEL_FILES.tiny416, 'face-detection'],
    ['face-attributes', MODEL_FILES.attributes, 'face-attributes'],
    ['face-expression', MODEL_FILES.expression, 'face-expression'],
  ];
  const manifestPath = join(BASE_REGISTRY, 'manifest.json');
  const keyPath = join('keys', 'dev-1.public.jwk.json');
  if (
    existsSync(manifestPath) &&
    (!existsSync(keyPath) || statSync(keyPath).mtimeMs < statSync(manifestPath).mtimeMs)
  ) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      models: Record<string, { versions: Record<string, { sha256: string }> }>;
    };
    if (wanted.every(([id, file]) => manifest.models[id]?.versions['1.0.0']?.sha256 === sha256(file))) return;
  }
  rmSync(BASE_REGISTRY, { recursive: true, force: true });
  for (const [id, file, task] of wanted) {
    execFileSync(
      'npm',
      ['run', '--silent', 'publish-model', '--', '--registry', BASE_REGISTRY, '--id', id, '--version', '1.0.0'].concat([
        '--file',
        file,
        '--task',
        task,
      ]),
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
}

export default async function globalSetup(): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  makeFakeVideo();
  makeBadFiles();
  await makeLargePhoto();
  annotateSamples();
  convertModels();
  mkdirSync(dirname(MODEL_FILES.nanOnDark), { recursive: true });
  writeFaultyDetector(MODEL_FILES.nanOnDark);
  publishBaseRegistry();
}
