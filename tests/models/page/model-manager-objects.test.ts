/**
 * @file The model manager serves the objects feature's detector exactly as it serves the face
 * models — nothing in it knows a feature: start-up with Objects on (the face models wait, idle),
 * a published object-detector 1.0.1 swapped in stage by stage, rollback without network, a
 * canary at 0 % and 100 %, a pin that holds across a new stable, automatic rollback after 3
 * runtime failures, and a file whose `classes` output breaks the contract rejected before any
 * worker starts. Real cache (fake-indexeddb), fake registry and engine pool (as in
 * tests/models/model-manager.test.ts), tiny real ONNX detectors.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ModelManager, type ManagerDeps } from '../../../src/models/page/model-manager.ts';
import { verifyBlob } from '../../../src/models/common/integrity.ts';
import type { ModelStore } from '../../../src/models/cache/model-store.ts';
import { FEATURES, TASKS } from '../../../src/features/index.ts';
import { objectsPreprocess } from '../../../src/features/objects/preprocess.ts';
import { ModelRuntimeError } from '../../../src/shared/errors.ts';
import { blobPathFor } from '../../../src/shared/manifest-validate.ts';
import type { Manifest, ModelVersion } from '../../../src/shared/manifest-types.ts';
import { attr, GraphBuilder, type ElemType } from '../../../tools/convert/onnx/graph-builder.ts';
import {
  FakeRegistry,
  freshStore,
  nodeSha256,
  probeFile,
  RecordingChannel,
  TEST_REGISTRY,
} from '../../helpers/model-fixtures.ts';
import { FakePool, versionsOf } from '../../helpers/pipeline-fixtures.ts';

const SIZE = 64;
const LABELS = ['person', 'dog'];

/** A detector that reports one fixed detection; `score` makes each version's bytes differ. */
function detectorFile(score: number, classesType: ElemType = 'int32'): Uint8Array<ArrayBuffer> {
  const g = new GraphBuilder('constant-object-detector');
  const image = g.input('image', 'float32', [1, 3, SIZE, SIZE]);
  const zero = g.node('Mul', [g.node('ReduceMean', [image], { keepdims: attr.int(0) }), g.f32('zero', [0], [])]);
  g.output(g.node('Add', [g.f32('boxes_c', [0.1, 0.1, 0.5, 0.9], [1, 4]), zero]), 'boxes', 'float32', ['n', 4]);
  g.output(g.node('Add', [g.f32('scores_c', [score], [1]), zero]), 'scores', 'float32', ['n']);
  const cls = g.node('Cast', [g.node('Add', [g.f32('classes_c', [1], [1]), zero])], {
    to: attr.int(classesType === 'int32' ? 6 : 1),
  });
  g.output(cls, 'classes', classesType, ['n']);
  const bytes = g.toModel({ opset: 18 });
  return new Uint8Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  ) as Uint8Array<ArrayBuffer>;
}

const BYTES = {
  '1.0.0': detectorFile(0.9),
  '1.0.1': detectorFile(0.8),
  '1.0.2': detectorFile(0.7),
} as const;

function version(bytes: Uint8Array): ModelVersion {
  const sha256 = nodeSha256(bytes);
  return {
    blob: blobPathFor(sha256),
    sha256,
    bytes: bytes.byteLength,
    encoding: 'float32',
    inputs: [{ name: 'image', type: 'float32', dims: [1, 3, SIZE, SIZE] }],
    outputs: [
      { name: 'boxes', type: 'float32', dims: ['n', 4] },
      { name: 'scores', type: 'float32', dims: ['n'] },
      { name: 'classes', type: 'int32', dims: ['n'] },
    ],
    preprocess: objectsPreprocess('object-detection', SIZE),
    labels: LABELS,
    probe: { ...probeFile('probe/object-detection.png'), expect: { scores: [0.9] }, tolerance: 0.001 },
    source: 'test fixture',
  };
}

function manifest(
  serial: number,
  stable: string,
  versions: Record<string, Uint8Array>,
  canary?: { version: string; percent: number },
): Manifest {
  return {
    schema: 1,
    registry: TEST_REGISTRY,
    serial,
    published: '2026-11-21T12:00:00Z',
    models: {
      'object-detector': {
        task: 'object-detection',
        stable,
        ...(canary ? { canary } : {}),
        versions: Object.fromEntries(Object.entries(versions).map(([v, b]) => [v, version(b)])),
      },
    },
  };
}

function setup() {
  const registry = new FakeRegistry();
  const store = freshStore();
  const pool = new FakePool({ store, tasks: TASKS });
  const deps: ManagerDeps = {
    store,
    pool,
    features: FEATURES,
    tasks: TASKS,
    channel: new RecordingChannel(),
    registryUrl: registry.base,
    fetch: registry.fetch,
    hasUpdater: () => false,
    clock: { now: () => 1_000_000, monotonic: () => 1_000_000 },
    setTimer: () => undefined,
  };
  return { manager: new ModelManager(deps), pool, store, registry };
}

type Setup = ReturnType<typeof setup>;

async function storeBlob(store: ModelStore, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  await store.putBlob(await verifyBlob(bytes, { sha256: nodeSha256(bytes), bytes: bytes.byteLength }));
}

