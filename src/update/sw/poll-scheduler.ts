/**
 * @file When the service worker asks the registry. Polls are due every interval ±jitter
 * (default 60 s ±20%) so a million clients that opened the app together do not hit the CDN
 * together after a publish. Browsers stop idle service workers after ~30 s, killing any timer,
 * so open pages also send cheap `tick` messages: a tick runs a check only when one is due.
 * User requests always run (after an in-flight check, since that one may predate a publish);
 * focus/start requests run unless a check finished very recently. Concurrent requests share
 * one check.
 */
import { clampTiming, POLL_INTERVAL, type TimingBounds } from '../../shared/update-settings.ts';
import type { CheckReason, CheckSummary } from '../../shared/update-messages.ts';

/** Default poll interval. */
export const DEFAULT_POLL_INTERVAL_MS = POLL_INTERVAL.defaultMs;
/** Intervals are clamped to [500 ms, 24 h] (e2e tests poll every ~1 s). */
export const POLL_INTERVAL_BOUNDS = { min: POLL_INTERVAL.minMs, max: POLL_INTERVAL.maxMs } as const;
/** Default jitter: ±20% of the interval. */
export const DEFAULT_JITTER = 0.2;
/** Focus/start checks are skipped when a check finished less than this long ago (or one interval, if shorter). */
export const SOFT_MIN_GAP_MS = 10_000;

/** Options of {@link PollScheduler}. */
export interface PollSchedulerOptions {
  check: (reason: CheckReason) => Promise<CheckSummary>;
  intervalMs?: number;
  /** Bounds every interval is clamped to (default {@link POLL_INTERVAL}; a deployed origin has a higher floor). */
  bounds?: TimingBounds;
  /** Fraction of the interval, 0..1. */
  jitter?: number;
  /** When the registry was last asked (persisted across service-worker restarts); undefined = never. */
  lastCheckAt?: number;
  now?: () => number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** Clamps a requested interval to `bounds` (default {@link POLL_INTERVAL_BOUNDS}). */
export function clampInterval(ms: number, bounds: TimingBounds = POLL_INTERVAL): number {
  return clampTiming(ms, bounds);
}

/** Schedules registry checks; see the file comment for the rules. */
export class PollScheduler {
  private interval: number;
  private readonly jitter: number;
  private lastCheckAt: number | undefined;
  private dueAt: number;
  private running: Promise<CheckSummary> | null = null;
  private followUp: Promise<CheckSummary> | null = null;
  private lastSummary: CheckSummary | null = null;
  private timer: unknown = undefined;
  private started = false;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: PollSchedulerOptions) {
    this.interval = clampInterval(options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS, options.bounds);
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_JITTER));
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.lastCheckAt = options.lastCheckAt;
    this.dueAt = this.lastCheckAt === undefined ? this.now() : this.lastCheckAt + this.jittered();
  }

  /** The poll interval in force (after clamping). */
  get intervalMs(): number {
    return this.interval;
  }

  /** When the next poll is due (ms since the epoch). */
  get nextDueAt(): number {
    return this.dueAt;
  }

  /** Arms the timer; idempotent. */
  start(): void {
    this.started = true;
    this.arm();
  }

  /** Disarms the timer; requests still work. */
  stop(): void {
    this.started = false;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Changes the interval; the next due time is recomputed from the last check. */
  setIntervalMs(ms: number): void {
    this.interval = clampInterval(ms, this.options.bounds);
    this.dueAt = this.lastCheckAt === undefined ? this.now() : this.lastCheckAt + this.jittered();
    this.arm();
  }

  /** Asks for a check; resolves with its summary, or a `skipped` summary when none was due. */
  request(reason: CheckReason): Promise<CheckSummary> {
    if (reason === 'user') {
      if (!this.running) return this.run(reason);
      // The running check may have fetched the manifest before the user's publish: run once more.
      this.followUp ??= this.running.then(
        () => this.afterFollowUp(reason),
        () => this.afterFollowUp(reason),
      );
      return this.followUp;
    }
    if (this.running) return this.running;
    const now = this.now();
    const due =
      reason === 'focus' || reason === 'start'
        ? this.lastCheckAt === undefined || now - this.lastCheckAt >= Math.min(this.interval, SOFT_MIN_GAP_MS)
        : now >= this.dueAt;
    if (!due) {
      if (reason === 'timer') this.arm();
      return Promise.resolve(this.skipped());
    }
    return this.run(reason);
  }

  private afterFollowUp(reason: CheckReason): Promise<CheckSummary> {
    this.followUp = null;
    return this.running ?? this.run(reason);
  }

  private run(reason: CheckReason): Promise<CheckSummary> {
    const p = (async () => {
      try {
        const summary = await this.options.check(reason);
        this.lastSummary = summary;
        return summary;
      } catch (err) {
        const summary: CheckSummary = {
          ok: false,
          serial: this.lastSummary?.serial ?? null,
          changed: false,
          ready: [],
          rejected: [],
          error: err instanceof Error ? err.message : String(err),
        };
        return summary;
      } finally {
        this.lastCheckAt = this.now();
        this.dueAt = this.lastCheckAt + this.jittered();
        this.running = null;
        this.arm();
      }
    })();
    this.running = p;
    return p;
  }

  private skipped(): CheckSummary {
    return {
      ok: true,
      serial: this.lastSummary?.serial ?? null,
      changed: false,
      ready: [],
      rejected: [],
      skipped: true,
    };
  }

  private jittered(): number {
    return this.interval * (1 - this.jitter + 2 * this.jitter * this.random());
  }

  private arm(): void {
    if (!this.started) return;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    const delay = Math.max(0, this.dueAt - this.now());
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      void this.request('timer');
    }, delay);
  }
}
