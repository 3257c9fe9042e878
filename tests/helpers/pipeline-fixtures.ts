/**
 * @file Fixtures for the model manager: schema-valid manifests of the whole face pipeline
 * (detector, attributes, expression, each with its task's signature and labels) over tiny
 * ONNX files, and an in-memory {@link EnginePool} that records what the manager asks of the engine
 * (staged sets, probes, flips, drains, releases) and can be told to fail a probe or a stage.
 */
import type { Manifest, ModelVersion } from '../../src/shared/manifest-types.ts';
import type { EngineInfo, ModelSpec, ProbeReport, StagedSet } from '../../src/shared/worker-api.ts';
import { blobPathFor } from '../../src/shared/manifest-validate.ts';
import type { EnginePool } from '../../src/models/page/engine-pool.ts';
import type { ModelStore } from '../../src/models/cache/model-store.ts';
import { fileSignatureProblems } from '../../src/shared/onnx-signature.ts';
import type { TaskRegistry } from '../../src/shared/tasks.ts';
import { detectorVersion, nodeSha256, probeFile, TEST_REGISTRY } from './model-fixtures.ts';
import { brightnessAttributes, brightnessExpression, constantDetector } from './onnx-fixtures.ts';

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
      probe: { ...probeFile('probe/face-112.png'), expect: { age: [30] }, tolerance: 0.001 },
    };
  }
  return {
    ...base,
    blob: blobPathFor(sha256),
    inputs,
    outputs: [{ name: 'expression', type: 'float32', dims: ['b', 7] }],
    preprocess,
    labels: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'],
    probe: { ...probeFile('probe/face-112.png'), expect: { expression: [0.5] }, tolerance: 0.001 },
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
  attributes2: new Uint8Array(brightnessAttributes({ name: 'brightness-attributes-2' })),
  expression2: new Uint8Array(brightnessExpression({ name: 'brightness-expression-2' })),
} as const;

/** The group {@link groupManifest} publishes: detector 3.0.0, attributes 2.0.0, expression 2.0.0. */
export const GEN2 = { group: 'faces-gen2', detector: '3.0.0', attributes: '2.0.0', expression: '2.0.0' } as const;

/** The three models' versions of each generation, as "id@version" (sorted, like {@link versionsOf}). */
export const GENERATION = {
  1: ['face-attributes@1.0.0', 'face-detector@1.0.0', 'face-expression@1.0.0'],
  2: ['face-attributes@2.0.0', 'face-detector@3.0.0', 'face-expression@2.0.0'],
} as const;

/**
 * The face pipeline with two generations: 1.0.0 of each model (no group) and the group
 * {@link GEN2}; `stable` says which generation is stable, `canary` makes generation 2 a canary
 * of that percent for all three (as a consistent manifest must).
 */
export function groupManifest(serial: number, options: { stable: 1 | 2; canary?: number }): Manifest {
  const gen2 = (v: ModelVersion): ModelVersion => ({ ...v, group: GEN2.group });
  const entry = <T extends string>(task: T, v1: ModelVersion, v2: ModelVersion, second: string) => ({
    task,
    stable: options.stable === 1 ? '1.0.0' : second,
    ...(options.canary !== undefined ? { canary: { version: second, percent: options.canary } } : {}),
    versions: { '1.0.0': v1, [second]: gen2(v2) },
  });
  return {
    schema: 1,
    registry: TEST_REGISTRY,
    serial,
    published: '2026-11-21T12:00:00Z',
    models: {
      'face-detector': entry(
        'face-detection',
        detectorVersion(BYTES.detector1),
        detectorVersion(BYTES.detector3),
        GEN2.detector,
      ),
      'face-attributes': entry(
        'face-attributes',
        faceVersion(BYTES.attributes1, 'face-attributes'),
        faceVersion(BYTES.attributes2, 'face-attributes'),
        GEN2.attributes,
      ),
      'face-expression': entry(
        'face-expression',
        faceVersion(BYTES.expression1, 'face-expression'),
        faceVersion(BYTES.expression2, 'face-expression'),
        GEN2.expression,
      ),
    },
  };
}

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
    registry: TEST_REGISTRY,
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

/** A set of sessions as the fake pool hands it out: staged together, or retired by a flip. */
export interface FakeHandle {
  n: number;
  models: Record<string, ModelSpec>;
  released: boolean;
  drained: boolean;
}

/** Versions a set holds, as "id@version" strings (sorted). */
export function versionsOf(h: Pick<FakeHandle, 'models'> | null): string[] {
  return Object.values(h?.models ?? {})
    .map((m) => `${m.id}@${m.version}`)
    .sort();
}

/**
 * An EnginePool in memory, keyed like the real one: staged sets are "1", "2", …; a flip retires
 * the sessions it replaces as "r<n>", n being the set they were staged in. Events read
 * "stage 1", "probe 1 face-detector", "warm 1", "flip 1", "drain r1", "release r1".
 */
