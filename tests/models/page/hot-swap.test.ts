/**
 * @file The pieces around a hot swap: the compatibility check that runs before any session
 * exists, which errors are transient (retry later) rather than the version's fault, the stage
 * board the UI reads, and where a tab starts its manifest from.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { compatProblems, isTransientSwapError } from '../../../src/models/page/hot-swap.ts';
import { TASKS } from '../../../src/features/index.ts';
import { StageBoard } from '../../../src/models/page/stage-board.ts';
import { startManifest } from '../../../src/models/page/start-manifest.ts';
import { resolveSpec } from '../../../src/models/page/serving-set.ts';
import { ModelCompileError, ModelLoadError, WorkerCrashedError } from '../../../src/shared/errors.ts';
import type { UpdateLogRecord } from '../../../src/shared/update-messages.ts';
import { FakeRegistry, freshStore, nodeSha256 } from '../../helpers/model-fixtures.ts';
import { BYTES, pipelineManifest } from '../../helpers/pipeline-fixtures.ts';

const manifest = pipelineManifest(1, { stable: '1.0.0', versions: { '1.0.0': BYTES.detector1 } });
const detector = resolveSpec(manifest, 'face-detector', { version: '1.0.0', sha256: nodeSha256(BYTES.detector1) })!;
const attributes = resolveSpec(manifest, 'face-attributes', {
  version: '1.0.0',
  sha256: nodeSha256(BYTES.attributes1),
})!;

describe('compatProblems', () => {
  it('passes a version that fits its task and the model it replaces', () => {
    expect(compatProblems(TASKS, detector, detector)).toEqual([]);
  });

  it('names missing outputs, wrong labels and a task change', () => {
    const noScores = { ...detector, file: { ...detector.file, outputs: [detector.file.outputs[0]!] } };
    expect(compatProblems(TASKS, noScores, detector).join('\n')).toMatch(/missing output "scores"/);
    const badLabels = { ...attributes, file: { ...attributes.file, labels: ['female', 'male', 'other'] } };
    expect(compatProblems(TASKS, badLabels, attributes).join('\n')).toMatch(/labels/);
    expect(compatProblems(TASKS, { ...attributes, id: 'face-detector' }, detector).join('\n')).toMatch(
      /serves the face-attributes task, the version it replaces serves face-detection/,
    );
  });
});

describe('isTransientSwapError', () => {
  it('retries crashes, network and storage problems, not the version’s own faults', () => {
    expect(isTransientSwapError(new WorkerCrashedError('oom'))).toBe(true);
    expect(isTransientSwapError({ name: 'ModelLoadError', message: 'offline' })).toBe(true);
    expect(isTransientSwapError(new ModelLoadError('x', 'offline'))).toBe(true);
    expect(isTransientSwapError({ name: 'StorageFullError' })).toBe(true);
    expect(isTransientSwapError(new ModelCompileError('x', 'unsupported op'))).toBe(false);
    expect(isTransientSwapError(new Error('boom'))).toBe(false);
    expect(isTransientSwapError('boom')).toBe(false);
  });
});

describe('StageBoard', () => {
  const record = (stage: UpdateLogRecord['stage'], outcome: UpdateLogRecord['outcome'], reason?: string) => ({
    time: 1,
    model: 'face-detector',
    version: '2.0.0',
    sha256: 'a',
    stage,
    outcome,
    durationMs: 1,
    source: 'worker' as const,
    ...(reason ? { reason } : {}),
  });

  it('follows the log: stages as they complete, idle after release, rejections stay visible', () => {
    let changes = 0;
    const board = new StageBoard(['face-detector'], () => changes++, { now: () => 5, monotonic: () => 5 });
    expect(board.snapshot()['face-detector']).toMatchObject({ stage: 'loading', version: null });
    board.follow(record('compiling', 'ok'));
    expect(board.snapshot()['face-detector']).toMatchObject({ stage: 'compiling', version: '2.0.0', since: 5 });
    board.follow(record('released', 'ok'));
    expect(board.snapshot()['face-detector']!.stage).toBe('idle');
    board.follow(record('probed', 'rejected', 'scores differ'));
    expect(board.snapshot()['face-detector']).toMatchObject({ stage: 'rejected', reason: 'scores differ' });
    board.follow(record('compiling', 'failed', 'worker crashed'));
    expect(board.snapshot()['face-detector']).toMatchObject({ stage: 'idle', reason: 'worker crashed' });
    board.set('face-other', 'found', '1.0.0');
    expect(Object.keys(board.snapshot())).toEqual(['face-detector']);
    expect(changes).toBe(4);
  });
});

describe('startManifest', () => {
  it('uses the stored manifest of this registry without asking the network', async () => {
    const registry = new FakeRegistry();
    const store = freshStore();
    await store.putManifest({
      manifest,
      etag: null,
      lastModified: null,
      acceptedAt: 0,
      checkedAt: 0,
      registryUrl: registry.base,
    });
    expect((await startManifest({ store, registryUrl: registry.base, fetch: registry.fetch })).manifest.serial).toBe(1);
    expect(registry.requests).toEqual([]);
  });

  it('fetches and stores it on a first visit, and keeps a newer one stored meanwhile', async () => {
    const registry = new FakeRegistry();
    registry.publish(manifest);
    const store = freshStore();
    const urls: string[] = [];
    const first = await startManifest({
      store,
      registryUrl: registry.base,
      fetch: registry.fetch,
      onFetch: (u) => urls.push(u),
    });
    expect(first).toMatchObject({ registryUrl: registry.base, manifest: { serial: 1 } });
    expect(urls).toEqual([`${registry.base}manifest.json`]);
    expect((await store.getManifest())?.manifest.serial).toBe(1);
  });

  it('applies the signature check to a manifest it fetches itself', async () => {
    const registry = new FakeRegistry();
    registry.publish(manifest);
    const store = freshStore();
    const verifySignature = async () => {
      throw new Error('signed by an unknown key');
    };
    await expect(
      startManifest({ store, registryUrl: registry.base, fetch: registry.fetch, verifySignature }),
    ).rejects.toMatchObject({ name: 'ModelLoadError', message: expect.stringContaining('unknown key') });
    expect(await store.getManifest()).toBeUndefined();
  });

  it('offline and pointed at a new registry, falls back to any stored manifest; with none it fails clearly', async () => {
    const down = async (): Promise<Response> => {
      throw new TypeError('network down');
    };
    const store = freshStore();
    await expect(startManifest({ store, registryUrl: 'https://a.test/', fetch: down })).rejects.toMatchObject({
      name: 'ModelLoadError',
      message: expect.stringContaining('network down'),
    });
    await store.putManifest({
      manifest,
      etag: null,
      lastModified: null,
      acceptedAt: 0,
      checkedAt: 0,
      registryUrl: 'https://b.test/',
    });
    expect((await startManifest({ store, registryUrl: 'https://a.test/', fetch: down })).registryUrl).toBe(
      'https://b.test/',
    );
  });
});
