/**
 * @file The staged hot swap: stage order and timing, rejection at every pre-flip stage
 * (never flipping, always releasing the candidate), stage timeouts, flip/cleanup failures,
 * cancellation, and the commit of a rejection: not retried until the sha256 changes.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { compareProbe } from '../../../src/shared/pipeline/probe.ts';
import { TASKS } from '../../../src/features/index.ts';
import type { Probe } from '../../../src/shared/manifest-types.ts';
import type { UpdateLogRecord } from '../../../src/shared/update-messages.ts';
import { commitRejection, commitServing } from '../../../src/models/common/control-actions.ts';
import { promote } from '../../../src/models/common/model-state.ts';
import type { Clock } from '../../../src/models/common/clock.ts';
import type { Candidate } from '../../../src/models/common/stage-recorder.ts';
import { runSwap, type SwapSteps } from '../../../src/models/page/run-swap.ts';
import { planVersions } from '../../../src/models/common/version-policy.ts';
import { blobBytes, freshStore, makeManifest, nodeSha256, PAGE_SWAP_OK } from '../../helpers/model-fixtures.ts';

interface Session {
  name: string;
}

/** A clock the steps advance, so durations are exact. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = 1000;
  return { now: () => 1_700_000_000_000 + t, monotonic: () => t, advance: (ms) => void (t += ms) };
}

const candidate: Candidate = { id: 'face-detector', version: '2.0.0', sha256: 'c'.repeat(64) };

/** Steps that record every call; override any of them per test. */
function fakeSteps(clock: ReturnType<typeof manualClock>, overrides: Partial<SwapSteps<Session>> = {}) {
  const calls: string[] = [];
  const discarded: Session[] = [];
  const steps: SwapSteps<Session> = {
    compatCheck: () => {
      calls.push('compat');
      clock.advance(1);
      return [];
    },
    create: async () => {
      calls.push('create');
      clock.advance(120);
      return { name: 'candidate' };
    },
    probe: async () => {
      calls.push('probe');
      clock.advance(30);
      return [];
    },
    warmUp: async () => {
      calls.push('warm');
      clock.advance(40);
    },
    flip: () => {
      calls.push('flip');
      clock.advance(2);
    },
    drain: async () => {
      calls.push('drain');
      clock.advance(15);
    },
    release: async () => {
      calls.push('release');
      clock.advance(5);
    },
    discard: async (s) => {
      calls.push('discard');
      discarded.push(s);
    },
    ...overrides,
  };
  return { steps, calls, discarded };
}

const detectorOutputs = (scores: number[]) => ({
  boxes: { type: 'float32' as const, dims: [scores.length, 4], data: new Float32Array(scores.length * 4) },
  scores: { type: 'float32' as const, dims: [scores.length], data: new Float32Array(scores) },
});

