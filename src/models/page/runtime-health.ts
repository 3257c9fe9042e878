/**
 * @file Health of a version after its flip: K consecutive failed runs, or runs with NaN/±Inf
 * outputs, mean the version is broken on this device although it passed its probe (driver
 * quirk, rare input); the worker then rolls back and marks it bad. One success resets the
 * count, so an occasional bad frame does not trigger a rollback.
 */
import type { TensorData } from '../../shared/tensor.ts';
import { findNonFinite } from './non-finite.ts';

/** Consecutive failures that trigger a rollback unless configured otherwise. */
export const DEFAULT_FAILURE_THRESHOLD = 3;

/** What the worker should do after reporting a run. */
export type HealthVerdict = { rollback: false } | { rollback: true; reason: string };

/** Counts consecutive failures of the serving version; trips once. */
export class RuntimeHealth {
  private failures = 0;
  private lastReason = '';
  private isTripped = false;

  constructor(readonly threshold: number = DEFAULT_FAILURE_THRESHOLD) {
    if (!Number.isInteger(threshold) || threshold < 1)
      throw new RangeError(`failure threshold must be a positive integer, got ${threshold}`);
  }

  /** Consecutive failures so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** True once a rollback was requested; further reports are ignored until {@link reset}. */
  get tripped(): boolean {
    return this.isTripped;
  }

  /** Reports a run that returned; non-finite outputs count as a failure. */
  success(outputs?: Record<string, TensorData>): HealthVerdict {
    const bad = outputs ? findNonFinite(outputs) : null;
    if (bad) return this.failure(`non-finite output: ${bad}`);
    if (!this.isTripped) this.failures = 0;
    return { rollback: false };
  }

  /** Reports a run that threw. Returns `rollback: true` exactly once, on the K-th consecutive failure. */
  failure(reason: string): HealthVerdict {
    if (this.isTripped) return { rollback: false };
    this.failures++;
    this.lastReason = reason;
    if (this.failures < this.threshold) return { rollback: false };
    this.isTripped = true;
    return {
      rollback: true,
      reason: `${this.failures} consecutive failures after the swap (last: ${this.lastReason})`,
    };
  }

  /** Starts counting afresh (after a flip or a rollback). */
  reset(): void {
    this.failures = 0;
    this.lastReason = '';
    this.isTripped = false;
  }
}
