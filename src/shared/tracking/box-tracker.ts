/**
 * @file Following a feature's boxes on a live video at the camera's rate (the faces and objects
 * trackers build on this). The feature's models run in the background on a schedule; every
 * frame in between is answered by following each box's appearance (template-match.ts, about
 * 1 ms a box).
 *
 * - The first frame of a stream runs the feature's detection before it answers, like a photo.
 * - Then a background refresh detects on a frame every `detectEveryMs`, or at once when a box is
 *   lost (its match score drops: an occlusion, a turn) or the scene cut (the whole frame unlike
 *   the previous one). It starts after the current frame's answer has gone out, so its
 *   pre-processing never delays that answer; one runs at a time, and on a loaded machine they
 *   are spaced to at least twice their own duration (the models take at most about half the time).
 * - A refresh's detections are matched to the boxes as they were on its frame, moved by how far
 *   each box has travelled since, and become the new appearance to follow; new ones begin. A box
 *   the refresh missed ends, unless its appearance is still followed inside the frame: then it is
 *   kept through that one refresh (a detector near its threshold misses a face now and then) and
 *   the detector checks again at once. What a feature keeps per box (labels, estimates) is
 *   merged by the feature.
 * - A lost box is not shown until a detection confirms it again.
 * - A refresh that fails is thrown by the next frame, and until a detection works again every
 *   frame waits for one: a broken model fails frames in a row, never hidden between tracked ones.
 *
 * Boxes are located on the frame they are reported with. Work is in inference pixels.
 */
import type { FeatureInput, FeatureOutput, FeatureTracker } from '../feature.ts';
import { matchBoxes } from '../compare/counts.ts';
import type { PixelBox } from '../geometry.ts';
import type { RgbImage } from '../image.ts';
import { grabTemplate, searchTemplate, similarity, type Template } from './template-match.ts';

/** How often the detector re-checks the boxes while tracking holds (ms). */
export const DETECT_EVERY_MS = 250;
/** Below this match score a box counts as lost: hidden, and the detector runs at once. */
export const LOST_BELOW = 0.5;
/** Below this likeness of the whole frame to the previous one, the scene changed (a cut): every box is lost. */
export const SCENE_CUT_BELOW = 0.4;
/** Refreshes in a row that may miss a box still followed by its appearance before it ends. */
export const HOLD_MISSES = 1;
/** A detection continues a box when it overlaps the box on the detected frame this much. */
export const SAME_BOX_IOU = 0.3;

/** A followed box (inference pixels) and what the feature keeps with it. */
export interface Track<D> {
  box: PixelBox;
  /** Centre movement per frame, to predict where to search next. */
  velocity: { x: number; y: number };
  template: Template | null;
  lost: boolean;
  /** Refreshes in a row that did not find this box while it was still followed. */
  misses: number;
  data: D;
}

/** What a feature's detection found on one frame: boxes in inference pixels. */
export interface Detected<I extends { box: PixelBox }> {
  items: I[];
  timings: Record<string, number>;
}

/** One background refresh, as it ran on its frame. */
interface Refresh<D, I extends { box: PixelBox }, E> {
  startedAt: number;
  image: RgbImage;
  /** Each track's box on that frame. */
  boxesThen: Map<Track<D>, PixelBox>;
  items: I[];
  /** Item index → the track it continues. */
  continues: Map<number, Track<D>>;
  /** Item index → more per item (e.g. face estimates). */
  extras: Map<number, E>;
  timings: Record<string, number>;
}

const inside = (b: PixelBox, image: RgbImage) =>
  b.x >= 0 && b.y >= 0 && b.x + b.width <= image.width && b.y + b.height <= image.height;
const centre = (b: PixelBox) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const moved = (b: PixelBox, dx: number, dy: number): PixelBox => ({ ...b, x: b.x + dx, y: b.y + dy });

/** Items to the tracks they continue: one-to-one, best overlap (with each track's box then) first. */
function matchToTracks<T>(items: readonly { box: PixelBox }[], boxesThen: Map<T, PixelBox>): Map<number, T> {
  const tracks = [...boxesThen];
  const pairs = matchBoxes(
    items,
    tracks.map(([, box]) => ({ box })),
    { threshold: SAME_BOX_IOU },
  );
  return new Map(pairs.map((p) => [p.serving, tracks[p.candidate]![0]]));
}

