/**
 * @file The settings the page URL gives (registry, poll interval, threads, backend, stall) and
 * the engine options made of them.
 */
import { describe, expect, it } from 'vitest';
import { engineOptionsOf, settingsFromUrl } from '../../src/store/app-settings.ts';

describe('settingsFromUrl', () => {
  it('defaults to the models/ folder next to the app', () => {
    expect(settingsFromUrl('http://127.0.0.1:4173/?camera=on', './')).toEqual({
      registryUrl: 'http://127.0.0.1:4173/models/',
    });
    expect(settingsFromUrl('https://x.test/app/index.html', '/app/')).toEqual({
      registryUrl: 'https://x.test/app/models/',
    });
  });

  it('reads ?registry (absolute or relative, with a trailing slash added), ?poll, ?threads and ?backend', () => {
    const registry = encodeURIComponent('http://127.0.0.1:9000/reg');
    expect(
      settingsFromUrl(`http://127.0.0.1:4173/?registry=${registry}&poll=1000&threads=1&backend=wasm`, './'),
    ).toEqual({ registryUrl: 'http://127.0.0.1:9000/reg/', pollIntervalMs: 1000, threads: 1, backend: 'wasm' });
    expect(settingsFromUrl('https://x.test/app/?registry=cdn/models/', '/app/').registryUrl).toBe(
      'https://x.test/app/cdn/models/',
    );
    expect(settingsFromUrl('https://x.test/?poll=soon&threads=-1&backend=cuda&stall=0', './')).toEqual({
      registryUrl: 'https://x.test/models/',
    });
    expect(settingsFromUrl('https://x.test/?stall=3000', './').stallTimeoutMs).toBe(3000);
  });

  it('refuses a ?registry= on an origin the build does not allow: the app’s own registry, and the refusal', () => {
    const other = encodeURIComponent('https://models.example.com/hotlens/');
    expect(settingsFromUrl(`https://app.example/?registry=${other}`, './')).toEqual({
      registryUrl: 'https://app.example/models/',
      registryRefused: 'https://models.example.com/hotlens/',
    });
    expect(settingsFromUrl(`https://app.example/?registry=${other}`, './', ['https://models.example.com'])).toEqual({
      registryUrl: 'https://models.example.com/hotlens/',
    });
    // Same origin is always allowed (a respelled URL is the replay floor's business, not this one's).
    expect(settingsFromUrl('https://app.example/?registry=models/%3F', './').registryRefused).toBeUndefined();
    // A hostile value is quoted safely.
    const hostile = encodeURIComponent(`https://evil.test/\u202e${'x'.repeat(5000)}`);
    const refused = settingsFromUrl(`https://app.example/?registry=${hostile}`, './').registryRefused!;
    expect(refused.length).toBeLessThanOrEqual(201);
    expect(refused).not.toContain('\u202e');
  });
});

describe('engineOptionsOf', () => {
  it('gives the engine the registry, threads, backend and stall limit, and nothing the page keeps to itself', () => {
    const settings = settingsFromUrl(
      'https://x.test/?threads=2&backend=wasm&stall=3000&poll=1000&features=faces',
      './',
    );
    expect(engineOptionsOf(settings)).toEqual({
      registryUrl: 'https://x.test/models/',
      threads: 2,
      backend: 'wasm',
      stallTimeoutMs: 3000,
    });
    expect(engineOptionsOf(settingsFromUrl('https://x.test/', './'))).toEqual({
      registryUrl: 'https://x.test/models/',
      threads: undefined,
      backend: undefined,
      stallTimeoutMs: undefined,
    });
  });
});
