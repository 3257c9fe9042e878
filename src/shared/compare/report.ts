/**
 * @file The shadow comparison report: a candidate model run beside the serving version on the
 * same pixels (live frames, photos, probe images), summed per feature ({@link ShadowTally}) and
 * shown as shares — detection: share of serving boxes the candidate found at IoU ≥ 0.5, share of
 * its boxes that match nothing, mean IoU, score shift; per class; agreement shares (gender, top-1
 * class…); mean absolute errors (age); model run time p50 of each version; how many images. One
 * number, `agreement`, is what the registry's shadow gate compares with `minAgreement`: the lowest
 * of the comparison's agreements (box agreement = matched ÷ boxes found by either; per-class the
 * same within classes; each agreement share). Pure and plain data, so it exports as JSON.
 */
import type { Feature } from '../feature.ts';
import { addCounts, type BoxCounts, type ComparisonCounts } from './counts.ts';
import { compareResults } from './generic.ts';

/** Where a compared image came from. */
export type ComparedKind = 'frame' | 'photo' | 'probe';

/** A share with how many observations it rests on. */
export interface Share {
  value: number | null;
  n: number;
}

/** Box figures of one feature. */
export interface BoxFigures {
  /** Boxes each version found, and pairs matched at IoU ≥ 0.5. */
  serving: number;
  candidate: number;
  matched: number;
  /** Share of the serving version's boxes the candidate found (null: serving found none). */
  found: number | null;
  /** Share of the candidate's boxes that match no serving box (null: the candidate found none). */
  extra: number | null;
  meanIoU: number | null;
  /** Mean of candidate score − serving score over matched pairs. */
  scoreShift: number | null;
  /** matched ÷ (serving + candidate − matched); null when neither found anything. */
  agreement: number | null;
}

/** What the comparison found for one feature. */
export interface FeatureFigures {
  boxes?: BoxFigures;
  /** Per class label: box figures with class-aware matching. */
  classes?: Record<string, BoxFigures>;
  /** Agreement shares by name. */
  agreement?: Record<string, Share>;
  /** Mean absolute errors by name. */
  meanAbsError?: Record<string, Share>;
}

/** Run time of the compared model, per version (ms, p50 over compared images). */
export interface RunTimes {
  serving: { p50Ms: number | null; n: number };
  candidate: { p50Ms: number | null; n: number };
}

/** A version as the report names it. */
export interface ReportVersion {
  version: string;
  sha256: string;
  /** The file name of a local candidate. */
  file?: string;
}

/** The report (exported as JSON by the Models panel). */
export interface ShadowReport {
  kind: 'hotlens-shadow-comparison';
  /** The model id the candidate would replace, and its task. */
  model: string;
  task: string;
  serving: ReportVersion | null;
  candidate: ReportVersion;
  /** Feature ids compared (those using the model). */
  features: string[];
  /** Images compared, by kind, and in all. */
  frames: number;
  photos: number;
  probes: number;
  compared: number;
  /** Images where the candidate failed (error, non-finite output); each counts as full disagreement. */
  failures: number;
  lastFailure: string | null;
  runTimes: RunTimes;
  results: Record<string, FeatureFigures>;
  /** The lowest agreement of the comparison (0..1); null before anything was compared. */
  agreement: number | null;
  /** Wall-clock times (ms since the epoch) of the first and the latest comparison. */
  started: number | null;
  updated: number | null;
}

/** Nearest-rank percentile (null for no values). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** The figures of summed box counts. */
export function boxFigures(c: BoxCounts): BoxFigures {
  const union = c.serving + c.candidate - c.matched;
  return {
    serving: c.serving,
    candidate: c.candidate,
    matched: c.matched,
    found: ratio(c.matched, c.serving),
    extra: ratio(c.candidate - c.matched, c.candidate),
    meanIoU: ratio(c.iouSum, c.matched),
    scoreShift: ratio(c.scoreShiftSum, c.matched),
    agreement: ratio(c.matched, union),
  };
}

/** The figures of one feature's summed counts. */
export function featureFigures(c: ComparisonCounts): FeatureFigures {
  const out: FeatureFigures = {};
  if (c.boxes) out.boxes = boxFigures(c.boxes);
  if (c.classes) out.classes = Object.fromEntries(Object.entries(c.classes).map(([k, v]) => [k, boxFigures(v)]));
  if (c.agreement)
    out.agreement = Object.fromEntries(
      Object.entries(c.agreement).map(([k, v]) => [k, { value: ratio(v.agree, v.total), n: v.total }]),
    );
  if (c.error)
    out.meanAbsError = Object.fromEntries(
      Object.entries(c.error).map(([k, v]) => [k, { value: ratio(v.absSum, v.count), n: v.count }]),
    );
  return out;
}

/** The agreements the gate looks at, from summed counts: boxes, class-aware boxes, each share. */
function agreements(c: ComparisonCounts): number[] {
  const out: number[] = [];
  const jaccard = (b: BoxCounts) => ratio(b.matched, b.serving + b.candidate - b.matched);
  const boxes = c.boxes && jaccard(c.boxes);
  if (boxes !== undefined && boxes !== null) out.push(boxes);
  if (c.classes) {
    const all = Object.values(c.classes).reduce(
      (s, b) => ({ m: s.m + b.matched, u: s.u + b.serving + b.candidate - b.matched }),
      { m: 0, u: 0 },
    );
    const v = ratio(all.m, all.u);
    if (v !== null) out.push(v);
  }
  for (const share of Object.values(c.agreement ?? {})) {
    const v = ratio(share.agree, share.total);
    if (v !== null) out.push(v);
  }
  return out;
}

