/**
 * @file FaceTracker on synthetic video: block-textured faces on a textured frame, scripted face
 * models (the detector reports the boxes the test set for the frame it ran on, and can be held on
 * a deferred promise to play a slow model) and a clock the test sets. The first frame runs the
 * whole pipeline like a photo; frames in between are answered by template tracking; the
 * detector runs again in the background every DETECT_EVERY_MS or at once when a face is lost;
 * its result is adopted on a later frame, moved by the motion since; stale estimates are
 * refreshed and blended; background errors surface on the next step.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFaces, faceModelsOf } from '../../../src/features/faces/analyze.ts';
import { EXPRESSION_LABELS, type FaceAnnotation } from '../../../src/features/faces/results.ts';
import {
  DETECT_EVERY_MS,
  ESTIMATE_BLEND,
  ESTIMATE_EVERY_MS,
  FaceTracker,
  LOST_BELOW,
  SCENE_CUT_BELOW,
  type TrackerOptions,
} from '../../../src/features/faces/track.ts';
import type { FeatureInput } from '../../../src/shared/feature.ts';
import { iou } from '../../../src/shared/geometry.ts';
import { grabTemplate, searchTemplate, similarity } from '../../../src/shared/tracking/template-match.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import { ModelOutputError } from '../../../src/shared/pipeline/errors.ts';
import {
  boxOf,
  deferred,
  drawFrame,
  fakeFaceModels,
  flushPromises,
  type FakeFaceModels,
  manualClock,
  type Patch,
  type ScriptedFace,
} from '../../helpers/face-frames.ts';

const W = 400;
const H = 300;
/** A frame every 30 ms: eight frames fit between two refreshes. */
const FRAME_MS = 30;

/** A face patch; `score` is what the detector reports for it (0.9 unless said). */
type Face = Patch & { score?: number };

const FACE: Face = { x: 120, y: 90, size: 96, seed: 7 };

/**
 * A tracker, scripted models and a clock; `step` draws a frame (faces on a textured background,
 * like a room behind a person) and scripts the detector for it.
 */
function rig(scaleToOriginal = 1, options: TrackerOptions = {}) {
  const fake = fakeFaceModels({ frameSide: W });
  const clock = manualClock();
  const tracker = new FaceTracker(options);
  const input = (image: RgbImage) => ({ image, scaleToOriginal, models: fake.models, now: clock.now });
  /**
   * Steps at time `t` on a frame showing `faces`; the detector, should it run on this frame,
   * reports `detect` (default: the faces drawn, with their scores).
   */
  const step = async (
    t: number,
    faces: readonly Face[],
    options: { detect?: ScriptedFace[]; size?: [number, number]; background?: 'flat' | 'textured' } = {},
  ) => {
    const [width, height] = options.size ?? [W, H];
    const image = drawFrame({ width, height, patches: faces, background: options.background ?? 'textured' });
    fake.detector.frameSide = Math.max(width, height);
    fake.detector.faces = options.detect ?? faces.map((f) => ({ box: boxOf(f), score: f.score ?? 0.9 }));
    clock.set(t);
    const out = await tracker.step(input(image));
    // A due refresh starts on the next timer turn (after the frame's answer): let it start.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return out;
  };
  return { fake, clock, tracker, input, step };
}

const at = (face: Face, dx: number, dy: number): Face => ({ ...face, x: face.x + dx, y: face.y + dy });

/** The reported face is where the face is drawn (IoU ≥ 0.8; the tracker steps by 4-px cells here). */
function expectOn(reported: FaceAnnotation | undefined, truth: Face) {
  expect(reported).toBeDefined();
  expect(iou(reported!.box, boxOf(truth))).toBeGreaterThanOrEqual(0.8);
}