/** How often a tracker refreshes. */
export interface BoxTrackerOptions {
  detectEveryMs?: number;
}

/**
 * A tracker of one stream; make a new one per stream and per set of model versions. `R` is the
 * feature's result, `I` one detected item, `D` what a track keeps, `E` extra per-item model work.
 */
export abstract class BoxTracker<R, I extends { box: PixelBox }, D, E = never> implements FeatureTracker<R> {
  protected tracks: Track<D>[] = [];
  private readonly detectEveryMs: number;
  private started = false;
  private size = '';
  private inFlight: Promise<void> | null = null;
  /** The frame the refresh in flight reads. */
  private refreshing: RgbImage | null = null;
  private landed: Refresh<D, I, E> | null = null;
  private failure: { error: unknown } | null = null;
  private lastRefreshAt = -Infinity;
  /** Wall time of the last refresh. */
  private lastRefreshMs = 0;
  /** Bumped when the stream starts over: a refresh of an older generation is ignored when it lands. */
  private generation = 0;
  /** The previous frame's appearance as a whole, to notice cuts. */
  private view: Template | null = null;
  /** model id → version of the models this tracker serves (from its first frame). */
  private versions: Record<string, string> | null = null;

  constructor(options: BoxTrackerOptions = {}) {
    this.detectEveryMs = options.detectEveryMs ?? DETECT_EVERY_MS;
  }

  /** The feature's detection on one frame (boxes in inference pixels, best first). */
  protected abstract detect(input: FeatureInput): Promise<Detected<I>>;

  /** Optional model work after matching, on the refresh's frame (faces: estimates of new and stale faces). */
  protected enrich(
    _input: FeatureInput,
    _now: number,
    _items: readonly I[],
    _continues: ReadonlyMap<number, Track<D>>,
  ): Promise<{ extras: Map<number, E>; timings: Record<string, number> }> {
    return Promise.resolve({ extras: new Map(), timings: {} });
  }

  /** What a track keeps after a refresh found `item` (`prior`: the track it continues, if any). */
  protected abstract merge(prior: Track<D> | null, item: I, extra: E | undefined, startedAt: number): D;

  /** The result from the visible tracks. */
  protected abstract report(visible: readonly Track<D>[], input: FeatureInput): R;

