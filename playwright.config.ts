/**
 * @file Real-browser tests against the production build, in Debian's headless Chromium (no
 * browser download). Specs live in one folder per area (e2e/README.md); each project picks
 * folders and sets the launch flags they need: plain (photos, CSP), a fake webcam fed from a
 * .y4m made in globalSetup (webcam, updates, faults, security, features; the update specs run
 * against a registry they publish into, served by tools/registry-server on its own origin,
 * which the app follows via `?registry=`), a camera whose permission is denied, and WebGPU's
 * software fallback adapter.
 * The preview server sends the production Content-Security-Policy with the test registries'
 * origin allowed and a report-uri the `app` fixture watches: any violation fails the spec.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { FAKE_VIDEO } from './e2e/support/paths.ts';
import { CSP_REPORT_PATH } from './e2e/support/csp-watch.ts';
import { REGISTRY_ORIGINS_ENV, REPORT_URI_ENV } from './tools/lib/csp.ts';

/** Port of the preview server under test (not 4173, so a running `npm start` does not collide). */
const PORT = Number(process.env.E2E_PORT ?? 4391);

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('No Chromium found: install Debian `chromium` or set CHROMIUM_PATH.');
  return found;
}

/** Flags that keep headless Chromium quiet on a closed network (see RUNTIME-NOTES.md). */
const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** BASE_ARGS plus Chromium's fake camera, fed from the .y4m made in globalSetup. */
const FAKE_CAMERA_ARGS = [
  ...BASE_ARGS,
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${FAKE_VIDEO}`,
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  // Two cores: one browser at a time keeps inference timings meaningful.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    headless: true,
    viewport: { width: 1280, height: 900 },
    // A failure keeps actions, DOM snapshots, console and network, but no screencast: streaming
    // every frame's screenshot took the browser from 69% to 159% of the two cores with the webcam
    // on, and the timing specs measured the harness instead of the app (e2e/README.md).
    trace: { mode: 'retain-on-failure', screenshots: false },
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromiumPath(), args: BASE_ARGS },
  },
  projects: [
    { name: 'photos', testMatch: ['photos/**/*.spec.ts'] },
    {
      name: 'webcam',
      testMatch: ['webcam/**/*.spec.ts'],
      use: { permissions: ['camera'], launchOptions: { executablePath: chromiumPath(), args: FAKE_CAMERA_ARGS } },
    },
    {
      // Everything that follows a test registry while the fake webcam runs.
      name: 'updates',
      testMatch: [
        'updates/**/*.spec.ts',
        'faults/**/*.spec.ts',
        'security/**/*.spec.ts',
        'features/**/*.spec.ts',
        'trymodel/**/*.spec.ts',
      ],
      use: { permissions: ['camera'], launchOptions: { executablePath: chromiumPath(), args: FAKE_CAMERA_ARGS } },
    },
    {
      name: 'camera-denied',
      testMatch: ['camera-denied/**/*.spec.ts'],
      // A device exists, but without the fake-UI flag the permission request is refused.
      use: {
        permissions: [],
        launchOptions: { executablePath: chromiumPath(), args: [...BASE_ARGS, '--use-fake-device-for-media-stream'] },
      },
    },
    {
      name: 'webgpu-fallback',
      testMatch: ['webgpu/**/*.spec.ts'],
      // SwiftShader's WebGPU adapter (isFallbackAdapter: true) is all a GPU-less machine offers.
      use: { launchOptions: { executablePath: chromiumPath(), args: [...BASE_ARGS, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: {
    // `npm test` builds first; a standalone run builds only when dist/ is missing.
    command: `sh -c '[ -f dist/index.html ] && [ -f dist/sw.js ] && [ -f dist/models/manifest.json ] || npm run build; exec npx vite preview --port ${PORT} --strictPort'`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // Test registries listen on 127.0.0.1 at a random port (a port wildcard is valid CSP).
    env: { [REGISTRY_ORIGINS_ENV]: 'http://127.0.0.1:*', [REPORT_URI_ENV]: CSP_REPORT_PATH },
  },
});