describe('FaceTracker: the first frame', () => {
  it('runs the whole pipeline before answering and reports what analyzeFaces reports', async () => {
    const small: Face = { x: 300, y: 200, size: 40, seed: 3, score: 0.7 };
    const faces = [FACE, small];
    const { fake, step, tracker, input } = rig(2);
    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    let answered = false;
    const first = step(0, faces).then((out) => {
      answered = true;
      return out;
    });
    await flushPromises();
    expect(fake.detector.calls).toBe(1);
    expect(answered).toBe(false); // waits for the detector, unlike later frames
    fake.detector.hold = null;
    hold.resolve();
    const out = await first;

    expect(fake.detector.calls).toBe(1);
    expect(fake.estimators.attributeCalls).toBe(1);
    expect(fake.estimators.expressionCalls).toBe(1);
    expect(fake.estimators.batches).toEqual([1]); // the small face is not estimated
    expect(Object.keys(out.timings).sort()).toEqual(['attributes', 'detect', 'expression', 'track']);

    const [big, tiny] = out.result;
    expect(big).toEqual({
      box: { x: 240, y: 180, width: 192, height: 192 },
      score: 0.9,
      age: 30,
      gender: 'male',
      genderProbability: 0.9,
      expression: { label: 'happy', probability: 0.6 },
    });
    expect(tiny).toMatchObject({ score: 0.7, age: null, quality: 'too-small' });
    expect(tiny!.box).toEqual({ x: 600, y: 400, width: 80, height: 80 });

    // The same frame through analyzeFaces (with fresh models): the same answer.
    const reference = fakeFaceModels({ frameSide: W });
    reference.detector.faces = fake.detector.faces;
    const image = drawFrame({ width: W, height: H, background: 'textured', patches: faces });
    const { models, labels, preprocess } = faceModelsOf(reference.models);
    const photo = await analyzeFaces(image, models, { scaleToOriginal: 2, labels, preprocess });
    expect(out.result).toEqual(photo.faces);

    // A still frame later: the same answer again, from tracking alone.
    const again = await tracker.step({ ...input(image), now: () => FRAME_MS });
    expect(again.result).toEqual(photo.faces);
    expect(fake.detector.calls).toBe(1);
    expect(fake.estimators.attributeCalls).toBe(1);
    expect(again.timings).toEqual({ track: 0 });
  });

  it('throws the first frame’s model error from that step, and starts again on the next', async () => {
    const { fake, step } = rig();
    fake.detector.fail = new Error('detector crashed');
    await expect(step(0, [FACE])).rejects.toThrow('detector crashed');
    const out = await step(FRAME_MS, [FACE]);
    expect(fake.detector.calls).toBe(2);
    expect(out.result).toHaveLength(1);
    expect(out.result[0]!.age).toBe(30);
  });
});