  async step(input: FeatureInput): Promise<FeatureOutput<R>> {
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      throw error;
    }
    const now = input.now();
    const size = `${input.image.width}x${input.image.height}`;
    if (size !== this.size) {
      this.tracks = [];
      this.started = false;
      this.landed = null;
      this.view = null;
      this.size = size;
      this.generation += 1;
    }
    const timings: Record<string, number> = {};
    this.versions ??= Object.fromEntries(Object.values(input.models).map((m) => [m.id, m.version]));
    if (!this.started) {
      // The first frame waits for the detection, like a photo (after any refresh still running).
      if (this.inFlight) await this.inFlight;
      this.lastRefreshAt = now;
      const refresh = await this.refresh(input, now);
      this.started = true;
      this.adopt(refresh, input.image, timings);
    } else if (this.landed) {
      const refresh = this.landed;
      this.landed = null;
      this.adopt(refresh, input.image, timings);
    }
    this.track(input, timings);
    this.schedule(input, now);
    return { result: this.report(this.visible(), input), timings };
  }

  hold(input: FeatureInput): FeatureOutput<R> | null {
    const size = `${input.image.width}x${input.image.height}`;
    if (!this.started || !this.versions || size !== this.size) return null;
    const timings: Record<string, number> = {};
    if (this.landed) {
      // A refresh started before the swap: its models are this tracker's own.
      this.adopt(this.landed, input.image, timings);
      this.landed = null;
    }
    this.track(input, timings);
    return { result: this.report(this.visible(), input), timings, models: this.versions };
  }

  private visible(): Track<D>[] {
    return this.tracks.filter((t) => !t.lost);
  }

  /** Follows every box into this frame, or loses them all at a cut. */
  private track(input: FeatureInput, timings: Record<string, number>): void {
    const t0 = input.now();
    const view = grabTemplate(input.image, { x: 0, y: 0, width: input.image.width, height: input.image.height });
    const cut = !!view && !!this.view && similarity(view, this.view) < SCENE_CUT_BELOW;
    this.view = view;
    if (cut) for (const track of this.tracks) track.lost = true;
    else this.follow(input.image);
    timings.track = input.now() - t0;
  }

  settled(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }

  uses(image: RgbImage): boolean {
    return this.refreshing === image || this.landed?.image === image;
  }

  /** Starts a background refresh, after this frame's answer, when one is due and none is running. */
  private schedule(input: FeatureInput, now: number): void {
    if (this.inFlight) return;
    const every = Math.max(this.detectEveryMs, 2 * this.lastRefreshMs);
    const due = now - this.lastRefreshAt >= every || this.tracks.some((t) => t.lost || t.misses > 0);
    if (!due) return;
    this.lastRefreshAt = now;
    const generation = this.generation;
    const current = () => generation === this.generation;
    this.refreshing = input.image;
    this.inFlight = new Promise((resolve) => setTimeout(resolve, 0))
      .then(() => this.refresh(input, now))
      .then(
        (r) => {
          this.lastRefreshMs = input.now() - now;
          if (current()) this.landed = r;
        },
        (error: unknown) => {
          if (!current()) return;
          // Thrown by the next frame; the frames after it run their detection before answering
          // (as a stream's first frame does) until it works again, so a broken model fails
          // consecutive frames — what the model manager's runtime rollback counts.
          this.failure = { error };
          this.started = false;
        },
      )
      .finally(() => {
        this.inFlight = null;
        this.refreshing = null;
      });
  }

  private async refresh(input: FeatureInput, now: number): Promise<Refresh<D, I, E>> {
    const boxesThen = new Map(this.tracks.map((t) => [t, t.box] as const));
    const found = await this.detect(input);
    const continues = matchToTracks(found.items, boxesThen);
    const more = await this.enrich(input, now, found.items, continues);
    return {
      startedAt: now,
      image: input.image,
      boxesThen,
      items: found.items,
      continues,
      extras: more.extras,
      timings: { ...found.timings, ...more.timings },
    };
  }

  /** Applies a refresh: items continue or start tracks; tracks without an item end or are held once. */
  private adopt(refresh: Refresh<D, I, E>, image: RgbImage, timings: Record<string, number>): void {
    Object.assign(timings, refresh.timings);
    const continued = new Set(refresh.continues.values());
    // A box the detector missed once while its appearance still follows it is kept through that
    // refresh (a face near the detector's threshold would otherwise blink out for a whole refresh).
    const held = this.tracks.filter(
      (t) => refresh.boxesThen.has(t) && !continued.has(t) && !t.lost && t.misses < HOLD_MISSES && inside(t.box, image),
    );
    for (const t of held) t.misses += 1;
    this.tracks = refresh.items.map((item, i) => {
      const track = refresh.continues.get(i);
      const prior = track && this.tracks.includes(track) ? track : null;
      // How far the box moved between the refreshed frame and now.
      let [dx, dy] = [0, 0];
      if (prior) {
        const then = centre(refresh.boxesThen.get(prior)!);
        const at = centre(prior.box);
        [dx, dy] = [at.x - then.x, at.y - then.y];
      }
      return {
        box: refresh.image === image ? item.box : moved(item.box, dx, dy),
        velocity: prior?.velocity ?? { x: 0, y: 0 },
        template: grabTemplate(refresh.image, item.box),
        lost: false,
        misses: 0,
        data: this.merge(prior, item, refresh.extras.get(i), refresh.startedAt),
      };
    });
    this.tracks.push(...held);
  }

  /** Moves every box to where its appearance is in `image`. */
  private follow(image: RgbImage): void {
    for (const track of this.tracks) {
      if (!track.template) continue;
      const predicted = moved(track.box, track.velocity.x, track.velocity.y);
      const match = searchTemplate(image, track.template, predicted);
      if (match.score < LOST_BELOW) {
        track.lost = true;
        continue;
      }
      const before = centre(track.box);
      const after = centre(match.box);
      track.velocity = { x: after.x - before.x, y: after.y - before.y };
      track.box = match.box;
      track.lost = false;
    }
  }
}
