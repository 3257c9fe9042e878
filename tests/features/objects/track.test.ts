/**
 * @file The objects tracker (`objects.track()`) on synthetic video: block-textured object patches
 * on a textured frame, a scripted object detector (it reports the boxes and classes the test set
 * for the frame it ran on, and can be held on a deferred promise to play a slow model) and a
 * clock the test sets. The first frame is answered like a photo; frames in between follow the
 * objects without the detector, keeping each one's class name and score; a background refresh's
 * classes, scores and misses are adopted on a later frame; its errors surface on the next step.
 */
import { describe, expect, it } from 'vitest';
import { objects } from '../../../src/features/objects/index.ts';
import type { ObjectAnnotation } from '../../../src/features/objects/results.ts';
import type { FeatureInput } from '../../../src/shared/feature.ts';
import { iou, scaleBox } from '../../../src/shared/geometry.ts';
import type { RgbImage } from '../../../src/shared/image.ts';
import { ModelOutputError } from '../../../src/shared/pipeline/errors.ts';
import { DETECT_EVERY_MS } from '../../../src/shared/tracking/box-tracker.ts';
import {
  boxOf,
  deferred,
  drawFrame,
  fakeObjectDetector,
  flushPromises,
  manualClock,
  type Patch,
  type ScriptedObject,
} from '../../helpers/face-frames.ts';

const W = 400;
const H = 300;
/** A frame every 30 ms: eight frames fit between two refreshes. */
const FRAME_MS = 30;

/** An object patch and what the detector says it is. */
type Thing = Patch & { label: string; score: number };

const CUP: Thing = { x: 60, y: 50, size: 80, seed: 11, label: 'cup', score: 0.82 };
const DOG: Thing = { x: 220, y: 140, size: 100, seed: 23, label: 'dog', score: 0.67 };

const at = (thing: Thing, dx: number, dy: number): Thing => ({ ...thing, x: thing.x + dx, y: thing.y + dy });
const seen = (things: readonly Thing[]): ScriptedObject[] =>
  things.map((t) => ({ box: boxOf(t), score: t.score, label: t.label }));
const frame = (things: readonly Thing[]) => drawFrame({ width: W, height: H, patches: things, background: 'textured' });

/**
 * The objects feature's tracker, a scripted detector and a clock; `step` draws a frame (objects on
 * a textured background) and scripts the detector for it.
 */
function rig(scaleToOriginal = 1) {
  const fake = fakeObjectDetector();
  const clock = manualClock();
  const tracker = objects.track!();
  const input = (image: RgbImage): FeatureInput => ({
    image,
    scaleToOriginal,
    models: { detector: fake.runner },
    now: clock.now,
  });
  /** Steps at time `t` on a frame showing `things`; the detector, should it run, reports `detect` (default: what is drawn). */
  const step = async (t: number, things: readonly Thing[], detect: ScriptedObject[] = seen(things)) => {
    fake.frame = { width: W, height: H };
    fake.objects = detect;
    clock.set(t);
    const out = await tracker.step(input(frame(things)));
    // A due refresh starts on the next timer turn (after the frame's answer): let it start.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return out;
  };
  return { fake, clock, tracker, input, step };
}

/** The reported object is where `truth` is drawn (in original pixels), with its class name and score. */
function expectOn(reported: ObjectAnnotation | undefined, truth: Thing, scaleToOriginal = 1) {
  expect(reported).toBeDefined();
  expect(iou(reported!.box, scaleBox(boxOf(truth), scaleToOriginal))).toBeGreaterThanOrEqual(0.8);
  expect(reported!.label).toBe(truth.label);
  expect(reported!.score).toBe(truth.score);
}

/** `objects.analyze` on `image` with a fresh detector scripted to report `detect`. */
async function photo(image: RgbImage, detect: ScriptedObject[], scaleToOriginal: number) {
  const reference = fakeObjectDetector();
  reference.objects = detect;
  reference.frame = { width: image.width, height: image.height };
  const out = await objects.analyze({ image, scaleToOriginal, models: { detector: reference.runner }, now: () => 0 });
  return out.result;
}