describe('FaceTracker: between refreshes', () => {
  it.each([
    [3, 2],
    [-5, 3],
    [8, -4],
    [1, 1],
  ])('follows a face moving (%i, %i) px a frame without the models', async (vx, vy) => {
    const { fake, step } = rig();
    for (let f = 0; f * FRAME_MS < DETECT_EVERY_MS; f++) {
      const truth = at(FACE, vx * f, vy * f);
      const out = await step(f * FRAME_MS, [truth]);
      expect(out.result).toHaveLength(1);
      expectOn(out.result[0], truth);
      expect(out.result[0]!.age).toBe(30);
    }
    expect(fake.detector.calls).toBe(1);
    expect(fake.estimators.attributeCalls).toBe(1);
  });

  it('predicts where a face goes from its last step, beyond the search radius', async () => {
    const { fake, step } = rig();
    // Steps of 20 px, then 36 px: more than the 32-px (8-cell) radius around the last box.
    const xs = [10, 30, 66, 102, 138];
    for (const [f, x] of xs.entries()) {
      const truth: Face = { ...FACE, x };
      const out = await step(f * FRAME_MS, [truth]);
      expectOn(out.result[0], truth);
    }
    expect(fake.detector.calls).toBe(1);
  });

  it('hides every face at a cut (another scene) and asks the detector at once', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    await step(FRAME_MS, [at(FACE, 2, 1)]);
    expect(fake.detector.calls).toBe(1);

    // Another scene, long before DETECT_EVERY_MS: a plain wall and a different face elsewhere.
    const other: Face = { x: 250, y: 150, size: 100, seed: 21, score: 0.8 };
    const scene = { background: 'flat' } as const;
    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    const cut = await step(2 * FRAME_MS, [other], scene);
    expect(cut.result).toEqual([]); // the old face is lost and not shown
    expect(fake.detector.calls).toBe(2); // started on the cut frame, in the background
    expect(fake.detector.answered).toBe(1);

    // Until the detector answers, nothing is shown, and no second call starts.
    const waiting = await step(3 * FRAME_MS, [other], scene);
    expect(waiting.result).toEqual([]);
    expect(fake.detector.calls).toBe(2);

    hold.resolve();
    await tracker.settled();
    expect(fake.estimators.batches).toEqual([1, 1]); // the new face was estimated
    const found = await step(4 * FRAME_MS, [other], scene);
    expect(found.result).toHaveLength(1);
    expectOn(found.result[0], other);
    expect(found.result[0]!.score).toBe(0.8);
    expect(fake.detector.calls).toBe(2);
  });

  it('hides a face whose look changes in a scene that stays, and asks the detector at once', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    // The face turns: other pixels in the same place; the rest of the frame is unchanged.
    const turned: Face = { ...FACE, seed: 21, score: 0.8 };
    const frame = (face: Face) => drawFrame({ width: W, height: H, background: 'textured', patches: [face] });
    const whole = { x: 0, y: 0, width: W, height: H };
    expect(similarity(grabTemplate(frame(FACE), whole)!, grabTemplate(frame(turned), whole)!)).toBeGreaterThan(
      SCENE_CUT_BELOW,
    );
    const match = searchTemplate(frame(turned), grabTemplate(frame(FACE), boxOf(FACE))!, boxOf(FACE));
    expect(match.score).toBeGreaterThan(0.1);
    expect(match.score).toBeLessThan(LOST_BELOW);

    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    expect((await step(FRAME_MS, [turned])).result).toEqual([]);
    expect(fake.detector.calls).toBe(2);
    hold.resolve();
    await tracker.settled();
    // The detection overlaps the lost face: the same face, shown again with its estimate.
    const found = await step(2 * FRAME_MS, [turned]);
    expect(found.result).toHaveLength(1);
    expectOn(found.result[0], turned);
    expect(found.result[0]).toMatchObject({ score: 0.8, age: 30 });
    expect(fake.estimators.batches).toEqual([1]);
  });

  it('hides a face that is covered, shows it again once tracking finds it, and ends it when two detections miss it', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    const covered = await step(FRAME_MS, [], { detect: [] });
    expect(covered.result).toEqual([]);
    expect(fake.detector.calls).toBe(2);
    // Back before the detector answered: tracking finds it again.
    const back = await step(2 * FRAME_MS, [FACE]);
    expectOn(back.result[0], FACE);
    // The detector, run on the covered frame, found nothing; tracking still follows the face, so
    // it stays through that one refresh, and the detector is asked again at once.
    fake.detector.hold = null;
    hold.resolve();
    await tracker.settled();
    const held = await step(3 * FRAME_MS, [FACE], { detect: [] });
    expectOn(held.result[0], FACE);
    expect(fake.detector.calls).toBe(3);
    // That detection misses it too: the face ends.
    await tracker.settled();
    expect((await step(4 * FRAME_MS, [FACE])).result).toEqual([]);
  });

  it('keeps a followed face through one refresh that misses it, and finds it again on the next', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    // A detection near its threshold misses the face once…
    await step(DETECT_EVERY_MS, [FACE], { detect: [] });
    await tracker.settled();
    const held = await step(DETECT_EVERY_MS + FRAME_MS, [FACE]);
    expectOn(held.result[0], FACE);
    expect(fake.detector.calls).toBe(3); // …so it is checked again at once, and found.
    await tracker.settled();
    for (let f = 2; f < 6; f++) expectOn((await step(DETECT_EVERY_MS + f * FRAME_MS, [FACE])).result[0], FACE);
    expect(fake.detector.calls).toBe(3);
  });

  it('ends at once a face the detector misses at the frame’s edge (it has left)', async () => {
    const { step, tracker } = rig();
    const edge: Face = { x: W - 96, y: 90, size: 96, seed: 7 };
    expect((await step(0, [edge])).result).toHaveLength(1);
    await step(DETECT_EVERY_MS, [at(edge, 4, 0)], { detect: [] });
    await tracker.settled();
    expect((await step(DETECT_EVERY_MS + FRAME_MS, [at(edge, 4, 0)])).result).toEqual([]);
  });
});

