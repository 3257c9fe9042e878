/**
 * @file FrameTrackers, the per-feature trackers of one video stream: features without a tracker
 * analyse every frame; a feature's tracker lives across frames until its models' versions
 * change, the stream pauses longer than STREAM_GAP_MS or a frame runs without the feature;
 * `settled()` waits for the background work of every tracker. Fake features record what they
 * are asked; the last cases run the real faces feature on scripted models through
 * analyzeWithFeatures, as the worker does for webcam frames.
 */
import { describe, expect, it } from 'vitest';
import { faces } from '../../src/features/faces/index.ts';
import { DETECT_EVERY_MS } from '../../src/features/faces/track.ts';
import { failedModelOf } from '../../src/shared/errors.ts';
import type { Feature, FeatureInput, FeatureOutput, FeatureRunner, FeatureTracker } from '../../src/shared/feature.ts';
import { analyzeWithFeatures } from '../../src/shared/feature-set.ts';
import { FrameTrackers, STREAM_GAP_MS } from '../../src/shared/frame-trackers.ts';
import type { RgbImage } from '../../src/shared/image.ts';
import type { ModelVersion } from '../../src/shared/manifest-types.ts';
import {
  boxOf,
  deferred,
  drawFrame,
  fakeFaceModels,
  flushPromises,
  manualClock,
  type Deferred,
  type Patch,
} from '../helpers/face-frames.ts';

/** A tracker that answers which tracker it is and how many frames it has seen. */
class FakeTracker implements FeatureTracker<string> {
  readonly steps: FeatureInput[] = [];
  /** Background work in progress: settled() waits for it. */
  work: Deferred | null = null;
  constructor(readonly n: number) {}
  /** Frames answered by hold() (during a hand-over to newer versions). */
  readonly held: FeatureInput[] = [];
  /** The first step waits for this when set (a slow first frame of new versions). */
  firstStep: Deferred | null = null;
  /** Steps fail with this until one has answered, when set. */
  failFirst: Error | null = null;
  private answered = 0;
  async step(input: FeatureInput): Promise<FeatureOutput<string>> {
    this.steps.push(input);
    // Like a real tracker, it has nothing to answer with until its first frame works.
    if (this.answered === 0) {
      if (this.firstStep) await this.firstStep.promise;
      if (this.failFirst) throw this.failFirst;
    }
    this.answered += 1;
    return { result: `tracker ${this.n}, frame ${this.steps.length}`, timings: { track: 1 } };
  }
  hold(input: FeatureInput): FeatureOutput<string> | null {
    if (this.answered === 0) return null;
    this.held.push(input);
    return { result: `tracker ${this.n} holds`, timings: { track: 1 }, models: { 'old-model': 'old' } };
  }
  settled(): Promise<void> {
    return this.work?.promise ?? Promise.resolve();
  }
  /** The frame its background work reads, when a test says so. */
  reading: FeatureInput['image'] | null = null;
  uses(image: FeatureInput['image']): boolean {
    return this.reading === image;
  }
}

/** A feature with one model; with `tracks`, it offers a tracker (recorded in `made`). */
function fakeFeature(id: string, tracks: boolean) {
  const made: FakeTracker[] = [];
  const analysed: FeatureInput[] = [];
  const feature: Feature<string> = {
    id,
    label: id,
    description: `the ${id} feature`,
    models: { main: { id: `${id}-model`, task: 'test-task' } },
    tasks: [],
    probes: {},
    preprocess: () => {
      throw new Error('not used');
    },
    analyze: async (input) => {
      analysed.push(input);
      return { result: `analysed ${analysed.length}`, timings: { analyse: 2 } };
    },
    ...(tracks
      ? {
          track: () => {
            const tracker = new FakeTracker(made.length + 1);
            made.push(tracker);
            return tracker;
          },
        }
      : {}),
    overlay: () => [],
    details: () => ({ title: id, empty: '', items: [] }),
    summary: () => '',
  };
  return { feature: feature as Feature, made, analysed };
}

