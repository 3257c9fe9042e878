/**
 * @file Which staged candidate runs in shadow of the serving version right now, and where its
 * comparisons go. A shadow job (a model file being tried, or a registry version's shadow gate)
 * registers here; the webcam loop asks {@link shadowForFrame} per frame, which samples every
 * {@link SHADOW_EVERY}-th frame so the live view keeps its frame rate, and hands each result's
 * candidate side back with {@link shadowFrameDone}. The frame shown is always the serving
 * version's result. Outside React; one job at a time (a gate comes before a trial).
 */
import type { FrameResult, PhotoResult, ShadowRun, ShadowTarget } from '../shared/worker-api.ts';
import type { ComparedKind } from '../shared/compare/report.ts';

/** Compare one webcam frame in this many (the others run the serving version alone). */
export const SHADOW_EVERY = 2;

/** A registered comparison. */
export interface ShadowJob {
  target: ShadowTarget;
  /** A gate's job comes before a trial's when both want frames. */
  priority: number;
  /** One compared image: the serving results (by feature id) and the candidate's side. */
  compared(kind: ComparedKind, serving: Record<string, unknown>, shadow: ShadowRun): void;
}

const jobs = new Set<ShadowJob>();
let frameNo = 0;

/** Adds a job; returns the function that removes it. */
export function addShadowJob(job: ShadowJob): () => void {
  jobs.add(job);
  return () => jobs.delete(job);
}

/** The job that gets compared images now, if any. */
export function currentShadowJob(): ShadowJob | undefined {
  let best: ShadowJob | undefined;
  for (const j of jobs) if (!best || j.priority > best.priority) best = j;
  return best;
}

/** The shadow target for the next webcam frame (sampled), or undefined to run the serving version alone. */
export function shadowForFrame(): ShadowTarget | undefined {
  const job = currentShadowJob();
  if (!job) return undefined;
  frameNo++;
  return frameNo % SHADOW_EVERY === 0 ? job.target : undefined;
}

/** Feature results of an analysis, by feature id (everything but the bookkeeping keys). */
function servingResults(result: object): Record<string, unknown> {
  const skip = new Set(['frame', 'width', 'height', 'models', 'timings', 'shadow', 'annotation', 'file']);
  return Object.fromEntries(Object.entries(result).filter(([k]) => !skip.has(k)));
}

/** Hands a frame's candidate side to the job that asked for it. */
export function shadowFrameDone(result: FrameResult): void {
  deliver('frame', servingResults(result), result.shadow);
}

/** Hands a photo's candidate side to the job that asked for it. */
export function shadowPhotoDone(result: PhotoResult): void {
  deliver('photo', servingResults(result.annotation), result.shadow);
}

/** Hands one compared image of `kind` to the job whose target it ran. */
export function deliver(kind: ComparedKind, serving: Record<string, unknown>, shadow: ShadowRun | undefined): void {
  if (!shadow) return;
  for (const j of jobs) if (j.target.id === shadow.id) j.compared(kind, serving, shadow);
}
