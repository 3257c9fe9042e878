/**
 * @file Fixtures for the model manager: schema-valid manifests of the whole face pipeline
 * (detector, attributes, expression, each with its task's signature and labels) over tiny
 * ONNX files, and an in-memory {@link EnginePool} that records what the manager asks of its workers
 * (spawned sets, probes, flips, drains, releases) and can be told to fail a probe or a spawn.
 */
import type { Manifest, ModelVersion } from '../../src/shared/manifest-types.ts';
import type { EngineInfo, ModelSpec, ProbeReport } from '../../src/shared/worker-api.ts';
import { blobPathFor } from '../../src/shared/manifest-validate.ts';
import type { EnginePool } from '../../src/models/engine-pool.ts';
import { detectorVersion, nodeSha256 } from './fixtures.ts';
import { brightnessAttributes, brightnessExpression, constantDetector } from '../unit/helpers/onnx-fixtures.ts';

function faceVersion(bytes: Uint8Array, task: 'face-attributes' | 'face-expression'): ModelVersion {
  const sha256 = nodeSha256(bytes);
  const base = detectorVersion(bytes, sha256);
  const inputs = [{ name: 'faces', type: 'float32' as const, dims: ['b', 3, 112, 112] }];
  const preprocess = { ...base.preprocess, size: 112, pad: 'centre' as const };
  if (task === 'face-attributes') {
    return {
      ...base,
      blob: blobPathFor(sha256),
      inputs,
      outputs: [
        { name: 'age', type: 'float32', dims: ['b', 1] },
        { name: 'gender', type: 'float32', dims: ['b', 2] },
      ],
      preprocess,
      labels: ['male', 'female'],
      probe: { image: 'probe/face-112.png', expect: { age: [30] }, tolerance: 0.001 },
    };
  }
  return {
    ...base,
    blob: blobPathFor(sha256),
    inputs,
    outputs: [{ name: 'expression', type: 'float32', dims: ['b', 7] }],
    preprocess,
    labels: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'],
    probe: { image: 'probe/face-112.png', expect: { expression: [0.5] }, tolerance: 0.001 },
  };
}

/** A tiny detector with the signature {@link detectorVersion} declares; `score` makes each version's bytes differ. */
const detectorFile = (score: number) =>
  new Uint8Array(constantDetector({ size: 416, boxes: [[0.25, 0.25, 0.75, 0.75]], scores: [score] }));

/**
 * Bytes of the pipeline models' versions used across the manager tests: real (tiny) ONNX files
 * with the signatures the manifests declare, because the compat check reads the stored file.
 */
export const BYTES = {
  detector1: detectorFile(0.9),
  detector2: detectorFile(0.8),
  detector3: detectorFile(0.7),
  attributes1: new Uint8Array(brightnessAttributes()),
  expression1: new Uint8Array(brightnessExpression()),
} as const;

/** What {@link pipelineManifest} publishes for face-detector (versions → bytes). */
export interface DetectorPlan {
  stable: string;
  canary?: { version: string; percent: number };
  versions: Record<string, Uint8Array>;
}

/** A manifest with the three pipeline models: face-detector as described, the others at 1.0.0. */
export function pipelineManifest(serial: number, detector: DetectorPlan): Manifest {
  const versions: Record<string, ModelVersion> = {};
  for (const [v, bytes] of Object.entries(detector.versions)) versions[v] = detectorVersion(bytes);
  return {
    schema: 1,
    serial,
    published: '2026-11-21T12:00:00Z',
    models: {
      'face-detector': {
        task: 'face-detection',
        stable: detector.stable,
        versions,
        ...(detector.canary ? { canary: detector.canary } : {}),
      },
      'face-attributes': {
        task: 'face-attributes',
        stable: '1.0.0',
        versions: { '1.0.0': faceVersion(BYTES.attributes1, 'face-attributes') },
      },
      'face-expression': {
        task: 'face-expression',
        stable: '1.0.0',
        versions: { '1.0.0': faceVersion(BYTES.expression1, 'face-expression') },
      },
    },
  };
}

/** A worker as the fake pool hands it out. */
export interface FakeHandle {
  n: number;
  models: Record<string, ModelSpec>;
  released: boolean;
  drained: boolean;
}

/** Versions a handle serves, as "id@version" strings (sorted). */
export function versionsOf(h: FakeHandle | null): string[] {
  return Object.values(h?.models ?? {})
    .map((m) => `${m.id}@${m.version}`)
    .sort();
}

/** An EnginePool in memory. */
export class FakePool implements EnginePool<FakeHandle> {
  readonly spawned: FakeHandle[] = [];
  readonly events: string[] = [];
  current: FakeHandle | null = null;
  /** Probe problems by sha256. */
  readonly probeProblems = new Map<string, string[]>();
  /** Makes the next spawns throw this error (each call consumes one). */
  readonly spawnErrors: Error[] = [];
  /** Resolves drains only when released by the test (photo batch stand-in). */
  holdDrain: Promise<void> | null = null;

  async spawn(models: Record<string, ModelSpec>): Promise<FakeHandle> {
    const error = this.spawnErrors.shift();
    if (error) throw error;
    const h: FakeHandle = { n: this.spawned.length + 1, models, released: false, drained: false };
    this.spawned.push(h);
    this.events.push(`spawn ${h.n}`);
    return h;
  }

  async probe(h: FakeHandle, id: string): Promise<ProbeReport> {
    const spec = h.models[id]!;
    this.events.push(`probe ${h.n} ${id}`);
    return { id, version: spec.version, problems: this.probeProblems.get(spec.sha256) ?? [], maxDiff: 0, ms: 1 };
  }

  async warmUp(h: FakeHandle): Promise<EngineInfo> {
    this.events.push(`warm ${h.n}`);
    const models: EngineInfo['models'] = {};
    for (const m of Object.values(h.models)) {
      models[m.id] = { ...m, bytes: m.file.bytes, origin: 'cache', compileMs: 1, warmupMs: 1 };
    }
    return {
      backend: 'wasm',
      threads: 2,
      crossOriginIsolated: true,
      runtimeVersion: 'test',
      models,
      loadMs: 1,
      pipelineWarmupMs: 1,
    };
  }

  flip(h: FakeHandle): FakeHandle | null {
    const old = this.current;
    this.current = h;
    this.events.push(`flip ${h.n}`);
    return old;
  }

  async drain(h: FakeHandle): Promise<void> {
    await this.holdDrain;
    h.drained = true;
    this.events.push(`drain ${h.n}`);
  }

  async release(h: FakeHandle): Promise<void> {
    h.released = true;
    this.events.push(`release ${h.n}`);
  }
}