/** Makes the manager see a new manifest, as the service worker's accepted check would. */
async function publish(s: Setup, next: Manifest): Promise<void> {
  const old = (await s.store.getManifest())!;
  await s.store.putManifest({ ...old, manifest: next });
  s.manager.handleMessage({ type: 'manifest-accepted', serial: next.serial, changed: true });
  await s.manager.idle();
}

async function started(): Promise<Setup> {
  const s = setup();
  s.registry.publish(manifest(1, '1.0.0', { '1.0.0': BYTES['1.0.0'] }));
  await s.manager.start(['objects']);
  await s.manager.idle();
  return s;
}

const serving = (s: Setup) => versionsOf(s.pool.current);

describe('the model manager serving object-detector', () => {
  it('starts with Objects on: the detector probed, warmed and serving; the face models wait, idle', async () => {
    const s = await started();
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    expect(s.pool.events).toEqual(['stage 1', 'probe 1 object-detector', 'warm 1', 'flip 1']);
    const state = await s.manager.state();
    expect(state.stages['object-detector']).toMatchObject({ stage: 'idle', version: '1.0.0' });
    expect(state.stages['face-detector']).toMatchObject({ stage: 'idle', version: null });
    expect(state.stages['image-classifier']).toMatchObject({ stage: 'idle', version: null });
  });

  it('swaps a published 1.0.1 in stages, drains and releases 1.0.0, and rolls back without network', async () => {
    const s = await started();
    await storeBlob(s.store, BYTES['1.0.1']);
    await publish(s, manifest(2, '1.0.1', { '1.0.0': BYTES['1.0.0'], '1.0.1': BYTES['1.0.1'] }));
    expect(serving(s)).toEqual(['object-detector@1.0.1']);
    expect(s.pool.events.slice(4)).toEqual([
      'stage 2',
      'probe 2 object-detector',
      'warm 2',
      'flip 2',
      'drain r1',
      'release r1',
    ]);
    const sha = nodeSha256(BYTES['1.0.1']);
    const stages = (await s.store.getLog()).filter((r) => r.sha256 === sha).map((r) => `${r.stage}:${r.outcome}`);
    expect(stages).toEqual([
      'compat-checked:ok',
      'compiling:ok',
      'probed:ok',
      'warmed:ok',
      'serving:ok',
      'draining:ok',
      'released:ok',
    ]);
    const requests = s.registry.requests.length;
    const result = await s.manager.rollback('object-detector');
    expect(result.to.version).toBe('1.0.0');
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    expect(s.registry.requests).toHaveLength(requests);
  });

  it('follows a canary: 0 % keeps stable, 100 % serves the candidate on the canary channel', async () => {
    const s = await started();
    const both = { '1.0.0': BYTES['1.0.0'], '1.0.1': BYTES['1.0.1'] };
    await publish(s, manifest(2, '1.0.0', both, { version: '1.0.1', percent: 0 }));
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    expect((await s.manager.state()).plans['object-detector']?.channel).toBe('stable');
    await publish(s, manifest(3, '1.0.0', both, { version: '1.0.1', percent: 100 }));
    expect(serving(s)).toEqual(['object-detector@1.0.1']);
    expect((await s.manager.state()).plans['object-detector']?.channel).toBe('canary');
  });

  it('holds a pin across a new stable; unpinning follows stable again', async () => {
    const s = await started();
    await publish(s, manifest(2, '1.0.1', { '1.0.0': BYTES['1.0.0'], '1.0.1': BYTES['1.0.1'] }));
    await s.manager.pin('object-detector', '1.0.0');
    await s.manager.idle();
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    const all = { '1.0.0': BYTES['1.0.0'], '1.0.1': BYTES['1.0.1'], '1.0.2': BYTES['1.0.2'] };
    await publish(s, manifest(3, '1.0.2', all));
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    expect((await s.manager.state()).plans['object-detector']?.channel).toBe('pinned');
    await s.manager.pin('object-detector', null);
    await s.manager.idle();
    expect(serving(s)).toEqual(['object-detector@1.0.2']);
  });

  it('rolls 1.0.1 back after 3 consecutive runtime failures and marks it bad', async () => {
    const s = await started();
    await publish(s, manifest(2, '1.0.1', { '1.0.0': BYTES['1.0.0'], '1.0.1': BYTES['1.0.1'] }));
    const fail = () =>
      s.manager.reportRun({
        ok: false,
        error: new ModelRuntimeError('object-detector', '1.0.1', 'the detector model returned class 7'),
      });
    fail();
    fail();
    fail();
    await s.manager.idle();
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    expect((await s.store.getControl()).bad).toMatchObject([{ version: '1.0.1', stage: 'runtime' }]);
  });

  it('rejects a stored 1.0.1 whose classes are float32, before any worker starts', async () => {
    const s = await started();
    const file = detectorFile(0.8, 'float32');
    await storeBlob(s.store, file);
    await publish(s, manifest(2, '1.0.1', { '1.0.0': BYTES['1.0.0'], '1.0.1': file }));
    expect(s.pool.spawned).toHaveLength(1);
    expect(serving(s)).toEqual(['object-detector@1.0.0']);
    expect((await s.manager.state()).stages['object-detector']?.reason).toMatch(
      /output "classes" is float32, expected int32/,
    );
  });
});