describe('FaceTracker: background refreshes', () => {
  it('runs the detector every DETECT_EVERY_MS in the background and adopts its result later, moved by the motion since', async () => {
    const { fake, step, tracker } = rig();
    const start: Face = { x: 20, y: 60, size: 96, seed: 7 };
    const truth = (f: number) => at(start, 8 * f, 2 * f);
    let f = 0;
    for (; f * FRAME_MS < DETECT_EVERY_MS; f++) await step(f * FRAME_MS, [truth(f)]);
    expect(fake.detector.calls).toBe(1);

    // f = 9 (270 ms): due. The detector is slow; the step answers without it.
    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    const refreshed = f;
    const due = await step(f * FRAME_MS, [{ ...truth(f), score: 0.8 }]);
    expect(fake.detector.calls).toBe(2);
    expect(fake.detector.answered).toBe(1);
    expectOn(due.result[0], truth(f));
    expect(due.result[0]!.score).toBe(0.9);
    fake.detector.hold = null;

    // Five more frames while it runs: tracked, no second detector call, old detection's score.
    for (f++; f < refreshed + 6; f++) {
      const out = await step(f * FRAME_MS, [truth(f)]);
      expectOn(out.result[0], truth(f));
      expect(out.result[0]!.score).toBe(0.9);
    }
    expect(fake.detector.calls).toBe(2);

    hold.resolve();
    await tracker.settled();
    // Adopted: the refresh's score; its box (40 px behind by now, beyond the search radius) was
    // moved by how far the face travelled since.
    const out = await step(f * FRAME_MS, [truth(f)]);
    expect(out.result).toHaveLength(1);
    expect(out.result[0]!.score).toBe(0.8);
    expectOn(out.result[0], truth(f));
    expect(iou(boxOf(truth(refreshed)), boxOf(truth(f)))).toBeLessThan(0.5);
    expect(fake.detector.calls).toBe(2);
    // The estimate was still fresh: kept, not re-run.
    expect(out.result[0]!.age).toBe(30);
    expect(fake.estimators.attributeCalls).toBe(1);
    // And the face keeps being followed from the refreshed appearance.
    f++;
    expectOn((await step(f * FRAME_MS, [truth(f)])).result[0], truth(f));
  });

  it('does not run the detector before DETECT_EVERY_MS has passed', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    await step(DETECT_EVERY_MS - 1, [FACE]);
    expect(fake.detector.calls).toBe(1);
    await step(DETECT_EVERY_MS, [FACE]);
    expect(fake.detector.calls).toBe(2);
    await tracker.settled();
    await step(DETECT_EVERY_MS + 1, [FACE]);
    await step(2 * DETECT_EVERY_MS - 1, [FACE]);
    expect(fake.detector.calls).toBe(2);
    await step(2 * DETECT_EVERY_MS, [FACE]);
    expect(fake.detector.calls).toBe(3);
  });

  it('takes other intervals from its options', async () => {
    const { fake, step, tracker } = rig(1, { detectEveryMs: 100, estimateEveryMs: 200 });
    await step(0, [FACE]);
    await step(90, [FACE]);
    expect(fake.detector.calls).toBe(1);
    await step(100, [FACE]);
    expect(fake.detector.calls).toBe(2);
    await tracker.settled();
    expect(fake.estimators.attributeCalls).toBe(1);
    await step(200, [FACE]);
    await tracker.settled();
    expect(fake.detector.calls).toBe(3);
    expect(fake.estimators.attributeCalls).toBe(2);
  });

  it('refreshes estimates older than ESTIMATE_EVERY_MS and blends them into the running ones', async () => {
    expect(ESTIMATE_BLEND).toBe(0.5);
    expect(ESTIMATE_EVERY_MS).toBe(2 * DETECT_EVERY_MS);
    const { fake, step, tracker } = rig();
    const first = await step(0, [FACE]);
    expect(first.result[0]).toMatchObject({ age: 30, gender: 'male', genderProbability: 0.9 });
    expect(first.result[0]!.expression).toEqual({ label: 'happy', probability: 0.6 });

    // The nets now answer differently.
    fake.estimators.age = 50;
    fake.estimators.male = 0.3;
    fake.estimators.expression = [0.05, 0.1, 0.7, 0.05, 0.04, 0.03, 0.03];

    // 250 ms: a refresh, but the estimate (0 ms) is still fresh.
    await step(DETECT_EVERY_MS, [FACE]);
    await tracker.settled();
    const kept = await step(DETECT_EVERY_MS + FRAME_MS, [FACE]);
    expect(fake.detector.calls).toBe(2);
    expect(fake.estimators.attributeCalls).toBe(1);
    expect(kept.result[0]!.age).toBe(30);

    // 500 ms: the next refresh re-estimates and blends halfway.
    await step(ESTIMATE_EVERY_MS, [FACE]);
    await tracker.settled();
    expect(fake.estimators.attributeCalls).toBe(2);
    expect(fake.estimators.expressionCalls).toBe(2);
    const blended = await step(ESTIMATE_EVERY_MS + FRAME_MS, [FACE]);
    expect(blended.result[0]).toMatchObject({ age: 40, gender: 'male', genderProbability: 0.6 });
    // (0.6 + 0.1) / 2 = 0.35 happy against (0.05 + 0.7) / 2 = 0.375 sad.
    expect(blended.result[0]!.expression).toEqual({ label: 'sad', probability: 0.375 });

    // 750 ms: refresh, estimate (500 ms) fresh; 1000 ms: blended again, 40 → 45.
    await step(ESTIMATE_EVERY_MS + DETECT_EVERY_MS, [FACE]);
    await tracker.settled();
    expect(fake.estimators.attributeCalls).toBe(2);
    await step(2 * ESTIMATE_EVERY_MS, [FACE]);
    await tracker.settled();
    const again = await step(2 * ESTIMATE_EVERY_MS + FRAME_MS, [FACE]);
    expect(fake.estimators.attributeCalls).toBe(3);
    expect(again.result[0]).toMatchObject({ age: 45, gender: 'female', genderProbability: 0.55 });
  });

  it('ends a face two refreshes in a row do not find, and begins one a refresh finds; only new faces are estimated', async () => {
    const { fake, step, tracker } = rig();
    const a: Face = { x: 30, y: 40, size: 96, seed: 7 };
    const b: Face = { x: 250, y: 120, size: 96, seed: 21, score: 0.85 };
    const first = await step(0, [a, b]);
    expect(first.result).toHaveLength(2);
    expect(fake.estimators.batches).toEqual([2]);

    // The detector misses b (still drawn, so tracking alone would keep it) and finds c.
    const c: Face = { x: 160, y: 190, size: 80, seed: 33, score: 0.7 };
    await step(DETECT_EVERY_MS, [a, b, c], {
      detect: [
        { box: boxOf(a), score: 0.95 },
        { box: boxOf(c), score: 0.7 },
      ],
    });
    await tracker.settled();
    expect(fake.estimators.batches).toEqual([2, 1]); // c only: a's estimate is fresh
    // b, still followed, is held through that refresh; the next one (at once) misses it too.
    const held = await step(DETECT_EVERY_MS + FRAME_MS, [a, b, c], {
      detect: [
        { box: boxOf(a), score: 0.95 },
        { box: boxOf(c), score: 0.7 },
      ],
    });
    expect(held.result).toHaveLength(3);
    await tracker.settled();

    for (let t = DETECT_EVERY_MS + 2 * FRAME_MS; t < 2 * DETECT_EVERY_MS; t += FRAME_MS) {
      const out = await step(t, [a, b, c]);
      expect(out.result.map((r) => r.score)).toEqual([0.95, 0.7]);
      expectOn(out.result[0], a);
      expectOn(out.result[1], c);
      expect(out.result.map((r) => r.age)).toEqual([30, 30]);
    }
  });

  it('throws a background refresh’s error from the next step, once, and goes on tracking', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    const error = new Error('detector crashed');
    fake.detector.fail = error;
    const due = await step(DETECT_EVERY_MS, [FACE]);
    expect(due.result).toHaveLength(1);
    expect(fake.detector.calls).toBe(2);
    await expect(tracker.settled()).resolves.toBeUndefined();
    await expect(step(DETECT_EVERY_MS + FRAME_MS, [FACE])).rejects.toBe(error);
    const after = await step(DETECT_EVERY_MS + 2 * FRAME_MS, [FACE]);
    expectOn(after.result[0], FACE);
    expect(after.result[0]!.age).toBe(30);
  });

  it('fails every frame in a row while the detector keeps failing, then tracks again once it works', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    fake.detector.nan = true; // broken on every call from now on
    await step(DETECT_EVERY_MS, [FACE]);
    await tracker.settled();
    const t = (k: number) => DETECT_EVERY_MS + k * FRAME_MS;
    // No tracked frame hides the failure between failing ones: each frame waits for a detection.
    for (let k = 1; k <= 4; k++) await expect(step(t(k), [FACE])).rejects.toBeInstanceOf(ModelOutputError);
    expect(fake.detector.calls).toBe(5);
    fake.detector.nan = false;
    const back = await step(t(5), [FACE]);
    expect(fake.detector.calls).toBe(6);
    expectOn(back.result[0], FACE);
    await step(t(6), [FACE]);
    expect(fake.detector.calls).toBe(6); // tracking again
  });

  it('throws a contract violation in the background as ModelOutputError naming the detector', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    fake.detector.nan = true;
    await step(DETECT_EVERY_MS, [FACE]);
    await tracker.settled();
    const err = await step(DETECT_EVERY_MS + FRAME_MS, [FACE]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect(err).toMatchObject({ model: 'detector' });
  });
});

