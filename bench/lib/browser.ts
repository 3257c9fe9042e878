/**
 * @file Launches Debian's Chromium through Playwright (never a downloaded browser) with the
 * flags that keep Chromium quiet on a closed network. The GPU is left enabled so a machine
 * with a real GPU shows its WebGPU adapter; headless here falls back to SwiftShader, which the
 * sections detect and report. Profiles are fresh directories under bench/.tmp/profiles.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { FAKE_VIDEO, PROFILES } from './paths.ts';

/** The Chromium binary (CHROMIUM_PATH overrides). */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('No Chromium found: install Debian `chromium` or set CHROMIUM_PATH.');
  return found;
}

/** `chromium --version`, e.g. "Chromium 156.0.8078.79". */
export function chromiumVersion(): string {
  return execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim();
}

/** Flags every bench browser gets. */
export const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Background tabs must not be throttled: the pipeline section interleaves three pages.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // WebGPU is probed (and used only on a real adapter); WebGL may fall back to SwiftShader.
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  // measureUserAgentSpecificMemory() answers at once instead of at the next natural GC.
  '--enable-blink-features=ForceEagerMeasureMemory',
];

/** Flags that feed Chromium's fake camera from the bench's .y4m and grant it without a prompt. */
export const CAMERA_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${FAKE_VIDEO}`,
];

/** Options for {@link launch} and {@link launchProfile}. */
export interface LaunchOptions {
  camera?: boolean;
  /** The fake camera plays this .y4m instead of the still FAKE_VIDEO (implies `camera`). */
  cameraFile?: string;
  /** launchProfile: reopen the existing profile (a repeat visit) instead of starting empty. */
  reuse?: boolean;
  /** Extra Chromium flags (e.g. a feature switched off for a control visit). */
  extraArgs?: string[];
}

let jsFlags: string | null = null;

/** V8 flags for every browser started from now on (`npm run bench -- --js-flags`, diagnosis only). */
export function useJsFlags(flags: string | null): void {
  jsFlags = flags;
}

function args(opts: LaunchOptions): string[] {
  const v8 = jsFlags ? [`--js-flags=${jsFlags}`] : [];
  const camera = opts.cameraFile
    ? CAMERA_ARGS.map((a) =>
        a.startsWith('--use-file-for-fake-video-capture=') ? `${a.split('=')[0]}=${opts.cameraFile}` : a,
      )
    : opts.camera
      ? CAMERA_ARGS
      : [];
  return [...BASE_ARGS, ...v8, ...camera, ...(opts.extraArgs ?? [])];
}

/** The on-disk directory of profile `name`. */
export function profileDir(name: string): string {
  return join(PROFILES, name);
}

/** A browser with throwaway (in-memory) contexts. */
export function launch(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: args(opts) });
}

/**
 * A browser on an on-disk profile — brand new unless `reuse` — where the HTTP cache, IndexedDB
 * and service workers persist across launches, as they do for a returning user.
 */
export async function launchProfile(name: string, opts: LaunchOptions = {}): Promise<BrowserContext> {
  const dir = profileDir(name);
  if (!opts.reuse) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    args: args(opts),
    viewport: { width: 1280, height: 900 },
    ...(opts.camera || opts.cameraFile ? { permissions: ['camera'] } : {}),
  });
}