export class FakePool implements EnginePool {
  /** Every staged set, in order. */
  readonly spawned: FakeHandle[] = [];
  readonly events: string[] = [];
  /** The serving versions and the set each came from. */
  readonly routes: Record<string, { spec: ModelSpec; set: number }> = {};
  private readonly sets = new Map<string, FakeHandle>();
  /** Probe problems by sha256. */
  readonly probeProblems = new Map<string, string[]>();
  /** Probes of these sha256s throw (e.g. a ProbeAssetError: the probe image could not be had). */
  readonly probeErrors = new Map<string, Error>();
  /** The runtime staged sessions report (a probe passed under it is remembered as proven). */
  runtime = 'fake-runtime 1.0 wasm';
  /** Makes the next stages throw this error (each call consumes one). */
  readonly spawnErrors: Error[] = [];
  /** sha256s whose stored file the compat check asked about, in order. */
  readonly fileChecks: string[] = [];
  /** Resolves drains only when released by the test (photo batch stand-in). */
  holdDrain: Promise<void> | null = null;

  /** What serves now, as a set. */
  get current(): Pick<FakeHandle, 'models'> {
    return { models: Object.fromEntries(Object.entries(this.routes).map(([id, r]) => [id, r.spec])) };
  }

  private set(key: string): FakeHandle {
    const h = this.sets.get(key);
    if (!h) throw new Error(`no set ${key}`);
    return h;
  }

  /**
   * @param files where the stored files are, read as a model host reads them for the compat
   *   check (the real signature reader on them); without it every file passes
   */
  constructor(private readonly files?: { store: Pick<ModelStore, 'getBlob'>; tasks: TaskRegistry }) {}

  async fileProblems(spec: ModelSpec): Promise<string[]> {
    this.fileChecks.push(spec.sha256);
    const contract = this.files?.tasks.get(spec.task);
    const bytes = contract && (await this.files!.store.getBlob(spec.sha256));
    return bytes ? fileSignatureProblems(contract, spec.file, new Uint8Array(bytes)) : [];
  }

  async stage(models: ModelSpec[]): Promise<StagedSet> {
    const error = this.spawnErrors.shift();
    if (error) throw error;
    const h: FakeHandle = {
      n: this.spawned.length + 1,
      models: Object.fromEntries(models.map((m) => [m.id, m])),
      released: false,
      drained: false,
    };
    this.spawned.push(h);
    this.sets.set(String(h.n), h);
    this.events.push(`stage ${h.n}`);
    const staged: StagedSet['models'] = {};
    for (const m of models) staged[m.id] = { ...this.serving(m, h.n), runtime: this.runtime };
    return { key: String(h.n), models: staged, loadMs: 1 };
  }

  async probe(key: string, id: string): Promise<ProbeReport> {
    const h = this.set(key);
    const spec = h.models[id]!;
    this.events.push(`probe ${h.n} ${id}`);
    const error = this.probeErrors.get(spec.sha256);
    if (error) throw error;
    const problems = this.probeProblems.get(spec.sha256) ?? [];
    return { id, version: spec.version, problems, maxDiff: 0, ms: 1, runtime: this.runtime };
  }

  async warmUp(key: string): Promise<StagedSet> {
    this.events.push(`warm ${this.set(key).n}`);
    return { key, models: {}, loadMs: 0 };
  }

  async flip(key: string): Promise<string | null> {
    const h = this.set(key);
    this.events.push(`flip ${h.n}`);
    const retired: Record<string, ModelSpec> = {};
    let from = 0;
    for (const spec of Object.values(h.models)) {
      const old = this.routes[spec.id];
      if (old) {
        retired[spec.id] = old.spec;
        from = old.set;
      }
      this.routes[spec.id] = { spec, set: h.n };
    }
    this.sets.delete(key);
    if (Object.keys(retired).length === 0) return null;
    const rkey = `r${from}`;
    this.sets.set(rkey, { n: from, models: retired, released: false, drained: false });
    return rkey;
  }

  async retire(ids: readonly string[]): Promise<string | null> {
    const retired: Record<string, ModelSpec> = {};
    for (const id of ids) {
      const old = this.routes[id];
      if (!old) continue;
      retired[id] = old.spec;
      delete this.routes[id];
    }
    this.events.push(`retire ${ids.join(',')}`);
    if (Object.keys(retired).length === 0) return null;
    const rkey = `retired-${ids.join(',')}`;
    this.sets.set(rkey, { n: 0, models: retired, released: false, drained: false });
    return rkey;
  }

  async drain(key: string): Promise<void> {
    await this.holdDrain;
    this.set(key).drained = true;
    this.events.push(`drain ${key}`);
  }

  async release(key: string): Promise<void> {
    const h = this.set(key);
    h.released = true;
    this.sets.delete(key);
    this.events.push(`release ${key}`);
  }

  private serving(m: ModelSpec, set: number): EngineInfo['models'][string] {
    const { id, version, task, sha256 } = m;
    return {
      id,
      version,
      task,
      sha256,
      bytes: m.file.bytes,
      origin: 'cache',
      host: `host-${set}`,
      compileMs: 1,
      warmupMs: 1,
    };
  }

  async info(): Promise<EngineInfo> {
    const models: EngineInfo['models'] = {};
    for (const { spec: m, set } of Object.values(this.routes)) models[m.id] = this.serving(m, set);
    return {
      backend: 'wasm',
      threads: 2,
      crossOriginIsolated: true,
      runtimeVersion: 'test',
      models,
      hosts: new Set(Object.values(this.routes).map((r) => r.set)).size,
      loadMs: 1,
      pipelineWarmupMs: 1,
    };
  }
}