describe('objects.track: the first frame', () => {
  it('waits for the detector and answers what objects.analyze answers on the same frame', async () => {
    const { fake, step, tracker, input } = rig(2);
    fake.hold = deferred();
    const hold = fake.hold;
    let answered = false;
    const first = step(0, [CUP, DOG]).then((out) => {
      answered = true;
      return out;
    });
    await flushPromises();
    expect(fake.calls).toBe(1);
    expect(answered).toBe(false); // like a photo: no answer before the detector's
    fake.hold = null;
    hold.resolve();
    const out = await first;
    expect(fake.calls).toBe(1);
    expect(Object.keys(out.timings).sort()).toEqual(['detect', 'track']);
    expect(out.models).toBeUndefined();

    // Original pixels (× 2), best score first, class names from the version's labels.
    expect(out.result).toEqual([
      { box: { x: 120, y: 100, width: 160, height: 160 }, score: 0.82, label: 'cup' },
      { box: { x: 440, y: 280, width: 200, height: 200 }, score: 0.67, label: 'dog' },
    ]);
    const image = frame([CUP, DOG]);
    expect(out.result).toEqual(await photo(image, seen([CUP, DOG]), 2));

    // The same still frame later: the same answer, from tracking alone.
    const again = await tracker.step({ ...input(image), now: () => FRAME_MS });
    expect(again.result).toEqual(out.result);
    expect(again.timings).toEqual({ track: 0 });
    expect(fake.calls).toBe(1);
  });

  // Boxes between pixels: the tracker rounds once, after scaling, like objects.analyze (rounding
  // in inference pixels first would put x 61.37 at 122.8 instead of 122.7 at scale 2).
  it('matches objects.analyze to the decimal for boxes between pixels, at scaleToOriginal = 2', async () => {
    const { step } = rig(2);
    const detect: ScriptedObject[] = [
      { box: { x: 61.37, y: 50.26, width: 80.33, height: 79.91 }, score: 0.82, label: 'cup' },
      { box: { x: 219.64, y: 139.72, width: 100.43, height: 100.37 }, score: 0.67, label: 'dog' },
    ];
    const out = await step(0, [CUP, DOG], detect);
    expect(out.result).toEqual(await photo(frame([CUP, DOG]), detect, 2));
  });
});

describe('objects.track: between refreshes', () => {
  it.each([1, 2])(
    'follows moving objects without the detector and keeps their class names and scores (scale %i)',
    async (scale) => {
      const { fake, step } = rig(scale);
      const truth = (f: number) => [at(CUP, 4 * f, 2 * f), at(DOG, -3 * f, f)];
      for (let f = 0; f * FRAME_MS < DETECT_EVERY_MS; f++) {
        // From the second frame on, the detector would report nothing: any call would lose them.
        const out = await step(f * FRAME_MS, truth(f), f === 0 ? undefined : []);
        expect(out.result).toHaveLength(2);
        expectOn(out.result[0], truth(f)[0]!, scale);
        expectOn(out.result[1], truth(f)[1]!, scale);
      }
      expect(fake.calls).toBe(1);
      // The objects have moved well away from where they were detected.
      expect(iou(boxOf(truth(8)[0]!), boxOf(CUP))).toBeLessThan(0.5);
    },
  );
});