/** Trackers the feature makes from now on get `setup` first; returns the feature's own `track`, to restore. */
function setUpNewTrackers(feature: Feature, setup: (t: FakeTracker) => void): NonNullable<Feature['track']> {
  const realTrack = feature.track!.bind(feature);
  feature.track = () => {
    const t = realTrack() as FakeTracker;
    setup(t);
    return t;
  };
  return realTrack;
}

const runner = (id: string, version: string): FeatureRunner => ({
  id,
  version,
  entry: {} as ModelVersion,
  inputs: [],
  outputs: [],
  run: async () => ({}),
});

const image: RgbImage = { width: 4, height: 4, channels: 3, data: new Uint8Array(48) };

/** A frame's input with the feature's models at `versions` (role → "id@version"). */
function input(models: Record<string, string>): FeatureInput {
  const runners: Record<string, FeatureRunner> = {};
  for (const [role, spec] of Object.entries(models)) {
    const [id, version] = spec.split('@') as [string, string];
    runners[role] = runner(id, version);
  }
  return { image, scaleToOriginal: 1, models: runners, now: () => 0 };
}

describe('FrameTrackers', () => {
  it('analyses every frame of a feature without a tracker', async () => {
    const { feature, analysed } = fakeFeature('plain', false);
    const trackers = new FrameTrackers();
    const frames = [input({ main: 'plain-model@1.0.0' }), input({ main: 'plain-model@1.0.0' })];
    const outs = [];
    for (const [i, frame] of frames.entries()) {
      trackers.begin(i * 30, ['plain']);
      outs.push(await trackers.run(feature, frame));
    }
    expect(outs.map((o) => o.result)).toEqual(['analysed 1', 'analysed 2']);
    expect(outs[0]!.timings).toEqual({ analyse: 2 });
    expect(analysed).toEqual(frames);
  });

  it('steps the same tracker frame after frame', async () => {
    const { feature, made, analysed } = fakeFeature('tracked', true);
    const trackers = new FrameTrackers();
    const results = [];
    for (let f = 0; f < 4; f++) {
      trackers.begin(f * 33, ['tracked']);
      results.push((await trackers.run(feature, input({ main: 'tracked-model@1.0.0' }))).result);
    }
    expect(made).toHaveLength(1);
    expect(results).toEqual(['tracker 1, frame 1', 'tracker 1, frame 2', 'tracker 1, frame 3', 'tracker 1, frame 4']);
    expect(analysed).toEqual([]);
  });

  it('starts a new tracker when a model version changes, and never goes back to the old one', async () => {
    const { feature, made } = fakeFeature('tracked', true);
    const trackers = new FrameTrackers();
    const versions = [
      { main: 'tracked-model@1.0.0', extra: 'helper@1.0.0' },
      { main: 'tracked-model@1.0.0', extra: 'helper@1.0.0' },
      { main: 'tracked-model@1.0.0', extra: 'helper@1.1.0' }, // one of two models swapped
      { main: 'tracked-model@1.0.0', extra: 'helper@1.1.0' },
      { main: 'tracked-model@1.0.0', extra: 'helper@1.0.0' }, // rolled back
      { main: 'other-model@1.0.0', extra: 'helper@1.0.0' }, // another model, same version
    ];
    const results = [];
    for (const [f, models] of versions.entries()) {
      trackers.begin(f * 33, ['tracked']);
      results.push((await trackers.run(feature, input(models))).result);
    }
    // On each change the old tracker answers (holds) while the new one runs its first frame.
    expect(results).toEqual([
      'tracker 1, frame 1',
      'tracker 1, frame 2',
      'tracker 1 holds',
      'tracker 2, frame 2',
      'tracker 2 holds',
      // Versions changed again before tracker 3 took over: tracker 2 still answers.
      'tracker 2 holds',
    ]);
    expect(made.map((t) => t.steps.length)).toEqual([2, 2, 1, 1]);
    expect(made.map((t) => t.held.length)).toEqual([1, 2, 0, 0]);
  });

  it('hands a swap over without a stall: the old tracker answers until the new one’s first frame is done', async () => {
    const { feature, made } = fakeFeature('tracked', true);
    const trackers = new FrameTrackers();
    const frame = (t: number, version: string) => {
      trackers.begin(t, ['tracked']);
      return trackers.run(feature, input({ main: `tracked-model@${version}` }));
    };
    await frame(0, '1.0.0');
    const slow = deferred();
    setUpNewTrackers(feature, (t) => (t.firstStep = slow));
    // The swap: the first frame of 2.0.0 is slow; frames keep coming from tracker 1, named 1.0.0's.
    const during = [await frame(33, '2.0.0'), await frame(66, '2.0.0'), await frame(99, '2.0.0')];
    expect(during.map((o) => o.result)).toEqual(['tracker 1 holds', 'tracker 1 holds', 'tracker 1 holds']);
    expect(during[0]!.models).toEqual({ 'old-model': 'old' });
    expect(made).toHaveLength(2); // one new tracker, however many frames the hand-over takes
    expect(made[1]!.steps).toHaveLength(1);

    // Settling waits for the new tracker's first frame (its sessions stay leased until then).
    let settled = false;
    const done = trackers.settled().then(() => (settled = true));
    await flushPromises();
    expect(settled).toBe(false);
    slow.resolve();
    await done;
    expect((await frame(133, '2.0.0')).result).toBe('tracker 2, frame 2');
    expect((await frame(166, '2.0.0')).models).toBeUndefined();
  });

  it('makes a failure of the new versions’ first frame the frame’s error, so they can be rolled back', async () => {
    const { feature } = fakeFeature('tracked', true);
    const trackers = new FrameTrackers();
    const frame = (t: number, version: string) => {
      trackers.begin(t, ['tracked']);
      return trackers.run(feature, input({ main: `tracked-model@${version}` }));
    };
    await frame(0, '1.0.0');
    const realTrack = setUpNewTrackers(feature, (t) => (t.failFirst = new Error('broken 2.0.0')));
    expect((await frame(33, '2.0.0')).result).toBe('tracker 1 holds');
    await trackers.settled();
    await expect(frame(66, '2.0.0')).rejects.toThrow('broken 2.0.0');
    // From then on 2.0.0 serves, and each frame runs its tracker's first frame: failures in a row.
    await expect(frame(99, '2.0.0')).rejects.toThrow('broken 2.0.0');
    await expect(frame(133, '2.0.0')).rejects.toThrow('broken 2.0.0');
    // Rolled back: 1.0.0's tracker starts while nothing older can answer, so the frame waits for it.
    feature.track = realTrack;
    expect((await frame(166, '1.0.0')).result).toMatch(/^tracker \d+, frame 2$/);
  });

  it('waits for the new tracker when the old one has nothing to answer with', async () => {
    const { feature, made } = fakeFeature('tracked', true);
    const trackers = new FrameTrackers();
    let fail = true;
    setUpNewTrackers(feature, (t) => {
      if (fail) t.failFirst = new Error('first frame failed');
    });
    trackers.begin(0, ['tracked']);
    await expect(trackers.run(feature, input({ main: 'tracked-model@1.0.0' }))).rejects.toThrow('first frame failed');
    fail = false;
    trackers.begin(33, ['tracked']);
    expect((await trackers.run(feature, input({ main: 'tracked-model@2.0.0' }))).result).toBe('tracker 2, frame 2');
    expect(made).toHaveLength(2);
  });

  it('starts a new tracker after a pause longer than STREAM_GAP_MS', async () => {
    const { feature, made } = fakeFeature('tracked', true);
    const trackers = new FrameTrackers();
    const frame = input({ main: 'tracked-model@1.0.0' });
    const at = async (t: number) => {
      trackers.begin(t, ['tracked']);
      return (await trackers.run(feature, frame)).result;
    };
    expect(await at(5000)).toBe('tracker 1, frame 1');
    expect(await at(5000 + STREAM_GAP_MS)).toBe('tracker 1, frame 2'); // not longer: the same stream
    expect(await at(5000 + 2 * STREAM_GAP_MS + 1)).toBe('tracker 2, frame 1');
    expect(await at(5000 + 2 * STREAM_GAP_MS + 31)).toBe('tracker 2, frame 2');
    expect(made.map((t) => t.steps.length)).toEqual([2, 2]);
  });

  it('drops the trackers of features a frame does not run', async () => {
    const a = fakeFeature('a', true);
    const b = fakeFeature('b', true);
    const trackers = new FrameTrackers();
    const models = { a: input({ main: 'a-model@1.0.0' }), b: input({ main: 'b-model@1.0.0' }) };
    trackers.begin(0, ['a', 'b']);
    await trackers.run(a.feature, models.a);
    await trackers.run(b.feature, models.b);
    trackers.begin(30, ['a']);
    await trackers.run(a.feature, models.a);
    trackers.begin(60, ['a', 'b']);
    expect((await trackers.run(a.feature, models.a)).result).toBe('tracker 1, frame 3');
    expect((await trackers.run(b.feature, models.b)).result).toBe('tracker 2, frame 1');
    expect(b.made[0]!.steps).toHaveLength(1);
  });

  it('settles when the background work of every tracker has finished', async () => {
    const a = fakeFeature('a', true);
    const b = fakeFeature('b', true);
    const trackers = new FrameTrackers();
    await expect(trackers.settled()).resolves.toBeUndefined();
    trackers.begin(0, ['a', 'b']);
    await trackers.run(a.feature, input({ main: 'a-model@1.0.0' }));
    await trackers.run(b.feature, input({ main: 'b-model@1.0.0' }));
    const [ta, tb] = [a.made[0]!, b.made[0]!];
    ta.work = deferred();
    tb.work = deferred();

    let settled = false;
    const done = trackers.settled().then(() => (settled = true));
    await flushPromises();
    expect(settled).toBe(false);
    tb.work.resolve();
    await flushPromises();
    expect(settled).toBe(false); // a is still busy
    ta.work.resolve();
    await done;
    expect(settled).toBe(true);
  });

  it('runs through analyzeWithFeatures: tracked and analysed features side by side, timings by feature', async () => {
    const tracked = fakeFeature('tracked', true);
    const plain = fakeFeature('plain', false);
    const trackers = new FrameTrackers();
    const runners = {
      'tracked-model': runner('tracked-model', '2.0.0'),
      'plain-model': runner('plain-model', '1.0.0'),
    };
    const features = [tracked.feature, plain.feature];
    const frame = async (t: number) => {
      trackers.begin(
        t,
        features.map((f) => f.id),
      );
      return analyzeWithFeatures(features, { image, scaleToOriginal: 1, runners }, (f, i) => trackers.run(f, i));
    };
    await frame(0);
    const second = await frame(33);
    expect(second.results).toEqual({ tracked: 'tracker 1, frame 2', plain: 'analysed 2' });
    expect(second.timings).toEqual({ 'tracked.track': 1, 'plain.analyse': 2 });
    expect(second.models).toEqual({ 'tracked-model': '2.0.0', 'plain-model': '1.0.0' });
    expect(tracked.made).toHaveLength(1);
    // The tracker got the feature's models by role, like analyze would.
    expect(tracked.made[0]!.steps[1]!.models).toEqual({ main: runners['tracked-model'] });
  });
});