/** What {@link ShadowTally.add} takes for one compared image. */
export interface ComparedImage {
  kind: ComparedKind;
  /** Serving and candidate results by feature id (the candidate's only for features using the model). */
  serving: Readonly<Record<string, unknown>>;
  candidate: Readonly<Record<string, unknown>>;
  /** Run time of the compared model in each version on this image (ms). */
  modelMs?: { serving: number; candidate: number };
  /** Why the candidate produced no result here (its results are then ignored). */
  error?: string;
  /** Wall-clock time of the comparison. */
  at: number;
}

/** Sums comparisons of one candidate against the serving version; {@link report} at any time. */
export class ShadowTally {
  private readonly counts: Record<string, ComparisonCounts> = {};
  private readonly kinds: Record<ComparedKind, number> = { frame: 0, photo: 0, probe: 0 };
  private failures = 0;
  private lastFailure: string | null = null;
  private readonly servingMs: number[] = [];
  private readonly candidateMs: number[] = [];
  private started: number | null = null;
  private updated: number | null = null;
  serving: ReportVersion | null = null;

  constructor(
    private readonly about: { model: string; task: string; candidate: ReportVersion; features: readonly Feature[] },
  ) {}

  /** Images compared so far. */
  get compared(): number {
    return this.kinds.frame + this.kinds.photo + this.kinds.probe;
  }

  /** Images of `kind` compared so far. */
  count(kind: ComparedKind): number {
    return this.kinds[kind];
  }

  /** Adds one compared image. */
  add(image: ComparedImage): void {
    this.kinds[image.kind]++;
    this.started ??= image.at;
    this.updated = image.at;
    if (image.error !== undefined) {
      this.failures++;
      this.lastFailure = image.error;
      return;
    }
    if (image.modelMs) {
      this.servingMs.push(image.modelMs.serving);
      this.candidateMs.push(image.modelMs.candidate);
    }
    for (const feature of this.about.features) {
      if (!(feature.id in image.candidate) || !(feature.id in image.serving)) continue;
      const counts = compareResults(feature, image.serving[feature.id], image.candidate[feature.id]);
      this.counts[feature.id] = addCounts(this.counts[feature.id] ?? {}, counts);
    }
  }

  /** The report as of now. */
  report(): ShadowReport {
    const shares = Object.values(this.counts).flatMap(agreements);
    const compared = this.compared;
    // A failed image is a full disagreement; images where neither version found anything agree.
    const ok = compared - this.failures;
    let agreement: number | null = null;
    if (compared > 0) agreement = ok === 0 ? 0 : Math.min(1, ...shares) * (ok / compared);
    return {
      kind: 'hotlens-shadow-comparison',
      model: this.about.model,
      task: this.about.task,
      serving: this.serving,
      candidate: this.about.candidate,
      features: this.about.features.map((f) => f.id),
      frames: this.kinds.frame,
      photos: this.kinds.photo,
      probes: this.kinds.probe,
      compared,
      failures: this.failures,
      lastFailure: this.lastFailure,
      runTimes: {
        serving: { p50Ms: percentile(this.servingMs, 50), n: this.servingMs.length },
        candidate: { p50Ms: percentile(this.candidateMs, 50), n: this.candidateMs.length },
      },
      results: Object.fromEntries(Object.entries(this.counts).map(([id, c]) => [id, featureFigures(c)])),
      agreement,
      started: this.started,
      updated: this.updated,
    };
  }
}

/** One sentence on a report's headline figures, for logs and announcements. */
export function describeReport(r: ShadowReport): string {
  const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
  const parts = [
    `agreement ${r.agreement === null ? '—' : r.agreement.toFixed(2)} over ${r.compared} image${r.compared === 1 ? '' : 's'}`,
  ];
  const where = [
    r.frames && `${r.frames} live frame${r.frames === 1 ? '' : 's'}`,
    r.photos && `${r.photos} photo${r.photos === 1 ? '' : 's'}`,
    r.probes && `${r.probes} probe image${r.probes === 1 ? '' : 's'}`,
  ].filter(Boolean);
  if (where.length) parts[0] += ` (${where.join(', ')})`;
  for (const [feature, f] of Object.entries(r.results)) {
    if (f.boxes)
      parts.push(
        `${feature}: found ${pct(f.boxes.found)} of ${f.boxes.serving} serving boxes, ${pct(f.boxes.extra)} extra`,
      );
    for (const [name, s] of Object.entries(f.agreement ?? {})) if (s.n) parts.push(`${name} ${pct(s.value)}`);
    for (const [name, s] of Object.entries(f.meanAbsError ?? {}))
      if (s.value !== null) parts.push(`${name} MAE ${s.value.toFixed(1)}`);
  }
  if (r.failures) parts.push(`the candidate failed on ${r.failures} (${r.lastFailure ?? 'error'})`);
  return parts.join('; ');
}