describe('objects.track: background refreshes', () => {
  it('adopts a refresh’s new class name and score on a later frame, and ends an object two refreshes miss', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [CUP, DOG]);
    const bowl: Thing = { ...CUP, label: 'bowl', score: 0.74 };

    // Due: the detector now calls the cup a bowl and misses the dog (still in view). It is slow.
    fake.hold = deferred();
    const hold = fake.hold;
    const due = await step(DETECT_EVERY_MS, [CUP, DOG], seen([bowl]));
    expect(fake.calls).toBe(2);
    expect(fake.answered).toBe(1);
    fake.hold = null;
    expect(due.result.map((o) => o.label)).toEqual(['cup', 'dog']);

    // While it runs, frames are answered from what was known.
    const waiting = await step(DETECT_EVERY_MS + FRAME_MS, [CUP, DOG]);
    expectOn(waiting.result[0], CUP);
    expectOn(waiting.result[1], DOG);

    hold.resolve();
    await tracker.settled();
    // The dog, still followed in view, is kept through that refresh, and the detector checks at once.
    const held = await step(DETECT_EVERY_MS + 2 * FRAME_MS, [CUP, DOG], seen([bowl]));
    expect(held.result.map((o) => o.label)).toEqual(['bowl', 'dog']);
    expect(fake.calls).toBe(3);
    await tracker.settled();
    for (let f = 3; f < 6; f++) {
      const out = await step(DETECT_EVERY_MS + f * FRAME_MS, [CUP, DOG]);
      expect(out.result).toHaveLength(1);
      expectOn(out.result[0], bowl);
    }
    expect(fake.calls).toBe(3);
  });

  it('adopts a refresh’s box moved by the motion since, and begins an object it finds', async () => {
    const { fake, step, tracker } = rig();
    const truth = (f: number) => at(CUP, 5 * f, 2 * f);
    const cat: Thing = { x: 250, y: 60, size: 90, seed: 41, label: 'cat', score: 0.55 };
    let f = 0;
    for (; f * FRAME_MS < DETECT_EVERY_MS; f++) await step(f * FRAME_MS, [truth(f)]);
    fake.hold = deferred();
    const hold = fake.hold;
    const refreshed = f;
    await step(f * FRAME_MS, [truth(f), cat], seen([{ ...truth(f), score: 0.9 }, cat]));
    fake.hold = null;
    for (f++; f < refreshed + 5; f++) {
      const out = await step(f * FRAME_MS, [truth(f), cat]);
      expect(out.result).toHaveLength(1); // the cat is not known before the refresh lands
      expectOn(out.result[0], truth(f));
    }
    hold.resolve();
    await tracker.settled();
    const out = await step(f * FRAME_MS, [truth(f), cat]);
    expect(out.result).toHaveLength(2);
    expectOn(out.result[0], { ...truth(f), score: 0.9 });
    expectOn(out.result[1], cat);
    expect(fake.calls).toBe(2);
  });

  it('throws a background detector error from the next step, once, and goes on tracking', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [CUP, DOG]);
    const error = new Error('detector crashed');
    fake.fail = error;
    const due = await step(DETECT_EVERY_MS, [CUP, DOG]);
    expect(due.result).toHaveLength(2);
    expect(fake.calls).toBe(2);
    await expect(tracker.settled()).resolves.toBeUndefined();
    await expect(step(DETECT_EVERY_MS + FRAME_MS, [CUP, DOG])).rejects.toBe(error);
    const after = await step(DETECT_EVERY_MS + 2 * FRAME_MS, [CUP, DOG]);
    expect(after.result).toHaveLength(2);
    expectOn(after.result[0], CUP);
    expectOn(after.result[1], DOG);
  });

  it('throws a contract violation in the background as ModelOutputError naming the detector', async () => {
    const { fake, step, tracker } = rig();
    await step(0, [CUP]);
    fake.nan = true;
    await step(DETECT_EVERY_MS, [CUP]);
    await tracker.settled();
    const err = await step(DETECT_EVERY_MS + FRAME_MS, [CUP]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect(err).toMatchObject({ model: 'detector' });
  });

  // The pipeline worker reuses a frame's pixel buffer once no tracker reads it (buffer-pool.ts).
  it('uses the frame a refresh runs on until that refresh is adopted, and no other frame', async () => {
    const { fake, tracker, input, clock } = rig();
    const first = frame([CUP, DOG]);
    clock.set(0);
    await tracker.step(input(first));
    expect(tracker.uses(first)).toBe(false); // the first frame's detection is done

    fake.hold = deferred();
    const hold = fake.hold;
    const due = frame([CUP, DOG]);
    clock.set(DETECT_EVERY_MS);
    await tracker.step(input(due));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.calls).toBe(2);
    expect(tracker.uses(due)).toBe(true); // the refresh reads it
    fake.hold = null;
    hold.resolve();
    await tracker.settled();
    expect(tracker.uses(due)).toBe(true); // landed: its templates are cut on the next frame

    const next = frame([CUP, DOG]);
    clock.set(DETECT_EVERY_MS + FRAME_MS);
    await tracker.step(input(next));
    expect(tracker.uses(due)).toBe(false);
    expect(tracker.uses(next)).toBe(false);
    expect(tracker.uses(first)).toBe(false);
  });
});
