/**
 * @file The trackers of one video stream (the webcam), one per feature that offers one
 * ({@link Feature.track}); other features analyse every frame. A tracker serves one set of
 * model versions:
 * - after a pause longer than STREAM_GAP_MS (the camera was stopped, the tab hidden) the stream
 *   counts as new, and its first frame runs the feature's full detection before answering;
 * - when the versions change (a swap, a rollback) the new versions' tracker starts on that frame
 *   in the background, and the old tracker keeps answering from what it follows — naming its
 *   own versions, touching no model — until the new one's first frame is done. A swap never
 *   stalls the video for the new models' first run, and a frame never mixes generations. If the
 *   new versions fail on that first frame, the error is the frame's and they serve on, failing
 *   frame after frame, so the model manager's runtime rollback sees consecutive failures.
 */
import type { Feature, FeatureInput, FeatureOutput, FeatureTracker } from './feature.ts';
import type { RgbImage } from './image.ts';

/** A pause between frames after which the stream counts as new. */
export const STREAM_GAP_MS = 1000;

/** A tracker and the model versions it serves. */
interface Serving {
  versions: string;
  tracker: FeatureTracker<unknown>;
}

/** A tracker of newer versions whose first frame is still running. */
interface Starting extends Serving {
  first: Promise<void>;
  /** That first frame (read until `outcome` is set). */
  image: RgbImage;
  outcome: { ok: true } | { ok: false; error: unknown } | null;
}

interface Entry {
  serving: Serving;
  next: Starting | null;
}

const versionsOf = (input: FeatureInput) =>
  Object.values(input.models)
    .map((m) => `${m.id}@${m.version}`)
    .join(' ');

/** Per-feature trackers of one stream. */
export class FrameTrackers {
  private readonly byFeature = new Map<string, Entry>();
  /** Trackers forgotten while their background work still ran, until it ends. */
  private readonly retiring = new Set<FeatureTracker<unknown>>();
  private lastFrameAt = -Infinity;

  /** Starts a frame at `now` (ms) that runs `featureIds`: forgets trackers after a pause or of features not run. */
  begin(now: number, featureIds: readonly string[]): void {
    const gap = now - this.lastFrameAt > STREAM_GAP_MS;
    for (const [id, entry] of [...this.byFeature]) {
      if (gap || !featureIds.includes(id)) {
        this.byFeature.delete(id);
        this.retire(entry.serving.tracker);
        if (entry.next) this.retire(entry.next.tracker);
      }
    }
    this.lastFrameAt = now;
  }

  /** Whether a tracker, current or forgotten, may still read `image` (its buffer is not reused until then). */
  uses(image: RgbImage): boolean {
    for (const e of this.byFeature.values()) {
      if (e.serving.tracker.uses(image)) return true;
      if (e.next && ((!e.next.outcome && e.next.image === image) || e.next.tracker.uses(image))) return true;
    }
    for (const t of this.retiring) if (t.uses(image)) return true;
    return false;
  }

  private retire(tracker: FeatureTracker<unknown>): void {
    this.retiring.add(tracker);
    void tracker.settled().then(() => this.retiring.delete(tracker));
  }

  /** One feature on one frame: through its tracker when it has one, else a full analysis. */
  run(feature: Feature, input: FeatureInput): Promise<FeatureOutput<unknown>> {
    if (!feature.track) return feature.analyze(input);
    const versions = versionsOf(input);
    const entry = this.byFeature.get(feature.id);
    if (!entry) {
      const serving = { versions, tracker: feature.track() };
      this.byFeature.set(feature.id, { serving, next: null });
      return serving.tracker.step(input);
    }
    if (entry.serving.versions === versions) {
      entry.next = null;
      return entry.serving.tracker.step(input);
    }
    return this.handOver(feature, entry, versions, input);
  }

  private async handOver(
    feature: Feature,
    entry: Entry,
    versions: string,
    input: FeatureInput,
  ): Promise<FeatureOutput<unknown>> {
    if (entry.next?.versions !== versions) {
      const tracker = feature.track!();
      const next: Starting = { versions, tracker, first: Promise.resolve(), image: input.image, outcome: null };
      next.first = tracker.step(input).then(
        () => {
          next.outcome = { ok: true };
        },
        (error: unknown) => {
          next.outcome = { ok: false, error };
        },
      );
      entry.next = next;
      // Its first answer is for this frame, which the old tracker answers instead.
    } else if (entry.next.outcome) {
      const { outcome } = entry.next;
      if (!outcome.ok) {
        // The new versions serve from now on, failing or not: every following frame runs their
        // detection first, so the failures are consecutive and the manager rolls them back.
        entry.serving = { versions, tracker: feature.track!() };
        entry.next = null;
        throw outcome.error;
      }
      entry.serving = entry.next;
      entry.next = null;
      return entry.serving.tracker.step(input);
    }
    const held = entry.serving.tracker.hold(input);
    if (held) return held;
    // The old tracker has nothing to answer with: wait for the new one, as on a stream's first frame.
    const next = entry.next!;
    await next.first;
    return this.run(feature, input);
  }

  /** Resolves when the model work the current trackers have started is done (never rejects). */
  settled(): Promise<void> {
    const work = [...this.byFeature.values()].flatMap((e) => [
      e.serving.tracker.settled(),
      ...(e.next ? [e.next.first, e.next.tracker.settled()] : []),
    ]);
    return Promise.all(work).then(() => undefined);
  }
}
