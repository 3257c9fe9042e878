/**
 * @file The stage each model is in, as this tab sees it: driven by the update-log records of
 * the service worker (found → downloading → verifying → stored) and of this tab's swaps
 * (compat-checked → … → released), plus download progress. One place, so the Models panel and
 * `status()` never disagree about where an update stands.
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import type { StageInfo } from './manager-types.ts';
import { systemClock, type Clock } from '../common/clock.ts';

/** Per-model stages with change notification. */
export class StageBoard {
  private stages: Record<string, StageInfo> = {};

  constructor(
    private readonly ids: readonly string[],
    private readonly onChange: () => void = () => {},
    private readonly clock: Clock = systemClock,
  ) {
    for (const id of ids) this.stages[id] = this.make('loading', null);
  }

  private make(stage: StageInfo['stage'], version: string | null, extra: Partial<StageInfo> = {}): StageInfo {
    return { stage, version, progress: null, reason: null, since: this.clock.now(), ...extra };
  }

  /** A copy of every model's stage. */
  snapshot(): Record<string, StageInfo> {
    return { ...this.stages };
  }

  /** Sets one model's stage (ignored for models outside the pipeline). */
  set(id: string, stage: StageInfo['stage'], version: string | null, extra: Partial<StageInfo> = {}): void {
    if (!this.ids.includes(id)) return;
    this.stages = { ...this.stages, [id]: this.make(stage, version, extra) };
    this.onChange();
  }

  /** Sets every model's stage at once (start-up failure). */
  setAll(stage: StageInfo['stage'], reason: string | null): void {
    for (const id of this.ids) this.stages[id] = this.make(stage, null, { reason });
    this.onChange();
  }

  /**
   * Follows a log record: a completed stage becomes the current one, `released` ends the
   * update (idle), a rejection stays visible until the next update starts, a failed or
   * cancelled stage returns to idle with its reason.
   */
  follow(r: UpdateLogRecord): void {
    if (r.outcome === 'rejected') this.set(r.model, 'rejected', r.version, { reason: r.reason ?? null });
    else if (r.outcome === 'failed' || r.outcome === 'cancelled')
      this.set(r.model, 'idle', r.version, { reason: r.reason ?? null });
    else if (r.outcome === 'ok') this.set(r.model, r.stage === 'released' ? 'idle' : r.stage, r.version);
  }
}