describe('runSwap', () => {
  it('runs every stage in order, times each one, and serves the candidate', async () => {
    const clock = manualClock();
    const { steps, calls } = fakeSteps(clock);
    const emitted: UpdateLogRecord[] = [];
    const result = await runSwap(candidate, steps, { clock, emit: (r) => emitted.push(r) });
    expect(result.outcome).toBe('serving');
    expect(calls).toEqual(['compat', 'create', 'probe', 'warm', 'flip', 'drain', 'release']);
    expect(emitted.map((r) => `${r.stage}:${r.outcome}`)).toEqual(PAGE_SWAP_OK);
    expect(emitted.map((r) => r.durationMs)).toEqual([1, 120, 30, 40, 2, 15, 5]);
    expect(emitted.at(-1)!.durations).toEqual({
      'compat-checked': 1,
      compiling: 120,
      probed: 30,
      warmed: 40,
      serving: 2,
      draining: 15,
      released: 5,
    });
    expect(emitted.every((r) => r.model === 'face-detector' && r.version === '2.0.0' && r.source === 'worker')).toBe(
      true,
    );
    expect(result.records).toEqual(emitted);
  });

  it('rejects an incompatible model before creating any session (real task contract)', async () => {
    const clock = manualClock();
    const { steps, calls } = fakeSteps(clock, {
      compatCheck: () =>
        TASKS.checkContract(
          'face-detection',
          [{ name: 'image', type: 'float32', dims: [1, 3, 416, 416] }],
          [{ name: 'boxes', type: 'float32', dims: ['n', 4] }],
        ),
    });
    const result = await runSwap(candidate, steps, { clock });
    expect(result).toMatchObject({ outcome: 'rejected', stage: 'compat-checked' });
    expect(result.outcome === 'rejected' && result.reason).toMatch(/missing output "scores"/);
    expect(calls).toEqual([]);
  });

  it('rejects at compiling when the session cannot be created, with nothing to release', async () => {
    const clock = manualClock();
    const { steps, calls } = fakeSteps(clock, {
      create: () => Promise.reject(new Error('failed to load model: protobuf parsing failed')),
    });
    const result = await runSwap(candidate, steps, { clock });
    expect(result).toMatchObject({
      outcome: 'rejected',
      stage: 'compiling',
      reason: 'failed to load model: protobuf parsing failed',
    });
    expect(calls).toEqual(['compat']);
  });

  it('rejects at probed when the probe output is wrong (shared compareProbe), releasing the candidate', async () => {
    const clock = manualClock();
    const probe: Probe = { image: 'probe/face-detection.png', expect: { scores: [0.93, 0.12] }, tolerance: 0.001 };
    const { steps, calls, discarded } = fakeSteps(clock, {
      probe: async () => compareProbe(probe, detectorOutputs([0.93, 0.5])).problems,
    });
    const records: UpdateLogRecord[] = [];
    const result = await runSwap(candidate, steps, { clock, emit: (r) => records.push(r) });
    expect(result).toMatchObject({ outcome: 'rejected', stage: 'probed' });
    expect(result.outcome === 'rejected' && result.reason).toMatch(/"scores"\[1\]/);
    expect(calls).not.toContain('flip');
    expect(discarded).toEqual([{ name: 'candidate' }]);
    const last = records.at(-1)!;
    expect(last).toMatchObject({ stage: 'probed', outcome: 'rejected' });
    expect(last.durations).toMatchObject({ 'compat-checked': 1, compiling: 120 });
  });

  it('accepts a probe within tolerance', async () => {
    const clock = manualClock();
    const probe: Probe = { image: 'probe/face-detection.png', expect: { scores: [0.93, 0.12] }, tolerance: 0.001 };
    const { steps } = fakeSteps(clock, {
      probe: async () => compareProbe(probe, detectorOutputs([0.9305, 0.1195])).problems,
    });
    expect((await runSwap(candidate, steps, { clock })).outcome).toBe('serving');
  });

  it.each([
    ['probed', { probe: () => Promise.reject(new Error('run failed')) }],
    ['warmed', { warmUp: () => Promise.reject(new Error('out of memory')) }],
    ['warmed', { warmUp: async () => ['output "scores" has NaN at index 0'] }],
  ] as const)('rejects at %s when the step fails, never flipping', async (stage, override) => {
    const clock = manualClock();
    const { steps, calls, discarded } = fakeSteps(clock, override as Partial<SwapSteps<Session>>);
    const result = await runSwap(candidate, steps, { clock });
    expect(result).toMatchObject({ outcome: 'rejected', stage });
    expect(calls).not.toContain('flip');
    expect(discarded).toHaveLength(1);
  });

  it('rejects a stage that exceeds its time limit and releases a session that compiles late', async () => {
    let finishCreate: (s: Session) => void = () => {};
    const { steps, calls, discarded } = fakeSteps(manualClock(), {
      create: () => new Promise<Session>((resolve) => (finishCreate = resolve)),
    });
    const result = await runSwap(candidate, steps, { timeouts: { compiling: 20 } });
    expect(result).toMatchObject({ outcome: 'rejected', stage: 'compiling', reason: 'took longer than 20 ms' });
    finishCreate({ name: 'late' });
    await new Promise((r) => setTimeout(r, 0));
    expect(discarded).toEqual([{ name: 'late' }]);
    expect(calls).not.toContain('flip');
  });

  it('reports a failing flip as failed (not the version’s fault) and keeps the old version', async () => {
    const clock = manualClock();
    const { steps, calls, discarded } = fakeSteps(clock, {
      flip: () => {
        throw new Error('worker gone');
      },
    });
    const result = await runSwap(candidate, steps, { clock });
    expect(result).toMatchObject({ outcome: 'failed', stage: 'serving' });
    expect(discarded).toHaveLength(1);
    expect(calls).not.toContain('drain');
  });

  it('keeps serving when drain or release fail after the flip, reporting the problem', async () => {
    const clock = manualClock();
    const { steps } = fakeSteps(clock, { release: () => Promise.reject(new Error('terminate failed')) });
    const result = await runSwap(candidate, steps, { clock });
    expect(result.outcome).toBe('serving');
    expect(result.outcome === 'serving' && result.cleanupProblems).toEqual(['released: terminate failed']);
    expect(result.records.at(-1)).toMatchObject({ stage: 'released', outcome: 'failed' });
  });

  it('abandons a swap on abort before the flip without condemning the version', async () => {
    const clock = manualClock();
    const ctrl = new AbortController();
    const { steps, calls, discarded } = fakeSteps(clock, {
      probe: async () => {
        ctrl.abort('superseded by 3.0.0');
        return [];
      },
    });
    const result = await runSwap(candidate, steps, { clock, signal: ctrl.signal });
    expect(result).toMatchObject({ outcome: 'cancelled', stage: 'warmed', reason: 'superseded by 3.0.0' });
    expect(calls).not.toContain('flip');
    expect(discarded).toHaveLength(1);
    expect(result.records.at(-1)).toMatchObject({ outcome: 'cancelled' });
  });
});

describe('rejected versions', () => {
  it('are not retried until their sha256 changes', async () => {
    const store = freshStore();
    const ID = 'face-detector';
    const b1 = blobBytes(1, 64);
    const b2 = blobBytes(2, 64);
    const b2fixed = blobBytes(22, 64);
    await store.updateControl((c) => promote(c, ID, { version: '1.0.0', sha256: nodeSha256(b1) }));
    const manifest = makeManifest(2, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2 } } });
    const target = async (m = manifest) =>
      planVersions({ manifest: m, installId: 'i', control: await store.getControl() })[ID]!.target;

    const cand = { id: ID, ...(await target())! };
    expect(cand.version).toBe('2.0.0');
    const clock = manualClock();
    const { steps } = fakeSteps(clock, { probe: async () => ['output "scores"[0] is 0.1, expected 0.9 ± 0.001'] });
    const result = await runSwap(cand, steps, { clock });
    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') await commitRejection(store, cand, result.stage, result.reason, clock.now());

    expect((await target())?.version).toBe('1.0.0'); // stays on the active version
    expect((await store.getControl()).bad).toEqual([
      expect.objectContaining({ id: ID, sha256: cand.sha256, stage: 'probed' }),
    ]);

    const republished = makeManifest(3, { [ID]: { stable: '2.0.0', versions: { '1.0.0': b1, '2.0.0': b2fixed } } });
    const again = await target(republished);
    expect(again).toEqual({ version: '2.0.0', sha256: nodeSha256(b2fixed) });
    await commitServing(store, { id: ID, ...again! });
    expect((await store.getControl()).models[ID]).toMatchObject({ active: again, previous: { version: '1.0.0' } });
  });
});