describe('FaceTracker.settled', () => {
  it('resolves at once without background work, and after it otherwise', async () => {
    const { fake, step, tracker } = rig();
    await expect(tracker.settled()).resolves.toBeUndefined();
    await step(0, [FACE]);
    await expect(tracker.settled()).resolves.toBeUndefined();

    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    await step(DETECT_EVERY_MS, [FACE]);
    let settled = false;
    void tracker.settled().then(() => (settled = true));
    await flushPromises();
    expect(settled).toBe(false);
    expect(fake.estimators.attributeCalls).toBe(1);

    hold.resolve();
    await tracker.settled();
    expect(settled).toBe(true);
    expect(fake.detector.answered).toBe(2);
  });

  it('waits for the estimates a refresh runs after its detector', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    const attrHold = deferred();
    const inner = fake.models.attributes.run.bind(fake.models.attributes);
    fake.models.attributes.run = async (feeds) => {
      await attrHold.promise;
      return inner(feeds);
    };
    await step(ESTIMATE_EVERY_MS, [FACE]); // due, with a stale estimate
    let settled = false;
    void tracker.settled().then(() => (settled = true));
    await flushPromises();
    expect(fake.detector.answered).toBe(2);
    expect(settled).toBe(false);
    attrHold.resolve();
    await tracker.settled();
    expect(settled).toBe(true);
    expect(fake.estimators.attributeCalls).toBe(2);
  });
});

