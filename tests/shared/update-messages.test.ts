/**
 * @file The shared update contract: message validators accept every well-formed message and
 * drop malformed or foreign ones (other app versions share the channel), the typed channel
 * delivers only valid messages across real BroadcastChannels, and model files never enter
 * the app-shell precache.
 */
import { describe, expect, it } from 'vitest';
import {
  isModelsMessage,
  isSwRequest,
  isUpdateLogRecord,
  MODELS_CHANNEL,
  type ModelsMessage,
  type UpdateLogRecord,
} from '../../src/shared/update-messages.ts';
import { openModelsChannel } from '../../src/models/common/models-channel.ts';
import { isModelUrl, withoutModels } from '../../src/update/sw/precache-filter.ts';

const ref = { id: 'face-detector', version: '2.0.0', sha256: 'a'.repeat(64) };
const record: UpdateLogRecord = {
  time: 1,
  model: 'face-detector',
  version: '2.0.0',
  sha256: 'a'.repeat(64),
  stage: 'probed',
  outcome: 'rejected',
  reason: 'x',
  durationMs: 3,
  source: 'worker',
};
const valid: ModelsMessage[] = [
  { type: 'manifest-accepted', serial: 3, changed: true },
  { type: 'manifest-rejected', reason: 'bad' },
  { type: 'registry-unavailable', reason: 'offline' },
  { type: 'model-found', ...ref, channel: 'canary', bytes: 10 },
  { type: 'model-progress', ...ref, loaded: 1, total: 10 },
  { type: 'model-ready', ...ref },
  { type: 'model-rejected', ...ref, stage: 'runtime', reason: 'NaN' },
  { type: 'model-failed', ...ref, reason: '502' },
  { type: 'model-serving', ...ref },
  {
    type: 'model-rolled-back',
    id: 'face-detector',
    from: ref,
    to: { version: '1.0.0', sha256: 'b'.repeat(64) },
    reason: 'x',
  },
  { type: 'log', record },
];

describe('update messages', () => {
  it.each(valid.map((m) => [m.type, m] as const))('accepts a well-formed %s message', (_t, m) => {
    expect(isModelsMessage(m)).toBe(true);
    expect(isModelsMessage(structuredClone(m))).toBe(true);
  });

  it('drops malformed and foreign messages', () => {
    expect(isModelsMessage(null)).toBe(false);
    expect(isModelsMessage({ type: 'model-ready', id: 'x', version: '1.0.0' })).toBe(false);
    expect(isModelsMessage({ type: 'model-found', ...ref, channel: 'beta', bytes: 1 })).toBe(false);
    expect(isModelsMessage({ type: 'model-rejected', ...ref, stage: 'nowhere', reason: 'x' })).toBe(false);
    expect(isModelsMessage({ type: 'model-progress', ...ref, loaded: Number.NaN, total: 1 })).toBe(false);
    expect(isModelsMessage({ type: 'log', record: { ...record, outcome: 'great' } })).toBe(false);
    expect(isModelsMessage({ type: 'something-new' })).toBe(false);
    expect(isUpdateLogRecord({ ...record, source: 'server' })).toBe(false);
  });

  it('validates page → service worker requests', () => {
    expect(isSwRequest({ type: 'check-for-updates', reason: 'user' })).toBe(true);
    expect(isSwRequest({ type: 'configure', pollIntervalMs: 1000 })).toBe(true);
    expect(isSwRequest({ type: 'configure', registryUrl: 'https://r.test/models/' })).toBe(true);
    expect(isSwRequest({ type: 'SKIP_WAITING' })).toBe(true);
    expect(isSwRequest({ type: 'configure', pollIntervalMs: -5 })).toBe(false);
    expect(isSwRequest({ type: 'configure', stallTimeoutMs: 3000 })).toBe(true);
    expect(isSwRequest({ type: 'configure', stallTimeoutMs: 0 })).toBe(false);
    expect(isSwRequest({ type: 'configure', stallTimeoutMs: '3000' })).toBe(false);
    expect(isSwRequest({ type: 'check-for-updates' })).toBe(false);
    expect(isSwRequest({ type: 'skip-waiting' })).toBe(false);
  });

  it('delivers only valid messages over a real BroadcastChannel', async () => {
    const sender = openModelsChannel();
    const receiver = openModelsChannel();
    const raw = new BroadcastChannel(MODELS_CHANNEL);
    const got: ModelsMessage[] = [];
    const done = new Promise<void>((resolve) =>
      receiver.subscribe((m) => {
        got.push(m);
        if (m.type === 'model-serving') resolve();
      }),
    );
    raw.postMessage({ type: 'model-ready', id: 'broken' });
    sender.post({ type: 'model-ready', ...ref });
    sender.post({ type: 'model-serving', ...ref });
    await done;
    expect(got).toEqual([
      { type: 'model-ready', ...ref },
      { type: 'model-serving', ...ref },
    ]);
    for (const c of [sender, receiver]) c.close();
    raw.close();
  });
});

describe('precache filter', () => {
  it('keeps models out of the app-shell precache', () => {
    expect(isModelUrl('models/manifest.json')).toBe(true);
    expect(isModelUrl('/models/blobs/sha256-abc.onnx')).toBe(true);
    expect(isModelUrl('https://app.test/models/probe/face-112.png')).toBe(true);
    expect(isModelUrl('assets/tiny.onnx?v=2')).toBe(true);
    expect(isModelUrl('assets/ort-wasm-simd-threaded.jsep.wasm')).toBe(false);
    expect(isModelUrl('index.html')).toBe(false);
    expect(isModelUrl('assets/models-panel-abc123.js')).toBe(false);
    const entries = [
      { url: 'index.html', revision: '1' },
      'models/manifest.json',
      { url: 'assets/app.js', revision: null },
    ];
    expect(withoutModels(entries)).toEqual([
      { url: 'index.html', revision: '1' },
      { url: 'assets/app.js', revision: null },
    ]);
  });
});
