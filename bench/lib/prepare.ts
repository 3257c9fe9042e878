/**
 * @file Everything the sections need on disk before a run: the app's production build (built
 * when missing), the bench pages (always rebuilt: seconds), and the fake-webcam stream.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { APP, BENCH, DIST, FAKE_VIDEO, ROOT, SAMPLES_DIR, TMP } from './paths.ts';

/** Runs `npm run build` when dist/ lacks the app or its registry. */
export function ensureDist(log: (m: string) => void): void {
  if (existsSync(join(DIST, 'index.html')) && existsSync(join(DIST, 'models', 'manifest.json'))) return;
  log('dist/ is missing: running `npm run build`');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('`npm run build` failed; fix the build, then run the bench again');
}

/** Copies dist/ to bench/.tmp/app, the build this run serves. */
export async function snapshotDist(): Promise<void> {
  await rm(APP, { recursive: true, force: true });
  await cp(DIST, APP, { recursive: true });
}

/** Builds bench/pages into bench/.tmp/pages. */
export async function buildPages(): Promise<void> {
  await build({ configFile: join(BENCH, 'vite.config.ts'), logLevel: 'error' });
}

/** The webcam photo looped at 15 fps, 640 px wide (what the e2e webcam uses too). */
export function ensureFakeVideo(): void {
  mkdirSync(TMP, { recursive: true });
  const source = join(SAMPLES_DIR, 'sample1.jpg');
  if (existsSync(FAKE_VIDEO) && statSync(FAKE_VIDEO).mtimeMs > statSync(source).mtimeMs) return;
  execFileSync(
    'ffmpeg',
    ['-y', '-loglevel', 'error', '-loop', '1', '-i', source, '-t', '2', '-vf', 'scale=640:-2'].concat([
      '-pix_fmt',
      'yuv420p',
      '-r',
      '15',
      FAKE_VIDEO,
    ]),
    { stdio: 'inherit' },
  );
}

/** Frame rate of the fake webcam stream. */
export const FAKE_VIDEO_FPS = 15;