describe('FaceTracker: a frame of another size', () => {
  it('starts over with the full pipeline on the new size', async () => {
    const { fake, step } = rig();
    await step(0, [FACE]);
    const moved: Face = { x: 40, y: 30, size: 90, seed: 7 };
    const out = await step(FRAME_MS, [moved], { size: [320, 240] });
    expect(fake.detector.calls).toBe(2);
    expect(out.result).toHaveLength(1);
    expectOn(out.result[0], moved);
  });

  // A refresh still running when the frame size changes belongs to the old stream: the new
  // size's first frame waits for it instead of running a second detector call beside it, and its
  // faces (or its error) never reach the new stream.
  it('ignores a refresh that was started on frames of the old size', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    await step(DETECT_EVERY_MS, [FACE]); // a refresh on a 400×300 frame, still running
    fake.detector.hold = null;

    // The camera switches to 320×240 and shows a face elsewhere.
    const other: Face = { x: 200, y: 120, size: 90, seed: 21 };
    // Its first frame waits for the old refresh instead of running a second detector call beside it.
    const firstAnswer = step(DETECT_EVERY_MS + FRAME_MS, [other], { size: [320, 240] });
    await flushPromises();
    expect(fake.detector.calls).toBe(2);
    hold.resolve();
    const first = await firstAnswer;
    expectOn(first.result[0], other);

    await tracker.settled();
    const next = await step(DETECT_EVERY_MS + 2 * FRAME_MS, [other], { size: [320, 240] });
    // The old frame's face never replaces the new one.
    expect(next.result).toHaveLength(1);
    expectOn(next.result[0], other);
    expect(fake.detector.maxInFlight).toBe(1);
  });
});