describe('FrameTrackers with the faces feature', () => {
  const W = 400;
  const H = 300;
  const FACE: Patch = { x: 120, y: 90, size: 96, seed: 7 };

  function webcam() {
    const fake = fakeFaceModels({ frameSide: W });
    const clock = manualClock();
    const trackers = new FrameTrackers();
    const runners = () => Object.fromEntries(Object.values(fake.models).map((m) => [m.id, m]));
    const frame = (t: number, patch: Patch = FACE) => {
      const img = drawFrame({ width: W, height: H, background: 'textured', patches: [patch] });
      fake.detector.faces = [{ box: boxOf(patch), score: 0.9 }];
      clock.set(t);
      trackers.begin(t, ['faces']);
      return analyzeWithFeatures(
        [faces as Feature],
        { image: img, scaleToOriginal: 1, runners: runners(), now: clock.now },
        (f, i) => trackers.run(f, i),
      );
    };
    return { fake, trackers, frame };
  }

  it('tracks webcam frames: the detector runs on the first frame, then in the background', async () => {
    const { fake, trackers, frame } = webcam();
    const first = await frame(0);
    const second = await frame(30, { ...FACE, x: FACE.x + 3, y: FACE.y - 2 });
    expect(fake.detector.calls).toBe(1);
    expect(first.results.faces).toHaveLength(1);
    expect(second.results.faces).toMatchObject([{ age: 30, score: 0.9 }]);
    expect(Object.keys(second.timings)).toEqual(['faces.track']);

    // A new detector version: a new tracker runs the whole pipeline on its first frame, while the
    // old one answers, naming the versions that found its faces.
    fake.models.detector.version = '1.1.0';
    fake.detector.hold = deferred();
    const third = await frame(60);
    await flushPromises();
    expect(fake.detector.calls).toBe(2);
    expect(third.models['face-detector']).toBe('1.0.0');
    expect(third.results.faces).toMatchObject([{ age: 30, score: 0.9 }]);
    fake.detector.hold.resolve();
    await trackers.settled();
    fake.detector.hold = null;
    expect((await frame(90)).models['face-detector']).toBe('1.1.0');

    // A pause: again a new tracker and the whole pipeline.
    await frame(90 + STREAM_GAP_MS + 1);
    expect(fake.detector.calls).toBe(3);
    expect(fake.detector.answered).toBe(3);
    await trackers.settled();
  });

  it('reports a broken model found in the background against its id and version', async () => {
    const { fake, trackers, frame } = webcam();
    await frame(0);
    fake.detector.nan = true;
    await frame(DETECT_EVERY_MS); // the refresh starts here and fails in the background
    await trackers.settled();
    const err = await frame(DETECT_EVERY_MS + 30).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ModelRuntimeError' });
    expect(failedModelOf(err)).toEqual({ id: 'face-detector', version: '1.0.0' });
  });

  // The pipeline worker reuses a frame's pixel buffer only once no tracker reads it.
  describe('uses(image)', () => {
    const frameOf = (n: number): FeatureInput => ({
      ...input({ main: 'tracked-model@1.0.0' }),
      image: { width: 4, height: 4, channels: 3, data: new Uint8Array(48).fill(n) },
    });

    it('asks the trackers, and keeps asking one forgotten after a pause until its work ends', async () => {
      const { feature, made } = fakeFeature('tracked', true);
      const trackers = new FrameTrackers();
      const first = frameOf(1);
      trackers.begin(0, ['tracked']);
      await trackers.run(feature, first);
      const tracker = made[0]!;
      expect(trackers.uses(first.image)).toBe(false);
      tracker.reading = first.image;
      tracker.work = deferred();
      expect(trackers.uses(first.image)).toBe(true);
      expect(trackers.uses(frameOf(2).image)).toBe(false);

      // The camera paused: a new tracker serves, the old one's refresh still reads its frame.
      trackers.begin(5000, ['tracked']);
      await trackers.run(feature, frameOf(3));
      expect(made).toHaveLength(2);
      expect(trackers.uses(first.image)).toBe(true);
      tracker.reading = null;
      tracker.work.resolve();
      await flushPromises();
      expect(trackers.uses(first.image)).toBe(false);
    });

    it('counts the first frame of a hand-over as used until the new tracker’s step ends', async () => {
      const { feature } = fakeFeature('tracked', true);
      const trackers = new FrameTrackers();
      trackers.begin(0, ['tracked']);
      await trackers.run(feature, frameOf(1));
      const slow = deferred();
      setUpNewTrackers(feature, (t) => (t.firstStep = slow));
      const swapped = { ...frameOf(2), models: input({ main: 'tracked-model@2.0.0' }).models };
      trackers.begin(33, ['tracked']);
      await trackers.run(feature, swapped);
      expect(trackers.uses(swapped.image)).toBe(true);
      slow.resolve();
      await flushPromises();
      expect(trackers.uses(swapped.image)).toBe(false);
    });
  });
});
