/**
 * @file The live shadow comparison as a table: images compared (live frames, photos), then per
 * feature the detection figures (share of serving boxes found at IoU ≥ 0.5, share extra, mean
 * IoU, score shift), agreements (gender, expression, top-1…), mean absolute errors (age) and
 * the model run time p50 of each version.
 */
import type { ShadowReport } from '../../shared/compare/report.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(0)}%`);
const num = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);

/** Props of {@link ShadowReportView}. */
export interface ShadowReportViewProps {
  report: ShadowReport;
}

/** One comparison report. */
export function ShadowReportView({ report: r }: ShadowReportViewProps) {
  const rows: Array<[string, string, string]> = [
    ['compared', 'Frames compared', `${r.frames} live, ${r.photos} photo${r.photos === 1 ? '' : 's'}`],
  ];
  for (const [feature, f] of Object.entries(r.results)) {
    if (f.boxes) {
      rows.push([
        `${feature}-found`,
        `${feature}: serving boxes found (IoU ≥ 0.5)`,
        `${pct(f.boxes.found)} of ${f.boxes.serving}`,
      ]);
      rows.push([`${feature}-extra`, `${feature}: extra boxes`, `${pct(f.boxes.extra)} of ${f.boxes.candidate}`]);
      rows.push([`${feature}-iou`, `${feature}: mean IoU`, num(f.boxes.meanIoU)]);
      rows.push([`${feature}-shift`, `${feature}: score shift`, num(f.boxes.scoreShift, 3)]);
    }
    for (const [name, s] of Object.entries(f.meanAbsError ?? {}))
      rows.push([`${feature}-${name}-mae`, `${feature}: ${name} MAE`, `${num(s.value, 1)} (n=${s.n})`]);
    for (const [name, s] of Object.entries(f.agreement ?? {}))
      rows.push([`${feature}-${name}`, `${feature}: ${name} agreement`, `${pct(s.value)} (n=${s.n})`]);
    for (const [label, c] of Object.entries(f.classes ?? {}))
      if (label) rows.push([`${feature}-class-${label}`, `${feature}: class ${label}`, `${pct(c.agreement)} agree`]);
  }
  rows.push([
    'time',
    'Model run time p50 (serving / candidate)',
    `${ms(r.runTimes.serving.p50Ms)} / ${ms(r.runTimes.candidate.p50Ms)}`,
  ]);
  if (r.failures) rows.push(['failures', 'Candidate failures', `${r.failures} (${r.lastFailure ?? ''})`]);
  return (
    <table className="shadow-report" data-testid="shadow-report" data-compared={r.compared} data-frames={r.frames}>
      <caption>
        {r.candidate.file ?? r.candidate.version} vs {r.model} {r.serving?.version ?? ''}
      </caption>
      <tbody>
        {rows.map(([key, name, value]) => (
          <tr key={key}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