describe('hold()', () => {
  /** Newer versions of the three face models; the expression version lists its labels in another order. */
  const NEWER_EXPRESSION_LABELS = [...EXPRESSION_LABELS].reverse();
  function newerModels() {
    const newer = fakeFaceModels({
      frameSide: W,
      versions: { detector: '2.0.0', attributes: '2.1.0', expression: '2.2.0' },
    });
    const { expression } = newer.models;
    newer.models.expression = { ...expression, entry: { ...expression.entry, labels: NEWER_EXPRESSION_LABELS } };
    return newer;
  }
  const modelCalls = (f: FakeFaceModels) => ({
    detector: f.detector.calls,
    attributes: f.estimators.attributeCalls,
    expression: f.estimators.expressionCalls,
  });
  /** What hold() gets during a swap: a frame and the newer versions' runners. */
  const swapInput = (
    newer: FakeFaceModels,
    t: number,
    faces: readonly Face[],
    [width, height]: [number, number] = [W, H],
  ): FeatureInput => ({
    image: drawFrame({ width, height, patches: faces, background: 'textured' }),
    scaleToOriginal: 1,
    models: newer.models,
    now: () => t,
  });

  it('returns null before the first frame completed (never started, still running, failed)', async () => {
    const newer = newerModels();
    const { fake, step, tracker } = rig();
    expect(tracker.hold(swapInput(newer, 0, [FACE]))).toBeNull();

    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    const first = step(0, [FACE]);
    await flushPromises();
    expect(fake.detector.calls).toBe(1);
    expect(tracker.hold(swapInput(newer, FRAME_MS, [FACE]))).toBeNull();
    fake.detector.hold = null;
    hold.resolve();
    await first;
    expect(tracker.hold(swapInput(newer, 2 * FRAME_MS, [FACE]))).not.toBeNull();

    const failed = rig();
    failed.fake.detector.fail = new Error('detector crashed');
    await expect(failed.step(0, [FACE])).rejects.toThrow('detector crashed');
    expect(failed.tracker.hold(swapInput(newer, FRAME_MS, [FACE]))).toBeNull();
    expect(modelCalls(newer)).toEqual({ detector: 0, attributes: 0, expression: 0 });
  });

  it('returns null for a frame of another size, and still answers frames of its own', async () => {
    const newer = newerModels();
    const { step, tracker } = rig();
    await step(0, [FACE]);
    await step(FRAME_MS, [at(FACE, 2, 1)]);
    const other: Face = { x: 40, y: 30, size: 90, seed: 7 };
    expect(tracker.hold(swapInput(newer, 2 * FRAME_MS, [other], [320, 240]))).toBeNull();
    const held = tracker.hold(swapInput(newer, 3 * FRAME_MS, [at(FACE, 4, 2)]));
    expect(held!.result).toHaveLength(1);
    expectOn(held!.result[0], at(FACE, 4, 2));
    expect(modelCalls(newer)).toEqual({ detector: 0, attributes: 0, expression: 0 });
  });

  it('follows the faces without touching a model, naming its own versions and keeping its label order', async () => {
    const { fake, step, tracker } = rig();
    fake.models.attributes.version = '1.1.0';
    fake.models.expression.version = '1.2.0';
    const truth = (f: number) => at(FACE, 4 * f, 2 * f);
    let f = 0;
    for (; f < 4; f++) await step(f * FRAME_MS, [truth(f)]);
    await tracker.settled();
    const before = modelCalls(fake);
    expect(before).toEqual({ detector: 1, attributes: 1, expression: 1 });

    const newer = newerModels();
    // Under the newer version's order the winning class (index 1) would be named otherwise.
    expect(NEWER_EXPRESSION_LABELS[1]).not.toBe('happy');
    // Past DETECT_EVERY_MS and ESTIMATE_EVERY_MS: a step would refresh here; hold must not.
    for (let t = 2 * ESTIMATE_EVERY_MS; f < 10; f++, t += FRAME_MS) {
      const held = tracker.hold(swapInput(newer, t, [truth(f)]));
      expect(held).not.toBeNull();
      expect(held!.models).toEqual({
        'face-detector': '1.0.0',
        'face-attributes': '1.1.0',
        'face-expression': '1.2.0',
      });
      expect(held!.result).toHaveLength(1);
      expectOn(held!.result[0], truth(f));
      expect(held!.result[0]).toMatchObject({ score: 0.9, age: 30, gender: 'male', genderProbability: 0.9 });
      expect(held!.result[0]!.expression).toEqual({ label: 'happy', probability: 0.6 });
      expect(Object.keys(held!.timings)).toEqual(['track']);
    }
    expect(iou(boxOf(truth(f - 1)), boxOf(truth(3)))).toBeLessThan(0.6);
    await tracker.settled();
    await flushPromises();
    expect(modelCalls(newer)).toEqual({ detector: 0, attributes: 0, expression: 0 });
    expect(modelCalls(fake)).toEqual(before);
  });

  it('adopts a refresh that was started before the swap and lands while it holds', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [FACE]);
    const other: Face = { x: 260, y: 150, size: 90, seed: 21, score: 0.7 };
    fake.detector.hold = deferred();
    const hold = fake.detector.hold;
    // Due: the detector (slow) runs on this frame and reports both faces, FACE with another score.
    const due = await step(DETECT_EVERY_MS, [FACE, other], {
      detect: [
        { box: boxOf(FACE), score: 0.8 },
        { box: boxOf(other), score: 0.7 },
      ],
    });
    fake.detector.hold = null;
    expect(due.result.map((r) => r.score)).toEqual([0.9]);

    // The swap: the old tracker holds while its refresh is still running.
    const newer = newerModels();
    const waiting = tracker.hold(swapInput(newer, DETECT_EVERY_MS + FRAME_MS, [FACE, other]));
    expect(waiting!.result.map((r) => r.score)).toEqual([0.9]);

    hold.resolve();
    await tracker.settled();
    // The refresh ran the old models (the new face was estimated with them).
    expect(modelCalls(fake)).toEqual({ detector: 2, attributes: 2, expression: 2 });
    const moved = [at(FACE, 3, 2), at(other, -3, 1)];
    const landed = tracker.hold(swapInput(newer, DETECT_EVERY_MS + 2 * FRAME_MS, moved));
    expect(landed!.result.map((r) => r.score)).toEqual([0.8, 0.7]);
    expectOn(landed!.result[0], moved[0]!);
    expectOn(landed!.result[1], moved[1]!);
    expect(landed!.result.map((r) => r.age)).toEqual([30, 30]);
    expect(landed!.timings).toHaveProperty('detect');
    expect(landed!.models).toEqual({
      'face-detector': '1.0.0',
      'face-attributes': '1.0.0',
      'face-expression': '1.0.0',
    });

    // Adopted once: the next hold follows on from it.
    const next = tracker.hold(swapInput(newer, DETECT_EVERY_MS + 3 * FRAME_MS, moved));
    expect(next!.result.map((r) => r.score)).toEqual([0.8, 0.7]);
    expect(Object.keys(next!.timings)).toEqual(['track']);
    expect(modelCalls(fake)).toEqual({ detector: 2, attributes: 2, expression: 2 });
    expect(modelCalls(newer)).toEqual({ detector: 0, attributes: 0, expression: 0 });
  });
});
